"""The whole published dataset in bulk: JSON (all of it, or per type) and CSV per type,
stamped with a dataset version and the generation date, plus the codebook.

The JSON records are exactly the API's detail representations, so a harvester and an API
client read the same shapes. CSV files flatten them: related records become their slugs
joined by "; ", and citations and classifications get tables of their own.

The dataset version changes whenever anything published changes (it is derived from the
number of published records of each type and the time of the latest change), so it is
also the cache key: an export is built once per version.
"""

import csv
import hashlib
import inspect
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from .. import codebook as codebook_rules
from ..importers import _defuse as defuse_formula
from ..models import (
    MandateTask,
)
from ..models import choices as choices_module
from ..registry import RECORD_MODELS, RECORD_TYPES
from .serializers import ExportIndexSerializer
from .views import (
    CitationViewSet,
    ClassificationViewSet,
    ReadOnlyAPIView,
    _load_records_of_classifications,
    citation_queryset,
    classification_queryset,
)

RECORD_VIEWSETS = {t.api_path: t.viewset for t in RECORD_TYPES}
LINK_TABLES = {"citations": CitationViewSet, "classifications": ClassificationViewSet}
TABLES = [*RECORD_VIEWSETS, *LINK_TABLES]
FORMATS = {"json": "application/json", "csv": "text/csv"}


# --------------------------------------------------------------------------- version


@dataclass(frozen=True)
class Stamp:
    version: str
    last_modified: object  # datetime or None

    def as_dict(self, *, generated=True):
        """The stamp; `generated` adds the time a file was built (not in the index, whose
        ETag would otherwise change every second)."""
        stamp = {
            "name": settings.SITE_NAME,
            "version": self.version,
            "last_modified": self.last_modified.isoformat()
            if self.last_modified
            else None,
        }
        if generated:
            stamp["generated_at"] = timezone.now().replace(microsecond=0).isoformat()
        return stamp


def dataset_stamp():
    """The dataset version: the date of the latest published change and a short hash of
    what is published (one aggregate query per type)."""
    parts, latest = [], None
    for model in RECORD_MODELS:
        row = model.objects.published().aggregate(
            n=Count("pk"), latest=Max("updated_at")
        )
        parts.append(f"{model._meta.model_name}:{row['n']}:{row['latest']}")
        if row["latest"] and (latest is None or row["latest"] > latest):
            latest = row["latest"]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:8]
    day = latest.strftime("%Y-%m-%d") if latest else "empty"
    return Stamp(version=f"{day}.{digest}", last_modified=latest)


# --------------------------------------------------------------------------- records


def _context(request):
    # `whole`: every related record, not the capped lists of the API's details.
    return {"request": request, "sparse": False, "whole": True}


def filtered(viewset, params):
    """The published records of a type that match the list filters in `params` (the
    list pages' and the API lists' own parameters); a 400 for anything else."""
    queryset = viewset.model.objects.published()
    if not params:
        return queryset
    filterset = viewset.filterset_class(params, queryset=queryset)
    unknown = sorted(set(params) - set(filterset.base_filters))
    if unknown:
        valid = ", ".join(sorted(filterset.base_filters))
        raise exceptions.ValidationError(
            {
                name: [f"Unknown parameter. Valid parameters: {valid}."]
                for name in unknown
            }
        )
    if not filterset.is_valid():
        raise exceptions.ValidationError(filterset.errors)
    return filterset.qs


def record_rows(name, request):
    """The published records of one type, as the API's detail representations; the
    request's query filters them as the type's list would be."""
    viewset = RECORD_VIEWSETS[name]
    params = request.GET if request is not None else None
    queryset = viewset.with_detail(filtered(viewset, params), whole=True).order_by(
        "slug"
    )
    return viewset.serializer_class(queryset, many=True, context=_context(request)).data


def link_rows(name, request):
    """Citations or classifications of published records (whoever asks)."""
    if name == "citations":
        queryset = list(citation_queryset(AnonymousUser()))
        _load_records_of_classifications(queryset)
    else:
        queryset = list(classification_queryset(AnonymousUser()))
    serializer = LINK_TABLES[name].serializer_class
    return serializer(queryset, many=True, context=_context(request)).data


def rows(name, request):
    if name in RECORD_VIEWSETS:
        return record_rows(name, request)
    return link_rows(name, request)


def _cell(value):
    """One CSV cell: summaries become slugs, lists are joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if (
            "type" in value and "slug" in value
        ):  # a citation's or classification's record
            return f"{value['type']}:{value['slug']}"
        if "slug" in value:
            return value["slug"]
        if "family" in value:
            return ", ".join(p for p in (value["family"], value.get("given")) if p)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value)
    # A spreadsheet would run "=..." as a formula: the same defusing as the admin's CSV.
    return defuse_formula(str(value))


NESTED = {"citations", "classifications", "cite"}


def to_csv(data):
    buffer = io.StringIO()
    if not data:
        return ""
    columns = [key for key in data[0] if key not in NESTED]
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in data:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


# --------------------------------------------------------------------------- codebook


def _fields_using(choices):
    from django.apps import apps

    used = []
    for model in apps.get_app_config("knowledge").get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if getattr(field, "choices", None) and list(field.choices) == list(
                choices.choices
            ):
                used.append(f"{model._meta.model_name}.{field.name}")
    return used


def codebook():
    """Every coded enumeration with its values, labels and definitions, from the
    TextChoices in models/choices.py, and the mandate-task vocabulary."""
    schemes = []
    for name, cls in inspect.getmembers(choices_module, inspect.isclass):
        if cls.__module__ != choices_module.__name__ or not hasattr(cls, "choices"):
            continue
        definitions = getattr(cls, "DEFINITIONS", {})
        schemes.append(
            {
                "name": name,
                "description": inspect.cleandoc(cls.__doc__ or "")
                if cls.__doc__ and "TextChoices" not in (cls.__doc__ or "")
                else "",
                "fields": _fields_using(cls),
                "values": [
                    {
                        "value": value,
                        "label": label,
                        "definition": definitions.get(value, ""),
                    }
                    for value, label in cls.choices
                ],
            }
        )
    tasks = [
        {
            "value": task.slug,
            "label": task.name,
            "definition": task.description,
            "conception": task.conception,
        }
        for task in MandateTask.objects.order_by("position", "name")
    ]
    schemes.append(
        {
            "name": "ClassificationBasis",
            "description": "Whose judgement a classification is "
            "(classification.basis).",
            "fields": ["classification.basis"],
            "values": [
                {"value": value, "label": label, "definition": ""}
                for value, label in codebook_rules.Basis.choices
            ],
        }
    )
    schemes.append(
        {
            "name": "DecisionRule",
            "description": "The rules curators apply when the basis is curators "
            "(classification.rule). " + codebook_rules.NOT_SIGNS,
            "fields": ["classification.rule"],
            "values": [
                {
                    "value": rule.slug,
                    "label": rule.label,
                    "definition": f"Gives {rule.value_label}. {rule.test} {rule.reading}",
                    "conception": rule.value,
                }
                for rule in codebook_rules.RULES
            ],
        }
    )
    schemes.append(
        {
            "name": "MandateTask",
            "description": "What a mission is asked to do (mission.mandate_tasks).",
            "fields": ["mission.mandate_tasks"],
            "values": tasks,
        }
    )
    return schemes


def codebook_csv(schemes):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["scheme", "fields", "value", "label", "definition"])
    for scheme in schemes:
        for value in scheme["values"]:
            writer.writerow(
                [
                    scheme["name"],
                    "; ".join(scheme["fields"]),
                    value["value"],
                    value["label"],
                    value["definition"],
                ]
            )
    return buffer.getvalue()


# --------------------------------------------------------------------------- files


def build(name, fmt, request, stamp):
    """The body of one export file, as text."""
    meta = stamp.as_dict()
    if name == "codebook":
        schemes = codebook()
        if fmt == "csv":
            return codebook_csv(schemes)
        return _json({"dataset": meta, "codebook": schemes})
    if name == "dataset":
        body = {"dataset": meta}
        for table in RECORD_VIEWSETS:
            body[table.replace("-", "_")] = rows(table, request)
        return _json(body)
    data = rows(name, request)
    if fmt == "csv":
        return to_csv(data)
    return _json(
        {"dataset": {**meta, "type": name, "count": len(data)}, "records": data}
    )


def _json(body):
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1) + "\n"


def files(request):
    """What /export/ offers: (name, format, url, count or None)."""
    counts = {
        name: viewset.model.objects.published().count()
        for name, viewset in RECORD_VIEWSETS.items()
    }
    offered = [("dataset", "json", None)]
    for name in TABLES:
        for fmt in FORMATS:
            offered.append((name, fmt, counts.get(name)))
    offered += [("codebook", "json", None), ("codebook", "csv", None)]
    return [
        {
            "name": name,
            "format": fmt,
            "url": request.build_absolute_uri(
                reverse("api:export-file", kwargs={"name": name, "fmt": fmt})
            ),
            "count": count,
        }
        for name, fmt, count in offered
    ]


class ExportIndexView(ReadOnlyAPIView):
    """What can be downloaded: every file with its address, and the dataset version."""

    @extend_schema(operation_id="export_index", responses=ExportIndexSerializer)
    def get(self, request):
        stamp = dataset_stamp()
        self.last_modified = stamp.last_modified
        return Response(
            {"dataset": stamp.as_dict(generated=False), "files": files(request)}
        )


class ExportFileView(ReadOnlyAPIView):
    """One export file. `dataset.json` is everything published; `<type>.json|csv` one
    type; `citations` and `classifications` the links; `codebook.json|csv` the codes."""

    @extend_schema(
        operation_id="export_file",
        parameters=[
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=["dataset", *TABLES, "codebook"],
            ),
            OpenApiParameter(
                "fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(FORMATS)
            ),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request, name, fmt):
        if fmt not in FORMATS or name not in {"dataset", "codebook", *TABLES}:
            raise exceptions.NotFound("No such export file.")
        if name == "dataset" and fmt != "json":
            raise exceptions.NotFound("The whole dataset is offered as JSON only.")
        if request.GET and name not in RECORD_VIEWSETS:
            raise exceptions.ValidationError(
                {"non_field_errors": ["Filters apply to the files of one record type."]}
            )
        stamp = dataset_stamp()
        query = request.GET.urlencode()
        if query:  # a filtered file: its own ETag, built on demand, not kept
            digest = hashlib.sha256(query.encode()).hexdigest()[:12]
            etag = f'"{stamp.version}-{name}-{fmt}-{digest}"'
        else:
            etag = f'"{stamp.version}-{name}-{fmt}"'
        timestamp = (
            int(stamp.last_modified.timestamp()) if stamp.last_modified else None
        )
        key = f"api-export:{stamp.version}:{request.get_host()}:{name}.{fmt}"
        body = None if query else cache.get(key)
        if body is None:
            body = build(name, fmt, request, stamp)
            if not query:
                cache.set(key, body, 3600)
        response = HttpResponse(body, content_type=f"{FORMATS[fmt]}; charset=utf-8")
        filename = f"pkb-{name}-{stamp.version}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Dataset-Version"] = stamp.version
        response["ETag"] = etag
        if timestamp:
            response["Last-Modified"] = http_date(timestamp)
        return get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )
