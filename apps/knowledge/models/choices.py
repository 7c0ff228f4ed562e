"""The coding scheme: every enumeration a curator codes a record with.

A coded vocabulary (`DefinedChoices`) declares each member's value, label and
definition side by side; its `DEFINITIONS` (shown as help in the admin and generated
into the public coding-scheme page) are read from them: one source of truth.
"""

from typing import TYPE_CHECKING
from typing import ClassVar

from django.db import models
from django.db.models.enums import ChoicesType


class DefinedChoicesType(ChoicesType):
    """Takes each member's third item, its definition, into the class's `DEFINITIONS`
    (value -> definition), leaving Django the (value, label) pair it expects."""

    def __new__(metacls, classname, bases, classdict, **kwds):
        definitions = {}
        for name in classdict._member_names:
            value, label, definition = classdict[name]
            definitions[value] = definition
            # As Django's ChoicesType does: enum's classdict refuses a reassignment.
            dict.__setitem__(classdict, name, (value, label))
        cls = super().__new__(metacls, classname, bases, classdict, **kwds)
        cls.DEFINITIONS = definitions
        return cls


if TYPE_CHECKING:
    # mypy knows TextChoices only through django-stubs' own metaclass: to it, these
    # are the TextChoices they become (members of type str, with .value and .label).
    class DefinedChoices(models.TextChoices):
        DEFINITIONS: ClassVar[dict[str, str]]

else:

    class DefinedChoices(models.TextChoices, metaclass=DefinedChoicesType):
        """Choices whose members are (value, label, definition)."""


class Conception(DefinedChoices):
    GLOSSARY_SLUGS: ClassVar[dict[str, str]]

    WESTPHALIAN = (
        "westphalian",
        "Westphalian",
        "Keeps order between states: works with the consent of the parties and leaves "
        "their internal government alone, creating room for them to settle disputes.",
    )
    POST_WESTPHALIAN = (
        "post_westphalian",
        "Post-Westphalian",
        "Reshapes governance inside a state (elections, rule of law, human and "
        "minority rights, administration) on the view that liberal democracies make "
        "stable peace.",
    )
    MIXED = (
        "mixed",
        "Mixed",
        "Does both, or drifts from one to the other within the period judged.",
    )


# The glossary entries for the two orders (data/concepts/): their pages and the
# definitions on /compare/ link to each other.
Conception.GLOSSARY_SLUGS = {
    "westphalian": "westphalian-order",
    "post_westphalian": "post-westphalian-order",
}


class NormConception(DefinedChoices):
    WESTPHALIAN = (
        "westphalian",
        "Westphalian",
        "Protects states and their independence from outside interference.",
    )
    POST_WESTPHALIAN = (
        "post_westphalian",
        "Post-Westphalian",
        "Makes how a state treats its people a legitimate concern of others.",
    )
    CONTESTED = (
        "contested",
        "Contested",
        "Read in both ways, or a battleground between the two conceptions.",
    )


class SourceKind(models.TextChoices):
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Book chapter"
    ARTICLE = "article", "Journal article"
    REPORT = "report", "Report"
    WEBPAGE = "webpage", "Essay or web page"
    OFFICIAL = "official", "Official document"
    DATASET = "dataset", "Dataset"


class OrganisationKind(models.TextChoices):
    UNIVERSAL = "universal", "Universal organisation"
    REGIONAL = "regional", "Regional organisation"
    ALLIANCE = "alliance", "Military alliance"
    ORGAN = "organ", "Organ or institution of an organisation"
    STATE = "state", "State"
    COALITION = "coalition", "Coalition of states"
    NGO = "ngo", "Non-governmental organisation"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    CHARTER = "charter", "Charter"
    TREATY = "treaty", "Treaty"
    FINAL_ACT = "final_act", "Final act"
    CONCLUDING_DOCUMENT = "concluding_document", "Concluding document"
    DECLARATION = "declaration", "Declaration"
    RESOLUTION = "resolution", "Resolution"
    DECISION = "decision", "Decision"
    REPORT = "report", "Report"
    AGREEMENT = "agreement", "Agreement"
    LAW = "law", "Law"
    OTHER = "other", "Other"


class ConflictType(DefinedChoices):
    INTER_STATE = (
        "inter_state",
        "Inter-state",
        "Between the governments of two or more states.",
    )
    INTRA_STATE = (
        "intra_state",
        "Intra-state",
        "Within one state: a government against rebels, or groups against each other.",
    )
    INTERNATIONALISED = (
        "internationalised",
        "Internationalised intra-state",
        "An intra-state conflict in which other states take part with troops.",
    )
    EXTRA_STATE = (
        "extra_state",
        "Extra-state (colonial)",
        "A state against a people outside its own territory, as in colonial wars.",
    )


class MissionType(DefinedChoices):
    OBSERVATION = (
        "observation",
        "Observer mission",
        "Unarmed or lightly armed officers who watch and report on an agreement.",
    )
    TRADITIONAL = (
        "traditional_peacekeeping",
        "Traditional peacekeeping",
        "Lightly armed forces placed between states or parties with their consent, to "
        "keep a ceasefire while a settlement is sought.",
    )
    MULTIDIMENSIONAL = (
        "multidimensional_peacekeeping",
        "Multidimensional peacekeeping",
        "Military, police and civilian components that help implement a comprehensive "
        "settlement, often including elections and institutions.",
    )
    TRANSITIONAL_ADMINISTRATION = (
        "transitional_administration",
        "Transitional administration",
        "The mission itself governs a territory for a time.",
    )
    PEACE_ENFORCEMENT = (
        "peace_enforcement",
        "Peace enforcement",
        "Force used to impose the will of the authorising body on a party.",
    )
    PREVENTIVE = (
        "preventive_deployment",
        "Preventive deployment",
        "Deployed before fighting breaks out, to deter it.",
    )
    LONG_DURATION = (
        "long_duration_mission",
        "Long-duration (field) mission",
        "A small civilian field presence (typically CSCE/OSCE) working with a host "
        "government over months or years on prevention and governance.",
    )
    FACT_FINDING = (
        "fact_finding",
        "Fact-finding, rapporteur or expert mission",
        "A short visit by rapporteurs or experts to establish facts and advise.",
    )
    MILITARY_INTERVENTION = (
        "military_intervention",
        "Military intervention",
        "Armed intervention by a state or coalition without the host government's "
        "consent.",
    )
    STABILISATION = (
        "stabilisation_force",
        "Stabilisation force",
        "A multinational force keeping security after a war or intervention.",
    )
    POLITICAL = (
        "political_mission",
        "Political mission",
        "A mainly civilian mission supporting a political process.",
    )
    OTHER = (
        "other",
        "Other",
        "None of the above.",
    )


class HostConsent(DefinedChoices):
    ALL_PARTIES = (
        "all_parties",
        "Consent of all main parties",
        "The host state and the main parties to the conflict agreed to the mission.",
    )
    HOST_GOVERNMENT = (
        "host_government",
        "Consent of the host government only",
        "The government agreed; armed opponents did not, or were not asked.",
    )
    CONTESTED = (
        "contested",
        "Partial, contested or coerced consent",
        "Consent was partial, withdrawn, or obtained under pressure.",
    )
    NONE = (
        "none",
        "No consent",
        "The mission deployed against the will of the host government.",
    )
    NOT_APPLICABLE = (
        "not_applicable",
        "Not applicable (no host authority)",
        "There was no effective authority able to consent.",
    )


class UseOfForce(DefinedChoices):
    NONE = (
        "none",
        "Unarmed",
        "Personnel carry no weapons.",
    )
    SELF_DEFENCE = (
        "self_defence",
        "Self-defence only",
        "Force only to protect the mission's own personnel.",
    )
    DEFENCE_OF_MANDATE = (
        "defence_of_mandate",
        "Self-defence and defence of the mandate",
        "Force also to stop attempts to prevent the mission doing its job.",
    )
    ENFORCEMENT = (
        "enforcement",
        "Enforcement",
        "Force to compel a party, authorised as such.",
    )


class Impartiality(DefinedChoices):
    IMPARTIAL = (
        "impartial",
        "Impartial between the parties",
        "Treats the parties alike and takes no view of their claims.",
    )
    PRINCIPLED = (
        "principled",
        "Impartial in applying the mandate",
        "Applies the mandate or agreed standards to all, even if that hurts one party.",
    )
    PARTIAL = (
        "partial",
        "Partial to one side",
        "Acts for one party against another.",
    )


class LegalBasis(DefinedChoices):
    UN_CHAPTER_VI = (
        "un_chapter_vi",
        "UN Charter, Chapter VI (consensual)",
        "Authorised by the Security Council with the parties' consent.",
    )
    UN_CHAPTER_VII = (
        "un_chapter_vii",
        "UN Charter, Chapter VII (enforcement)",
        "Authorised by the Security Council acting under Chapter VII.",
    )
    UN_GENERAL_ASSEMBLY = (
        "un_general_assembly",
        "UN General Assembly resolution",
        "Set up by the General Assembly (as with UNEF I).",
    )
    REGIONAL_ARRANGEMENT = (
        "regional_arrangement",
        "Regional arrangement (Chapter VIII)",
        "Authorised by a regional organisation under Chapter VIII.",
    )
    CSCE_DECISION = (
        "csce_decision",
        "CSCE/OSCE decision with the host's agreement",
        "Decided by CSCE/OSCE participating states, agreed with the host.",
    )
    HOST_INVITATION = (
        "host_invitation",
        "Invitation of the host state",
        "Deployed at the host government's request.",
    )
    PEACE_AGREEMENT = (
        "peace_agreement",
        "Peace agreement between the parties",
        "Provided for by an agreement among the parties themselves.",
    )
    NONE = (
        "none",
        "No international authorisation",
        "No body with authority to do so approved the operation.",
    )


class Region(models.TextChoices):
    AFRICA = "africa", "Africa"
    AMERICAS = "americas", "Americas"
    ASIA = "asia", "Asia"
    EUROPE = "europe", "Europe"
    MIDDLE_EAST = "middle_east", "Middle East"
    OCEANIA = "oceania", "Oceania"


class Claim(models.TextChoices):
    """Which part of a record a citation supports."""

    SUMMARY = "summary", "Summary"
    DEFINITION = "definition", "Definition"
    DATES = "dates", "Dates"
    MANDATE = "mandate", "Mandate"
    MISSION_TYPE = "mission_type", "Mission type"
    HOST_CONSENT = "host_consent", "Host consent"
    USE_OF_FORCE = "use_of_force", "Use of force"
    IMPARTIALITY = "impartiality", "Impartiality"
    LEGAL_BASIS = "legal_basis", "Legal basis"
    MANDATE_TASKS = "mandate_tasks", "Mandate tasks"
    CLASSIFICATION = "classification", "Classification"
    CONFLICT_TYPE = "conflict_type", "Conflict type"
    COUNTRIES = "countries", "Countries"
    ORGANISATIONS = "organisations", "Organisations"
    RELATIONS = "relations", "Relations"
    WESTPHALIAN = "westphalian", "Westphalian view"
    POST_WESTPHALIAN = "post_westphalian", "Post-Westphalian view"
    OTHER = "other", "Other"


class LocatorType(models.TextChoices):
    PAGES = "pages", "Page(s)"
    SECTION = "section", "Section"
    PARAGRAPH = "paragraph", "Paragraph"
    NOTE = "note", "Note"


class ComparisonSection(models.TextChoices):
    DIMENSION = "dimension", "Dimension"
    ROUTE_TO_PEACE = "route_to_peace", "Route to stable peace"
    ADVOCATES = "advocates", "Who argues for it"
    CRITICISM = "criticism", "Criticism"
    DISAGREEMENT = "disagreement", "Where the texts disagree"


class CreatorRole(models.TextChoices):
    AUTHOR = "author", "Author"
    EDITOR = "editor", "Editor"
