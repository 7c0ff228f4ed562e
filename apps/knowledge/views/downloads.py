""" "Cite this page" downloads: BibTeX, RIS and CSL-JSON."""

from django.http import Http404
from django.http import HttpResponse

from apps.core.errors import reads_only

from .. import citeformats
from ..models import Source
from ..registry import by_name

CITE_FORMATS = {
    "bib": ("BibTeX", citeformats.to_bibtex, "application/x-bibtex"),
    "ris": ("RIS", citeformats.to_ris, "application/x-research-info-systems"),
    "json": (
        "CSL-JSON",
        citeformats.to_csl_json,
        "application/vnd.citationstyles.csl+json",
    ),
}


@reads_only
def cite_download(request, model_name, slug, ext):
    record_type = by_name(model_name)
    if record_type is None or not record_type.has_pages or ext not in CITE_FORMATS:
        raise Http404("No such citation format.")
    model = record_type.model
    try:
        record = model.objects.published().get(slug=slug)
    except model.DoesNotExist as error:
        raise Http404("No published record here.") from error
    if model is Source:
        item = citeformats.source_csl(record)
    else:
        item = citeformats.record_csl(
            record, request.build_absolute_uri(record.get_absolute_url())
        )
    _, render_items, content_type = CITE_FORMATS[ext]
    response = HttpResponse(
        render_items([item]), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}.{ext}"'
    return response
