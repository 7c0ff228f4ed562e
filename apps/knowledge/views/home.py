"""The front page."""

from django.utils.functional import cached_property
from django.views.generic import TemplateView

from apps.core import pagecache

from ..models import (
    Case,
    Concept,
    Document,
    Mission,
    Norm,
    Organisation,
)
from .labels import CONCEPTIONS, plural_label
from .querysets import RECORD_TYPES


class HomeView(TemplateView):
    """The front page. Its counts and "recently updated" scan every record table and are
    the same for every reader: the template caches them per content generation and
    reads these properties only on a miss."""

    template_name = "knowledge/home.html"

    @cached_property
    def counts(self):
        return [
            (
                plural_label(model),
                model.objects.published().count(),
                f"knowledge:{name}-list",
            )
            for name, model in RECORD_TYPES.items()
        ]

    @cached_property
    def recent(self):
        recent = []
        for model in (Mission, Case, Norm, Document, Organisation, Concept):
            recent += model.objects.published().order_by("-updated_at")[:6]
        recent.sort(key=lambda record: record.updated_at, reverse=True)
        return recent[:8]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pagecache.fragment_context(),
            conceptions=CONCEPTIONS,
        )
        return context
