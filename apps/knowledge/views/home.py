"""The front page."""

from django.utils.functional import cached_property
from django.views.generic import TemplateView

from apps.core import pagecache

from .. import invalidation
from ..models import Source
from ..registry import PAGE_TYPES
from .labels import CONCEPTIONS
from .labels import plural_label


class HomeView(TemplateView):
    """The front page. Its counts and "recently updated" scan every record table and are
    the same for every reader: the template caches them while the versions they show
    hold (invalidation.home_names) and reads these properties only on a miss."""

    template_name = "knowledge/home.html"

    @cached_property
    def counts(self):
        return [
            (
                plural_label(record_type.model),
                record_type.model.objects.published().count(),
                record_type.url_name(),
            )
            for record_type in PAGE_TYPES
        ]

    @cached_property
    def recent(self):
        recent = []
        # Sources are the bibliography, not news: not listed as recently updated.
        for model in (t.model for t in PAGE_TYPES if t.model is not Source):
            recent += model.objects.published().order_by("-updated_at")[:6]
        recent.sort(key=lambda record: record.updated_at, reverse=True)
        return recent[:8]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pagecache.fragment_context(invalidation.home_names()),
            conceptions=CONCEPTIONS,
        )
        return context
