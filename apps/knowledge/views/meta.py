"""About the site: the coding scheme from live data, and robots.txt."""

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView

from apps.core.errors import reads_only
from apps.core.models import published_q

from ..api.querysets import citation_queryset
from ..dimensions import CASE_DIMENSIONS
from ..dimensions import CONCEPTION
from ..dimensions import MISSION_DIMENSIONS
from ..models import Case
from ..models import MandateTask
from ..models import Mission
from ..models import Norm
from ..models import Source
from ..models.choices import Conception
from ..models.choices import NormConception


def _value_counts(queryset, field):
    return dict(
        queryset.values_list(field).annotate(n=Count("pk", distinct=True)).order_by()
    )


def _classification_counts(model):
    return _value_counts(
        model.objects.published().filter(classifications__preferred=True),
        "classifications__value",
    )


class AboutView(TemplateView):
    template_name = "knowledge/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["corrections_email"] = settings.CORRECTIONS_EMAIL
        missions = Mission.objects.published()
        mission_counts = _classification_counts(Mission)
        case_counts = _classification_counts(Case)
        scheme = [
            {
                "dimension": CONCEPTION,
                "applies": "missions and cases (preferred classification)",
                "values": [
                    {
                        "value": value,
                        "label": label,
                        "definition": Conception.DEFINITIONS.get(value, ""),
                        "counts": [
                            ("missions", mission_counts.get(value, 0), "mission"),
                            ("cases", case_counts.get(value, 0), "case"),
                        ],
                    }
                    for value, label in Conception.choices
                ],
            }
        ]
        for dimensions, queryset, noun in (
            (MISSION_DIMENSIONS, missions, "mission"),
            (CASE_DIMENSIONS, Case.objects.published(), "case"),
        ):
            for dimension in dimensions:
                if dimension is CONCEPTION or not dimension.choices:
                    continue
                counts = _value_counts(queryset, dimension.key)
                scheme.append(
                    {
                        "dimension": dimension,
                        "applies": f"{noun}s",
                        "values": [
                            {
                                "value": value,
                                "label": label,
                                "definition": dimension.definitions().get(value, ""),
                                "counts": [(f"{noun}s", counts.get(value, 0), noun)],
                            }
                            for value, label in dimension.choices.choices
                        ],
                    }
                )
        norm_counts = _value_counts(Norm.objects.published(), "conception")
        tasks = MandateTask.objects.annotate(
            n=Count("missions", filter=published_q("missions__"), distinct=True)
        )
        context.update(
            scheme=scheme,
            norm_conceptions=[
                {
                    "value": value,
                    "label": label,
                    "definition": NormConception.DEFINITIONS.get(value, ""),
                    "count": norm_counts.get(value, 0),
                }
                for value, label in NormConception.choices
            ],
            tasks=tasks,
            totals={
                "missions": missions.count(),
                "cases": Case.objects.published().count(),
                "sources": Source.objects.published().count(),
                # Citations of published records (and their classifications) only.
                "citations": citation_queryset(None).count(),
            },
            site_name=settings.SITE_NAME,
        )
        return context


# Robots ---------------------------------------------------------------------------------


@reads_only
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("knowledge:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /cite/",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
