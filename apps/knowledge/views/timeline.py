"""The timeline of missions."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from .. import filters
from .. import timeline
from ..codebook import Basis
from ..models import Classification
from ..models import Mission
from ..models.choices import Conception
from .facets import facet_block
from .facets import filters_in_words
from .lists import basis_citations
from .query_strings import CanonicalQueryMixin
from .query_strings import api_url
from .query_strings import encode_query
from .querysets import DATED_ROW_FIELDS

# Bars drawn at most: a chart a reader can follow (each bar is a row of the SVG and
# of the table), about twice the curated collection's 24 dated missions; the facets
# narrow larger sets.
TIMELINE_LIMIT = 50


def undated_count(facets, filterset) -> int:
    """How many missions matching the filters have no start date: the decade facet's
    "Not coded" count, which counts under every filter but the decade's own. So it is
    the answer unless a decade filter applies without "none" (then no undated mission
    matches). An invalid decade filter is not applied, as the page's queryset ignores it."""
    decades = filterset.form.cleaned_data.get("decade") if filterset.is_bound else None
    if decades and filters.NOT_CODED not in decades:
        return 0
    for group in facets:
        if group.param == "decade":
            for value in group.values:
                if value.value == filters.NOT_CODED:
                    return value.count
    return 0


def preferred_classifications(missions) -> dict:
    """{mission id: its preferred classification}, from one query of the columns a row
    shows (no queryset per mission, no model built per row): rows coded alike share
    one unsaved instance, and an author's classification, which names its citations
    (basis_citations), has its own."""
    if not missions:
        return {}
    rows = (
        Classification.objects.filter(
            preferred=True,
            content_type=ContentType.objects.get_for_model(Mission),
            object_id__in=[mission.pk for mission in missions],
        )
        .values_list("pk", "object_id", "value", "basis", "rule")
        .order_by()
    )
    found: dict = {}
    shared: dict = {}
    by_author = []
    for pk, object_id, value, basis, rule in rows:
        if basis == Basis.AUTHOR:
            found[object_id] = Classification(pk=pk, value=value, basis=basis)
            by_author.append(found[object_id])
            continue
        if (value, basis, rule) not in shared:
            shared[value, basis, rule] = Classification(
                value=value, basis=basis, rule=rule
            )
        found[object_id] = shared[value, basis, rule]
    if by_author:
        prefetch_related_objects(by_author, basis_citations())
    return found


class TimelineView(CanonicalQueryMixin, TemplateView):
    template_name = "knowledge/timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = Mission.objects.published()
        filterset = filters.MissionFilter(self.params or None, queryset=base)
        dated = filterset.qs.filter(start_date__isnull=False)
        facets_html, facets, matching = facet_block(
            filters.MissionFilter,
            self.params,
            base,
            path=self.request.path,
            active=bool(self.params),
            count_active=False,
        )
        undated_params = {**self.params, "decade": filters.NOT_CODED}
        # An SVG of thousands of bars is neither readable nor cheap: draw the first
        # TIMELINE_LIMIT and say how to narrow the rest down with the facets.
        missions = list(
            dated.order_by("start_date", "name").only(*DATED_ROW_FIELDS, "acronym")[
                :TIMELINE_LIMIT
            ]
        )
        chart = timeline.build(
            missions,
            preferred_classifications(missions),
            today=timezone.localdate(),
        )
        # Missions with no start cannot be drawn: say how many, and link to them. Both
        # numbers come from the facets' cached counts, not from counts of their own.
        undated = undated_count(facets, filterset)
        total = matching - undated
        context.update(
            facets_html=facets_html,
            facets=facets,
            filters_in_words=filters_in_words(facets, self.params, filterset),
            chart=chart,
            bars_svg=timeline.bars_svg(chart) if chart else "",
            table_rows=timeline.table_rows(chart) if chart else "",
            missions=missions,
            total=total,
            params=self.params,
            errors=filterset.errors,
            active=bool(self.params),
            clear_url=self.request.path,
            api_url=api_url("mission", self.params),
            conceptions=Conception.choices,
            undated=undated,
            undated_url=reverse("knowledge:mission-list")
            + "?"
            + encode_query(undated_params),
        )
        return context
