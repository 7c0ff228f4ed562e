"""sitemap.xml: the public pages and every published record, nothing else."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Case, Concept, Document, Mission, Norm, Organisation, Source


class PagesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return [
            "knowledge:home",
            "knowledge:compare",
            "knowledge:timeline",
            "knowledge:about",
            "knowledge:mission-list",
            "knowledge:case-list",
            "knowledge:norm-list",
            "knowledge:document-list",
            "knowledge:organisation-list",
            "knowledge:concept-list",
            "knowledge:source-list",
        ]

    def location(self, item):
        return reverse(item)


class RecordSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6
    model = None

    def items(self):
        return self.model.objects.published().order_by("pk")

    def lastmod(self, record):
        return record.updated_at


def record_sitemap(model):
    return type(f"{model.__name__}Sitemap", (RecordSitemap,), {"model": model})


SITEMAPS = {
    "pages": PagesSitemap,
    **{
        model._meta.model_name: record_sitemap(model)
        for model in (Mission, Case, Norm, Document, Organisation, Concept, Source)
    },
}
