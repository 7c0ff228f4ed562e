"""/api/ (a short guide with curl examples) and /data/ (downloads and the codebook).

The curl examples are data, so the tests run every one of them against the API."""

import json
import shlex
from dataclasses import dataclass
from dataclasses import field

from django.utils import timezone
from django.views.generic import TemplateView

from .. import codebook as codebook_rules
from ..models import Mission
from ..models import Source
from . import export


def _fill(text, slugs):
    for name, slug in slugs.items():
        text = text.replace("{" + name + "}", slug)
    return text


@dataclass(frozen=True)
class Example:
    title: str
    path: str  # may name {mission}, {mission2} and {source}
    method: str = "GET"
    token: bool = False
    body: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)
    if_match: bool = False
    note: str = ""

    def url_path(self, slugs):
        return _fill(self.path, slugs)

    def curl(self, base, slugs):
        parts = ["curl", "-s"]
        if self.method != "GET":
            parts += ["-X", self.method]
        if self.token:
            parts += ["-H", "Authorization: Token $TOKEN"]
        if self.if_match:
            parts += ["-H", 'If-Match: "$ETAG"']
        if self.body:
            parts += ["-H", "Content-Type: application/json"]
            parts += ["-d", _fill(json.dumps(self.body), slugs)]
        for key, value in self.form.items():
            parts += ["-d", f"{key}={value}"]
        parts.append(base + self.url_path(slugs))
        return " ".join(shlex.quote(p) if "$" not in p else f'"{p}"' for p in parts)


EXAMPLES = [
    Example(
        "Post-Westphalian missions run by the OSCE",
        "/api/v1/missions/?organisation=osce&conception=post_westphalian",
        note="Filters take the same names and values as the list pages; several "
        "values are comma-separated (organisation=un,osce).",
    ),
    Example(
        "Missions that started in the 1990s, a few fields, 100 a page",
        "/api/v1/missions/?started_after=1990-01-01&started_before=1999-12-31"
        "&ordering=start&fields=slug,name,start,end,conception&page_size=100",
    ),
    Example(
        "A list as CSV, for a spreadsheet or pandas",
        "/api/v1/missions/?organisation=osce&page_size=100&format=csv",
        note="Or send Accept: text/csv. Same rows and pages as the JSON; the whole "
        "filtered set in one file is /api/v1/export/missions.csv?organisation=osce.",
    ),
    Example(
        "One mission, with its classification and citations",
        "/api/v1/missions/{mission}/",
    ),
    Example(
        "Two missions side by side",
        "/api/v1/compare/records/?ids={mission},{mission2}",
    ),
    Example("Search everything", "/api/v1/search/?q=consent&type=mission,norm"),
    Example(
        "A source as BibTeX (or ris, csl-json)",
        "/api/v1/sources/{source}/cite/?format=bibtex",
    ),
    Example(
        "Everything a mission cites, as RIS for Zotero",
        "/api/v1/missions/{mission}/references/?format=ris",
    ),
    Example(
        "The whole published dataset",
        "/api/v1/export/dataset.json",
        note="Per type as JSON or CSV, and the codebook: see /data/.",
    ),
    Example(
        "Every dataset version, each downloadable as it was",
        "/api/v1/export/",
        note="versions lists them, newest first; /api/v1/export/<version>/ answers "
        "the same bytes every time, so a result can be cited at a version.",
    ),
    Example(
        "Get a token (curators and editors)",
        "/api/v1/auth/token/",
        method="POST",
        form={"username": "$USERNAME", "password": "$PASSWORD"},
        note="DELETE the same address with the token to revoke it.",
    ),
    Example(
        "Submit a new norm: it starts as a draft",
        "/api/v1/norms/",
        method="POST",
        token=True,
        body={
            "slug": "example-norm",
            "name": "Example norm",
            "conception": "contested",
            "summary": "What the norm says. Why it matters.",
            "citations": [
                {
                    "source": "{source}",
                    "claim": "summary",
                    "locator_type": "section",
                    "locator": "Introduction",
                }
            ],
        },
    ),
]


# A student's script: every mission with its classifications, one request per 100
# missions, into a pandas table (one row per classification). The tests run it.
PANDAS_EXAMPLE = """\
import json, urllib.request
import pandas as pd

url = "{base}/api/v1/missions/?include=classifications&page_size=100"
rows = []
while url:
    page = json.load(urllib.request.urlopen(url))
    rows += page["results"]
    url = page["next"]
table = pd.json_normalize(
    rows, record_path="classifications", meta=["slug", "name", "start"],
    record_prefix="classification.",
)
print(table[["slug", "classification.value", "classification.preferred"]])
"""


def example_slugs():
    """Real slugs for the examples on the page."""
    missions = list(
        Mission.objects.published()
        .order_by("start_date")
        .values_list("slug", flat=True)[:2]
    )
    source = Source.objects.published().values_list("slug", flat=True).first()
    missions = (missions or ["unef-i"]) * 2
    return {"mission": missions[0], "mission2": missions[1], "source": source or "x"}


class ApiPageView(TemplateView):
    template_name = "api/api.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = self.request.build_absolute_uri("/").rstrip("/")
        slugs = example_slugs()
        context["examples"] = [
            {"example": example, "curl": example.curl(base, slugs)}
            for example in EXAMPLES
        ]
        context["pandas_example"] = PANDAS_EXAMPLE.replace("{base}", base)
        return context


class DataPageView(TemplateView):
    template_name = "api/data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stamp = export.dataset_stamp()
        context["stamp"] = stamp
        context["generated_at"] = timezone.now()
        tables = {}
        for file in export.files(self.request):
            table = tables.setdefault(
                file["name"],
                {"name": file["name"].replace("-", " "), "count": file["count"]},
            )
            table.setdefault("links", []).append(file)
        context["tables"] = list(tables.values())
        context["rules"] = codebook_rules.RULES
        context["rules_not_signs"] = codebook_rules.NOT_SIGNS
        context["codebook"] = [
            {**scheme, "defined": any(v["definition"] for v in scheme["values"])}
            for scheme in export.codebook()
        ]
        return context
