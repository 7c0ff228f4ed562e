"""schema.org JSON-LD for detail pages: what a search engine or a citation tool reads."""

from django.conf import settings

from .models import Case
from .models import Concept
from .models import Document
from .models import Mission
from .models import Norm
from .models import Organisation
from .models import Source

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


def _partial_date(value, precision):
    """An ISO date cut to what is known: 1956, 1956-11 or 1956-11-15."""
    return value.isoformat()[: _length(precision)]


def _event(record):
    item = {}
    if record.start_date:
        item["startDate"] = _partial_date(record.start_date, record.start_precision)
    if record.end_date:
        item["endDate"] = _partial_date(record.end_date, record.end_precision)
    return item


def _acronym(record):
    return {"alternateName": record.acronym} if record.acronym else {}


def _mission(record):
    return {**_event(record), **_acronym(record)}


def _defined_term(record):
    return {"inDefinedTermSet": settings.SITE_NAME}


def _document(record):
    item = {}
    if record.symbol:
        item["legislationIdentifier"] = record.symbol
    if record.date:
        item["legislationDate"] = _partial_date(record.date, record.date_precision)
    return item


def _source(record):
    item = {
        "@type": _SOURCE_TYPES.get(record.kind, "CreativeWork"),
        "author": [_person(c) for c in record.authors()],
    }
    if record.year:
        item["datePublished"] = str(record.year)
    if record.container_title:
        item["isPartOf"] = {"@type": "CreativeWork", "name": record.container_title}
    if record.doi:
        item["sameAs"] = f"https://doi.org/{record.doi}"
    return item


# What each record type adds to its schema.org item.
_DETAILS = {
    Mission: _mission,
    Case: _event,
    Organisation: _acronym,
    Norm: _defined_term,
    Concept: _defined_term,
    Document: _document,
    Source: _source,
}


def _same_as(item, record):
    """The same thing in other datasets (Wikidata, UCDP, PA-X), after a DOI if any."""
    same_as = [item["sameAs"]] if "sameAs" in item else []
    same_as += [address for _dataset, _id, address in record.external_links]
    if same_as:
        item["sameAs"] = same_as[0] if len(same_as) == 1 else same_as


def for_record(record, url):
    """The record as a schema.org item, nested in the web page that describes it."""
    item = {"@type": _TYPES.get(type(record), "CreativeWork"), "name": record.name}
    details = _DETAILS.get(type(record))
    if details is not None:
        item.update(details(record))
    _same_as(item, record)
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
