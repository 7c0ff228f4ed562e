"""How the public pages name record types and conceptions."""

from django.db.models import Model

from ..models import Concept
from ..models.choices import Conception


def plural_label(model: type[Model]) -> str:
    """How the public pages name several records of a type: the concepts are the
    glossary's terms (nav, headings and counts say the same)."""
    return (
        "glossary terms" if model is Concept else str(model._meta.verbose_name_plural)
    )


def list_heading(model: type[Model]) -> str:
    """The heading of a type's list page, and the breadcrumb back to it."""
    return "Glossary" if model is Concept else plural_label(model).capitalize()


# The three conceptions with their definitions, as the home and comparison pages list them.
CONCEPTIONS = [
    (value, label, Conception.DEFINITIONS[value]) for value, label in Conception.choices
]
