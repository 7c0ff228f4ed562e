"""Citation export formats as DRF renderers: `?format=csl-json|bibtex|ris` (or Accept)."""

import json

from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer

from .. import citeformats


class CitationRenderer(BaseRenderer):
    """Renders a list of CSL-JSON items; errors stay JSON in the one error shape."""

    charset = "utf-8"
    extension = ""

    def convert(self, items):
        raise NotImplementedError

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        request = context.get("request")
        if (response is not None and response.status_code >= 400) or (
            request is not None and request.method == "OPTIONS"
        ):
            # Errors, and OPTIONS's description of the endpoint, are not citations.
            response["Content-Type"] = "application/json"
            return json.dumps(data).encode("utf-8")
        view = context.get("view")
        if response is not None and view is not None:
            name = view.kwargs.get("slug") or "sources"
            response["Content-Disposition"] = (
                f'inline; filename="{name}.{self.extension}"'
            )
        return self.convert(data or []).encode("utf-8")


class CSLJSONRenderer(CitationRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csl-json"
    extension = "json"

    def convert(self, items):
        return citeformats.to_csl_json(items)


class BibTeXRenderer(CitationRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    extension = "bib"

    def convert(self, items):
        return citeformats.to_bibtex(items)


class RISRenderer(CitationRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"
    extension = "ris"

    def convert(self, items):
        return citeformats.to_ris(items)


CITATION_RENDERERS = [CSLJSONRenderer, BibTeXRenderer, RISRenderer]


class RawFormBrowsableAPIRenderer(BrowsableAPIRenderer):
    """The browsable API with the raw JSON form only. DRF's HTML form cannot render the
    records' nested {slug, name, url} summaries (it failed with "unhashable type: dict"
    for every curator); writers send the same JSON the API documents."""

    def render_form_for_serializer(self, serializer):
        return None
