"""Whose judgement a classification is, and the decision rules the curators apply.

One place for the rules: the loader and the admin validate with them, the API schema takes
its enums from them, and the codebook page (/data/) and the admin help texts print them.

A classification's `basis` is either the cited author's own classification (`author`:
a citation with claim "classification" and a locator where the text itself places the
operation) or the curators' application of one of the rules below to cited coded facts
(`curators`). The rules follow Bellamy, Williams and Griffin's definitions of the two
conceptions of liberal peace (Understanding Peacekeeping, 2004, ch. 1): the Westphalian
conception keeps order between states and gives them institutions and room to settle their
disputes (pp. 11, 27, 31); the post-Westphalian conception holds that only liberal
democracies keep a stable peace, so it works inside states to build and defend democratic
government, treating how a state is run as no longer secondary to its sovereignty
(pp. 27-28, 31).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


class Basis(models.TextChoices):
    AUTHOR = "author", "The cited author's own classification"
    CURATORS = "curators", "The curators' application of a decision rule"


BASIS_HELP = (
    "author: the cited text itself places the operation (cite it with claim "
    '"classification" and a locator). curators: our application of a decision rule '
    "(see the codebook page) to the record's cited coded facts."
)

# The source whose definitions the rules follow (and whose classifications are "author").
DEFINING_SOURCE = "bellamy-williams-griffin-2004-ch1"

# The values of models.choices.Conception, spelled here so that models can import this.
WESTPHALIAN, POST_WESTPHALIAN, MIXED = "westphalian", "post_westphalian", "mixed"
CONCEPTION_LABELS = {
    WESTPHALIAN: "Westphalian",
    POST_WESTPHALIAN: "Post-Westphalian",
    MIXED: "Mixed",
}

TASK_WESTPHALIAN = "westphalian"
TASK_POST_WESTPHALIAN = "post_westphalian"


@dataclass(frozen=True)
class Rule:
    slug: str
    label: str
    value: str  # the Conception it yields
    test: str  # when it applies, in our words
    reading: str  # how it follows from the definitions, with page locators
    uses_tasks: (
        bool  # decided by the coded mandate tasks (else by the cited stated aims)
    )

    @property
    def anchor(self) -> str:
        return f"rule-{self.slug}"

    @property
    def value_label(self) -> str:
        return CONCEPTION_LABELS[self.value]


RULES = [
    Rule(
        "tasks-westphalian",
        "Westphalian tasks only",
        WESTPHALIAN,
        "At least one of the record's coded mandate tasks is Westphalian (ceasefire "
        "monitoring, interposition, supervising a withdrawal) and none is "
        "post-Westphalian.",
        "Watching a truce line, standing between armies or checking that forces leave "
        "all serve states that want room to settle a dispute between them, the purpose "
        "Bellamy, Williams and Griffin give the Westphalian conception (pp. 11, 27, 31).",
        True,
    ),
    Rule(
        "tasks-post-westphalian",
        "Post-Westphalian tasks only",
        POST_WESTPHALIAN,
        "At least one coded mandate task is post-Westphalian (elections, police and rule "
        "of law, human rights, minority protection, governance and administration, "
        "security sector reform, refugee return, reconstruction, protection of "
        "civilians) and none is Westphalian.",
        "Each of these tasks works on how a state is governed inside, which is what "
        "Bellamy, Williams and Griffin say the post-Westphalian conception sets out to "
        "build and defend (pp. 27-28, 31).",
        True,
    ),
    Rule(
        "tasks-both",
        "Tasks of both kinds",
        MIXED,
        "The coded mandate tasks include at least one Westphalian and at least one "
        "post-Westphalian task.",
        "Bellamy, Williams and Griffin note that both conceptions can be at work in the "
        "same operation (p. 11).",
        True,
    ),
    Rule(
        "aims-between-states",
        "Stated aims between states",
        WESTPHALIAN,
        "No coded task decides (none, or only contested ones), and the cited stated aims "
        "concern relations between states: restoring a border, ending a war between "
        "states, keeping states apart.",
        "An aim of settling matters between states, leaving their internal order alone, "
        "matches the Westphalian conception's focus on order between states "
        "(pp. 11, 27).",
        False,
    ),
    Rule(
        "aims-inside-state",
        "Stated aims inside a state",
        POST_WESTPHALIAN,
        "No coded task decides (none, or only contested ones), and the cited stated aims "
        "concern how a state is governed inside: replacing a regime, occupying and "
        "rebuilding, protecting a population.",
        "An aim of changing or guarding a state's internal order treats that order as "
        "others' business, the mark of the post-Westphalian conception (p. 28).",
        False,
    ),
]
RULES_BY_SLUG = {rule.slug: rule for rule in RULES}
RULE_CHOICES = [(rule.slug, rule.slug) for rule in RULES]

NOT_SIGNS = (
    "Contested tasks (conflict prevention, humanitarian assistance, disarmament and "
    "demobilisation, enforcement) decide nothing. Taking sides, lacking a UN mandate or "
    "failing to act are not signs of either conception."
)

RULE_HELP = (
    "Required when the basis is curators: "
    + "; ".join(f"{r.slug} gives {r.value_label}" for r in RULES)
    + ". Task rules must match the record's coded mandate tasks. "
    + NOT_SIGNS
)
DEPARTURE_HELP = (
    "Required when the classification's value differs from its rule's value: why, in "
    "our own words, with the facts that justify it."
)

# A mission's four coded dimensions: its profile, by which the content report compares
# missions (reports.py).
MISSION_PROFILE = ["host_consent", "use_of_force", "impartiality", "legal_basis"]

# `not_established`: a coded field left blank on purpose, with the public reason.
NOT_ESTABLISHED_KEYS = {
    "mission": [
        "start",
        "end",
        *MISSION_PROFILE,
        "mandate_tasks",
        "organisations",
        "countries",
    ],
    "case": ["start", "end", "countries", "conflict_type"],
}
NOT_ESTABLISHED_LABELS = {
    "start": "start",
    "end": "end",
    "host_consent": "host consent",
    "use_of_force": "use of force",
    "impartiality": "impartiality",
    "legal_basis": "legal basis",
    "mandate_tasks": "mandate tasks",
    "organisations": "organisations",
    "countries": "countries",
    "conflict_type": "conflict type",
}


def rule_for_tasks(conceptions: Iterable[str]) -> Rule | None:
    """The task rule that the conceptions of a record's coded tasks select, or None."""
    conceptions = set(conceptions)
    west = TASK_WESTPHALIAN in conceptions
    post = TASK_POST_WESTPHALIAN in conceptions
    if west and post:
        return RULES_BY_SLUG["tasks-both"]
    if west:
        return RULES_BY_SLUG["tasks-westphalian"]
    if post:
        return RULES_BY_SLUG["tasks-post-westphalian"]
    return None


def rule_mismatch(rule_slug: str, conceptions: Iterable[str]) -> str:
    """Why `rule_slug` cannot apply to a record whose coded tasks have `conceptions`
    ("" when it can)."""
    rule = RULES_BY_SLUG.get(rule_slug)
    if rule is None:
        return ""
    chosen = rule_for_tasks(conceptions)
    if rule.uses_tasks and (chosen is None or chosen.slug != rule.slug):
        found = (
            f"they select {chosen.slug}"
            if chosen
            else "none of them is Westphalian or post-Westphalian"
        )
        return f"rule {rule.slug} does not match the record's coded mandate tasks: {found}."
    if not rule.uses_tasks and chosen is not None:
        return (
            f"rule {rule.slug} applies only when no coded mandate task decides; "
            f"the record's tasks select {chosen.slug}."
        )
    return ""


def classification_problems(
    *,
    basis: str,
    rule: str,
    departure: str | None,
    value: str,
    has_author_citation: bool,
) -> list[str]:
    """What keeps a classification from being complete, as sentences (drafts, not errors).

    Malformed values (an unknown basis or rule, a rule given with basis author) are
    validation errors elsewhere; this lists only what is still to be written."""
    problems = []
    if not basis:
        problems.append(
            "it does not say whose judgement it is (basis: author or curators)."
        )
    elif basis == Basis.AUTHOR and not has_author_citation:
        problems.append(
            'its basis is author but no citation with claim "classification" says '
            "where the text places the operation."
        )
    elif basis == Basis.CURATORS:
        found = RULES_BY_SLUG.get(rule)
        if found is None:
            problems.append("its basis is curators but it names no decision rule.")
        elif found.value != value and not (departure or "").strip():
            problems.append(
                f"its value differs from what rule {found.slug} gives "
                f"({found.value_label}) and no departure says why."
            )
    return problems
