"""The whole published dataset in bulk: JSON (all of it, or per type) and CSV per type,
stamped with a dataset version and the generation date, plus the codebook.

The JSON records are exactly the API's detail representations, so a harvester and an API
client read the same shapes. CSV files flatten them: related records become their slugs
joined by "; ", and citations and classifications get tables of their own.

The dataset version changes whenever anything published changes: it is read from the
content generation (apps/core/versions.py, the source every cache and ETag reads), and
named once per generation from the number of published records of each type and the
time of the latest change (a name that survives a cache flush). It is also the cache
key: an export is built once per version.

Every version stays downloadable at /api/v1/export/<version>/: the whole dataset as it
was, stored once (models/snapshots.py) after the commit that made it current, or by the
first request that finds it missing, and answered byte for byte ever after.
"""

import csv
import gzip
import hashlib
import inspect
import io
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Choices, Count, Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from apps.core import pagecache
from apps.core import versions as content_versions

from .. import codebook as codebook_rules
from ..importers import _defuse as defuse_formula
from ..models import (
    DatasetSnapshot,
    MandateTask,
)
from ..models import choices as choices_module
from ..registry import RECORD_MODELS, RECORD_TYPES
from .exceptions import Gone
from .serializers import ErrorSerializer, ExportIndexSerializer
from .views import (
    CitationViewSet,
    ClassificationViewSet,
    ReadOnlyAPIView,
    _load_records_of_classifications,
    citation_queryset,
    classification_queryset,
)

logger = logging.getLogger(__name__)

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


def dataset_stamp() -> Stamp:
    """The dataset version of the current content generation: named once per
    generation (the aggregate queries run after each publish, not on each request)."""
    key = f"dataset-stamp:{content_versions.current_generation()}"
    stamp = cache.get(key)
    if stamp is None:
        stamp = _name_version()
        cache.set(key, stamp, content_versions.TIMEOUT)
    return stamp


def _name_version() -> Stamp:
    """The date of the latest published change and a short hash of what is published
    (one aggregate query per type)."""
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


# --------------------------------------------------------------------------- versions


def archive_limit():
    """How many compressed bytes of past versions are kept (PKB_DATASET_ARCHIVE_MB)."""
    return settings.PKB_DATASET_ARCHIVE_MB * 1024 * 1024


def current_snapshot():
    """The stored snapshot of the current dataset version, stored now if missing. None
    only if the published content kept changing while it was being built."""
    for _attempt in range(2):
        stamp = dataset_stamp()
        found = DatasetSnapshot.objects.defer("body").filter(version=stamp.version)
        if found:
            return found[0]
        # Addresses relative to the site: the same file whichever host name served it.
        body = build("dataset", "json", None, stamp).encode()
        if dataset_stamp() == stamp:  # nothing was published meanwhile
            return _store(stamp, body)
    return None


def _store(stamp, body):
    packed = gzip.compress(body, mtime=0)
    try:
        with transaction.atomic():
            snapshot = DatasetSnapshot.objects.create(
                version=stamp.version,
                last_modified=stamp.last_modified,
                size=len(body),
                sha256=hashlib.sha256(body).hexdigest(),
                body=packed,
                stored_bytes=len(packed),
            )
    except IntegrityError:  # another process stored this version first
        return DatasetSnapshot.objects.defer("body").get(version=stamp.version)
    _drop_oldest_beyond_limit()
    return snapshot


def _drop_oldest_beyond_limit():
    """Keep the newest versions within the storage bound; the oldest lose their body
    (their row, date and checksum stay, and they answer 410). The newest is always kept."""
    kept, limit, dropped = 0, archive_limit(), []
    rows = DatasetSnapshot.objects.filter(body__isnull=False).values_list(
        "pk", "stored_bytes"
    )
    for index, (pk, stored) in enumerate(rows):  # newest first
        kept += stored
        if index and kept > limit:
            dropped.append(pk)
    if dropped:
        DatasetSnapshot.objects.filter(pk__in=dropped).update(body=None, stored_bytes=0)


def store_version_after_commit():
    """After the commit of a change to public content, store the version it made
    current (once per transaction; a failure is logged, never the write's error)."""
    if not settings.PKB_DATASET_VERSIONS_ON_COMMIT:
        return
    connection = transaction.get_connection()
    if any(func is _store_current for _, func, *_ in connection.run_on_commit):
        return
    transaction.on_commit(_store_current)


def _store_current():
    try:
        current_snapshot()
    except Exception:
        # The next request for the version stores it (current_snapshot is lazy too).
        logger.exception("could not store the published dataset version")


def versions(request):
    """Every stored version, newest first, with its address."""
    return [
        {
            "version": snapshot.version,
            "last_modified": snapshot.last_modified,
            "stored_at": snapshot.created_at,
            "size": snapshot.size,
            "sha256": snapshot.sha256,
            "available": snapshot.stored_bytes > 0,
            "url": request.build_absolute_uri(
                reverse("api:export-version", kwargs={"version": snapshot.version})
            ),
        }
        for snapshot in DatasetSnapshot.objects.defer("body")
    ]


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


def to_csv(data, columns=None):
    """Rows as CSV; `columns` names the header when there are no rows to take it from."""
    buffer = io.StringIO()
    if not data and not columns:
        return ""
    columns = [key for key in (data[0] if data else columns) if key not in NESTED]
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
        # Vocabularies with values: not the module's empty base class or its metaclass.
        is_vocabulary = issubclass(cls, Choices) and bool(cls.choices)
        if cls.__module__ != choices_module.__name__ or not is_vocabulary:
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


class DatasetVersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    last_modified = serializers.DateTimeField(
        allow_null=True, help_text="The latest published change in this version."
    )
    stored_at = serializers.DateTimeField()
    size = serializers.IntegerField(help_text="Bytes of the JSON file.")
    sha256 = serializers.CharField(help_text="Checksum of the JSON file.")
    available = serializers.BooleanField(
        help_text="False once the file was dropped to bound storage (410 Gone)."
    )
    url = serializers.URLField()


class ExportCatalogueSerializer(ExportIndexSerializer):
    versions = DatasetVersionSerializer(
        many=True, help_text="Every published dataset version, newest first."
    )


class ExportIndexView(ReadOnlyAPIView):
    """What can be downloaded: every file with its address, the current dataset version,
    and every past version (the whole dataset as it was)."""

    @extend_schema(operation_id="export_index", responses=ExportCatalogueSerializer)
    def get(self, request):
        current_snapshot()  # the current version is listed, and downloadable
        stamp = dataset_stamp()
        self.last_modified = stamp.last_modified
        return Response(
            {
                "dataset": stamp.as_dict(generated=False),
                "files": files(request),
                "versions": versions(request),
            }
        )


class ExportVersionView(ReadOnlyAPIView):
    """The whole published dataset as it was at one version, byte for byte the same at
    every request: cite the version and anyone can fetch what you used."""

    @extend_schema(
        operation_id="export_version",
        parameters=[
            OpenApiParameter(
                "version",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="A version from the export index, e.g. `2026-12-06.1a2b3c4d`.",
            )
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (404, "application/json"): ErrorSerializer,
            (410, "application/json"): ErrorSerializer,
        },
    )
    def get(self, request, version):
        if version == dataset_stamp().version:
            current_snapshot()  # the current version may not be stored yet
        snapshot = DatasetSnapshot.objects.filter(version=version).first()
        if snapshot is None:
            raise exceptions.NotFound(
                "No such dataset version: the export index lists them."
            )
        if snapshot.body is None:
            raise Gone(
                "This version's file was dropped to bound storage; its checksum "
                "is in the export index."
            )
        etag = f'"{snapshot.sha256[:32]}"'  # pagecache.etag(body), stored
        response = HttpResponse(
            gzip.decompress(snapshot.body),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="pkb-dataset-{snapshot.version}.json"'
        )
        response["X-Dataset-Version"] = snapshot.version
        response["ETag"] = etag
        # A version never changes: caches may keep it for a year.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        timestamp = None
        if snapshot.last_modified:
            timestamp = int(snapshot.last_modified.timestamp())
            response["Last-Modified"] = http_date(timestamp)
        return get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
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
        # A filtered file has its own ETag, and is built on demand, not kept.
        etag = pagecache.etag(stamp.version, name, fmt, query)
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
