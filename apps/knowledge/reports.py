"""How complete and how consistent the coding is (issue 12), for `manage.py content_report`.

For missions and cases, per coded field: how many records have a value with a citation
(claim of that field), a value without one, "not established" with a reason, or nothing.
Then two consistency lists: records whose coded dimensions agree but whose conception labels
differ without a stated departure, and curators' classifications whose rule disagrees with
their coded tasks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from . import codebook
from .models import Case
from .models import Mission
from .models.choices import Claim

# field -> the citation claims that support it
FIELDS: dict[type[Mission | Case], dict[str, tuple[str, ...]]] = {
    Mission: {
        # Not required (--strict), but a type no citation supports is listed as uncited.
        "mission_type": (Claim.MISSION_TYPE,),
        "start": (Claim.DATES,),
        "end": (Claim.DATES,),
        "host_consent": (Claim.HOST_CONSENT,),
        "use_of_force": (Claim.USE_OF_FORCE,),
        "impartiality": (Claim.IMPARTIALITY,),
        "legal_basis": (Claim.LEGAL_BASIS,),
        "mandate_tasks": (Claim.MANDATE_TASKS, Claim.MANDATE),
        "organisations": (Claim.ORGANISATIONS,),
    },
    Case: {
        "start": (Claim.DATES,),
        "end": (Claim.DATES,),
        "countries": (Claim.COUNTRIES,),
        "conflict_type": (Claim.CONFLICT_TYPE,),
    },
}
# What --strict requires of every mission: a value or a "not established" reason.
STRICT_MISSION_FIELDS = ["start", "end", *codebook.MISSION_PROFILE]
# The dimensions compared for "same coding, different label".
PROFILE = codebook.MISSION_PROFILE

CITED, UNCITED, NOT_ESTABLISHED, MISSING = (
    "cited",
    "uncited",
    "not established",
    "missing",
)
STATES = [CITED, UNCITED, NOT_ESTABLISHED, MISSING]


@dataclass
class Report:
    counts: dict = field(default_factory=dict)  # model -> field -> state -> n
    totals: dict = field(default_factory=dict)  # model -> number of records
    strict_gaps: list = field(default_factory=list)  # (slug, [fields])
    label_conflicts: list = field(default_factory=list)  # lines
    rule_conflicts: list = field(default_factory=list)  # lines


def _has_value(record, name):
    value = record.coded_value(name)
    if isinstance(value, list):
        return bool(value)
    return value not in (None, "")


def field_state(record, name, claims):
    reasons = record.not_established or {}
    if _has_value(record, name):
        cited = any(c.claim in claims for c in record.citations.all())
        return CITED if cited else UNCITED
    if name in reasons:
        return NOT_ESTABLISHED
    return MISSING


def build() -> Report:
    report = Report()
    for model, fields in FIELDS.items():
        records = list(
            model.objects.order_by("slug").prefetch_related(
                "citations",
                "classifications__citations",
                *(["mandate_tasks", "organisations"] if model is Mission else []),
                *(["countries"] if model is Case else []),
            )
        )
        report.totals[model] = len(records)
        counts = {name: dict.fromkeys(STATES, 0) for name in fields}
        for record in records:
            for name, claims in fields.items():
                counts[name][field_state(record, name, claims)] += 1
            if model is Mission:
                gaps = [
                    name
                    for name in STRICT_MISSION_FIELDS
                    if field_state(record, name, fields[name]) == MISSING
                ]
                if gaps:
                    report.strict_gaps.append((record.slug, gaps))
            report.rule_conflicts += _rule_conflicts(model, record)
        report.counts[model] = counts
        if model is Mission:
            report.label_conflicts = _label_conflicts(records)
    return report


def _rule_conflicts(model, record):
    conceptions = (
        [t.conception for t in record.mandate_tasks.all()] if model is Mission else []
    )
    lines = []
    for classification in record.classifications.all():
        if classification.basis != codebook.Basis.CURATORS or not classification.rule:
            continue
        mismatch = codebook.rule_mismatch(classification.rule, conceptions)
        if mismatch:
            lines.append(f"{model._meta.verbose_name_plural}/{record.slug}: {mismatch}")
    return lines


def _coded_alike_key(mission):
    """(profile, decisive task conceptions) and the preferred classification of a
    fully coded, classified mission; None for one that cannot be compared."""
    preferred = next((c for c in mission.classifications.all() if c.preferred), None)
    if preferred is None:
        return None
    profile = tuple(getattr(mission, name) for name in PROFILE)
    if not all(profile):
        return None  # compare only fully coded profiles
    decisive = {codebook.TASK_WESTPHALIAN, codebook.TASK_POST_WESTPHALIAN}
    tasks = frozenset(t.conception for t in mission.mandate_tasks.all()) & decisive
    return (profile, tasks), preferred


def _conflict_line(profile, tasks, members):
    """One line naming the silent members of a group whose labels differ, or None."""
    silent = [(m, c) for m, c in members if not (c.departure or "").strip()]
    if len({c.value for _m, c in silent}) < 2:
        return None
    coded = ", ".join(f"{n}={v}" for n, v in zip(PROFILE, profile, strict=True))
    task_text = "+".join(sorted(tasks)) or "no decisive tasks"
    who = "; ".join(f"{m.slug} ({c.value})" for m, c in silent)
    return f"{coded}, tasks {task_text}: {who}"


def _label_conflicts(missions):
    """Missions coded alike on every profile dimension and on the conceptions of their
    tasks, whose preferred labels differ, where a differing one states no departure."""
    groups = defaultdict(list)
    for mission in missions:
        found = _coded_alike_key(mission)
        if found is not None:
            key, preferred = found
            groups[key].append((mission, preferred))
    lines = []
    for (profile, tasks), members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        line = _conflict_line(profile, tasks, members)
        if line is not None:
            lines.append(line)
    return lines


def render(report: Report) -> str:
    out = []
    for model, counts in report.counts.items():
        plural = model._meta.verbose_name_plural
        total = report.totals[model]
        out.append(f"{plural.capitalize()}: {total} records")
        out.append(
            f"  {'field':<16}{'cited':>8}{'uncited':>9}{'not est.':>10}{'missing':>9}"
        )
        for name, states in counts.items():
            out.append(
                f"  {name:<16}{states[CITED]:>8}{states[UNCITED]:>9}"
                f"{states[NOT_ESTABLISHED]:>10}{states[MISSING]:>9}"
            )
        out.append("")
    out.append(
        "Missions lacking a required field (start, end or continuing, host consent, use "
        "of force, impartiality, legal basis) with no not_established reason: "
        f"{len(report.strict_gaps)}"
    )
    out += [f"  {slug}: {', '.join(gaps)}" for slug, gaps in report.strict_gaps]
    out.append("")
    out.append(
        "Coded alike, labelled differently, no departure stated: "
        f"{len(report.label_conflicts)}"
    )
    out += [f"  {line}" for line in report.label_conflicts]
    out.append("")
    out.append(
        "Curators' classifications whose rule disagrees with the coded tasks: "
        f"{len(report.rule_conflicts)}"
    )
    out += [f"  {line}" for line in report.rule_conflicts]
    return "\n".join(out) + "\n"
