from django.db import models


def choices_constraint(field, choices, *, name, allow_blank=True):
    """A named CheckConstraint keeping a TextChoices column to its declared values."""
    condition = models.Q(**{f"{field}__in": choices.values})
    if allow_blank:
        condition |= models.Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


def ordered_constraint(first, last, *, name, message):
    """A named CheckConstraint that `last` is not before `first` where both are given
    (pages, periods)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{last}__isnull": True})
        | models.Q(**{f"{first}__isnull": True})
        | models.Q(**{f"{last}__gte": models.F(first)}),
        name=name,
        violation_error_message=message,
    )
