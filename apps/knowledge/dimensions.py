"""The coded dimensions of missions and cases, in one place.

Detail pages, the side-by-side comparison of records and the coding scheme on /about/ all
read this list, so a dimension added here shows up everywhere with its label, its
definitions, the claim its citations carry and the list-page parameter that filters on it.
"""

from dataclasses import dataclass

from .models.choices import Claim
from .models.choices import Conception
from .models.choices import ConflictType
from .models.choices import HostConsent
from .models.choices import Impartiality
from .models.choices import LegalBasis
from .models.choices import MissionType
from .models.choices import UseOfForce


def conception_text(classification):
    """A preferred classification as a cell shows it: its value and period ('' when
    there is none)."""
    if not classification:
        return ""
    period = classification.period_display
    label = classification.get_value_display()
    return f"{label} ({period})" if period else label


@dataclass(frozen=True)
class Dimension:
    key: str  # the model field (or "conception" for the preferred classification)
    label: str
    claims: tuple  # citation claims that support it
    choices: type | None = None  # the TextChoices, whose DEFINITIONS explain the values
    param: str = ""  # the list-page / API parameter that filters on it
    question: str = ""  # what a coder asks, shown on /about/

    def definitions(self):
        return getattr(self.choices, "DEFINITIONS", {}) if self.choices else {}

    def display(self, record):
        """The value as text ('' when not coded)."""
        if self.key == "conception":
            return conception_text(record.preferred_classification())
        if self.key == "dates":
            return record.dates_display
        if self.key in {"mandate_tasks", "countries", "organisations"}:
            return ", ".join(str(item) for item in getattr(record, self.key).all())
        if self.key == "legal_basis" and record.legal_basis:
            body = record.authorising_body
            text = record.get_legal_basis_display()
            return f"{text}: {body.name}" if body and body.is_published else text
        if self.choices:
            return getattr(record, f"get_{self.key}_display")()
        return str(getattr(record, self.key) or "")

    def not_established(self, record):
        """'Not established: <reason>' where the field is blank on purpose, else ''."""
        reasons = getattr(record, "not_established", None) or {}
        if self.key == "dates":
            parts = []
            if "start" in reasons and not record.start_date:
                parts.append(f"start not established: {reasons['start']}")
            if "end" in reasons and not (
                record.end_date or record.continuing_as_of_date
            ):
                parts.append(f"end not established: {reasons['end']}")
            text = "; ".join(parts)
            return text[:1].upper() + text[1:]
        if self.key in reasons:
            return f"Not established: {reasons[self.key]}"
        return ""

    def display_or_reason(self, record):
        """The value as text; where it is blank on purpose, the public reason."""
        text = self.display(record)
        if self.key == "dates":
            reason = self.not_established(record)
            if reason and record.start_date:
                # "from 1956, end not established" + the reason
                return f"{text.removesuffix(', end not established')}; {reason[:1].lower()}{reason[1:]}"
            return reason or text
        return text or self.not_established(record)

    def value(self, record):
        """The raw coded value, for CSS hooks ('' when not coded or many-valued)."""
        if self.key == "conception":
            classification = record.preferred_classification()
            return classification.value if classification else ""
        return getattr(record, self.key, "") if self.choices else ""


CONCEPTION = Dimension(
    "conception",
    "Conception",
    (Claim.CLASSIFICATION,),
    Conception,
    "conception",
    "Does the intervention keep order between states, or reshape governance inside one?",
)

DATES = Dimension("dates", "Dates", (Claim.DATES,))

MISSION_DIMENSIONS = [
    CONCEPTION,
    DATES,
    Dimension(
        "mission_type",
        "Mission type",
        (Claim.MISSION_TYPE,),
        MissionType,
        "mission_type",
        "What kind of operation was it?",
    ),
    Dimension(
        "organisations",
        "Run by",
        (Claim.ORGANISATIONS,),
        param="organisation",
    ),
    Dimension(
        "host_consent",
        "Host consent",
        (Claim.HOST_CONSENT,),
        HostConsent,
        "consent",
        "Did the host state and the parties agree to the mission?",
    ),
    Dimension(
        "use_of_force",
        "Use of force",
        (Claim.USE_OF_FORCE,),
        UseOfForce,
        "use_of_force",
        "How far could the mission use force?",
    ),
    Dimension(
        "impartiality",
        "Impartiality",
        (Claim.IMPARTIALITY,),
        Impartiality,
        "impartiality",
        "What was its stance towards the parties?",
    ),
    Dimension(
        "legal_basis",
        "Legal basis",
        (Claim.LEGAL_BASIS,),
        LegalBasis,
        "legal_basis",
        "What authorised it in law?",
    ),
    Dimension(
        "mandate_tasks",
        "Mandate tasks",
        (Claim.MANDATE_TASKS, Claim.MANDATE),
        param="mandate_task",
        question="What was it asked to do?",
    ),
]

CASE_DIMENSIONS = [
    CONCEPTION,
    DATES,
    Dimension(
        "conflict_type",
        "Conflict type",
        (Claim.CONFLICT_TYPE,),
        ConflictType,
        "conflict_type",
        "Who fought whom?",
    ),
    Dimension("countries", "Countries", (Claim.COUNTRIES,), param="country"),
]

DIMENSIONS = {"mission": MISSION_DIMENSIONS, "case": CASE_DIMENSIONS}
