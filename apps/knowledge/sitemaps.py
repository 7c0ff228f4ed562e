"""sitemap.xml: the public pages and every published record, nothing else."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .registry import PAGE_TYPES


class PagesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return [
            "knowledge:home",
            "knowledge:compare",
            "knowledge:timeline",
            "knowledge:about",
            *(record_type.url_name() for record_type in PAGE_TYPES),
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
    **{t.name: record_sitemap(t.model) for t in PAGE_TYPES},
}
