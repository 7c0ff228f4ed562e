"""Controlled vocabularies that records are coded with; not publishable records themselves."""

from django.db import models

from apps.core.constraints import choices_constraint

from .choices import NormConception
from .choices import Region


class Country(models.Model):
    code = models.CharField(
        max_length=2,
        unique=True,
        help_text="ISO 3166-1 alpha-2 (historical codes such as YU allowed).",
    )
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=16, choices=Region.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            choices_constraint(
                "region", Region, name="country_region_valid", allow_blank=False
            )
        ]

    def __str__(self):
        return self.name


class MandateTask(models.Model):
    """What a mission is asked to do (monitoring a ceasefire, running elections...)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    conception = models.CharField(
        max_length=20,
        choices=NormConception.choices,
        help_text="Which conception the task leans towards.",
    )
    description = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            choices_constraint(
                "conception",
                NormConception,
                name="task_conception_valid",
                allow_blank=False,
            )
        ]

    def __str__(self):
        return self.name
