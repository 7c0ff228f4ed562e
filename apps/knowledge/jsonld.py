"""schema.org JSON-LD for detail pages: what a search engine or a citation tool reads."""

from django.conf import settings

from .models import Case, Concept, Document, Mission, Norm, Organisation, Source

_TYPES = {
    Mission: "Event",
    Case: "Event",
    Norm: "DefinedTerm",
    Concept: "DefinedTerm",
    Document: "Legislation",
    Organisation: "Organization",
}
_SOURCE_TYPES = {
    "book": "Book",
    "chapter": "Chapter",
    "article": "ScholarlyArticle",
    "report": "Report",
    "webpage": "WebPage",
    "dataset": "Dataset",
}


def _person(creator):
    return {"@type": "Person", "familyName": creator.family, "givenName": creator.given}


def for_record(record, url):
    """The record as a schema.org item, nested in the web page that describes it."""
    item = {"@type": _TYPES.get(type(record), "CreativeWork"), "name": record.name}
    if isinstance(record, Mission | Case):
        if record.start_date:
            item["startDate"] = record.start_date.isoformat()[
                : _length(record.start_precision)
            ]
        if record.end_date:
            item["endDate"] = record.end_date.isoformat()[
                : _length(record.end_precision)
            ]
    if isinstance(record, Mission) and record.acronym:
        item["alternateName"] = record.acronym
    if isinstance(record, Organisation) and record.acronym:
        item["alternateName"] = record.acronym
    if isinstance(record, Norm | Concept):
        item["inDefinedTermSet"] = settings.SITE_NAME
    if isinstance(record, Document):
        if record.symbol:
            item["legislationIdentifier"] = record.symbol
        if record.date:
            item["legislationDate"] = record.date.isoformat()[
                : _length(record.date_precision)
            ]
    if isinstance(record, Source):
        item["@type"] = _SOURCE_TYPES.get(record.kind, "CreativeWork")
        item["author"] = [_person(c) for c in record.authors()]
        if record.year:
            item["datePublished"] = str(record.year)
        if record.container_title:
            item["isPartOf"] = {"@type": "CreativeWork", "name": record.container_title}
        if record.doi:
            item["sameAs"] = f"https://doi.org/{record.doi}"
    # The same thing in other datasets (Wikidata, UCDP, PA-X), after a DOI if any.
    same_as = [item["sameAs"]] if "sameAs" in item else []
    same_as += [address for _dataset, _id, address in record.external_links]
    if same_as:
        item["sameAs"] = same_as[0] if len(same_as) == 1 else same_as
    page = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "url": url,
        "name": str(record),
        "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME},
        "mainEntity": item,
    }
    if record.updated_at:
        page["dateModified"] = record.updated_at.date().isoformat()
    if record.last_reviewed:
        page["lastReviewed"] = record.last_reviewed.isoformat()
    return page


def _length(precision):
    return {"year": 4, "month": 7}.get(precision, 10)
