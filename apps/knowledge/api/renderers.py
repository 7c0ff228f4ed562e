"""Citation export formats as DRF renderers: `?format=csl-json|bibtex|ris` (or Accept)."""

import json

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.renderers import BrowsableAPIRenderer

from ..citeformats import to_bibtex
from ..citeformats import to_csl_json
from ..citeformats import to_ris


class PageRenderer(BaseRenderer):
    """A renderer for what a view answers; errors, and OPTIONS's description of the
    endpoint, are not pages: they stay JSON in the one error shape."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        request = context.get("request")
        if (response is not None and response.status_code >= 400) or (
            request is not None and request.method == "OPTIONS"
        ):
            response["Content-Type"] = "application/json"
            return json.dumps(data).encode("utf-8")
        return self.render_page(data, response, context.get("view"))

    def render_page(self, data, response, view):
        raise NotImplementedError


class CitationRenderer(PageRenderer):
    """Renders a list of CSL-JSON items with `convert`."""

    extension = ""

    def convert(self, items):
        raise NotImplementedError

    def render_page(self, data, response, view):
        if response is not None and view is not None:
            name = view.kwargs.get("slug") or "sources"
            response["Content-Disposition"] = (
                f'inline; filename="{name}.{self.extension}"'
            )
        return self.convert(data or []).encode("utf-8")


# The citation formats, the same but for these: ?format= value, media type, file
# extension, and the converter of CSL-JSON items.
CITATION_FORMATS = {
    "csl-json": ("application/vnd.citationstyles.csl+json", "json", to_csl_json),
    "bibtex": ("application/x-bibtex", "bib", to_bibtex),
    "ris": ("application/x-research-info-systems", "ris", to_ris),
}
CITATION_RENDERERS = [
    type(
        f"CitationRenderer[{name}]",
        (CitationRenderer,),
        {
            "format": name,
            "media_type": media_type,
            "extension": extension,
            "convert": staticmethod(convert),
        },
    )
    for name, (media_type, extension, convert) in CITATION_FORMATS.items()
]


class ListCSVRenderer(PageRenderer):
    """`Accept: text/csv` (or `?format=csv`) on a list: the same page of rows as the JSON,
    with the same filters, ordering and paging (the other pages are in the Link header,
    the total in X-Total-Count), flattened as the CSV exports are: related records as
    slugs joined by "; ", nested citations and classifications left out. Errors stay
    JSON in the one error shape."""

    media_type = "text/csv"
    format = "csv"

    def render_page(self, data, response, view):
        from .export import to_csv  # export builds on the views, which use this

        rows = data.get("results", []) if isinstance(data, dict) else data or []
        columns = None
        if not rows and view is not None:  # the header row even for an empty page
            columns = list(view.get_serializer().fields)
        if response is not None and isinstance(data, dict) and "count" in data:
            response["X-Total-Count"] = str(data["count"])
        return to_csv(rows, columns=columns).encode("utf-8")


class RawFormBrowsableAPIRenderer(BrowsableAPIRenderer):
    """The browsable API with the raw JSON form only. DRF's HTML form cannot render the
    records' nested {slug, name, url} summaries (it failed with "unhashable type: dict"
    for every curator); writers send the same JSON the API documents."""

    def render_form_for_serializer(self, serializer):
        return None


class StrictContentNegotiation(DefaultContentNegotiation):
    """An empty `?format=` is a 404 like any other format the endpoint does not offer
    (DRF would quietly answer the default format)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) == "":
            raise Http404("No such format: leave ?format= out, or name a format.")
        return super().select_renderer(request, renderers, format_suffix)
