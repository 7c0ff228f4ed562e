from django.db import models


def choices_constraint(field, choices, *, name, allow_blank=True):
    """A named CheckConstraint keeping a TextChoices column to its declared values."""
    condition = models.Q(**{f"{field}__in": choices.values})
    if allow_blank:
        condition |= models.Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)
