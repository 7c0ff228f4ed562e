"""The REST API: one viewset per record type, plus comparison, search and citations.

Every queryset starts from `querysets.visible()` (published only, unless the user edits
that type) and loads related records from `.published()`; filters are the shared
FilterSets of the public list pages; writes hand the record's canonical dict to
`services.write_record`; publishing goes through `services.record_publish`.
"""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework import mixins
from rest_framework import permissions
from rest_framework import status
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from .. import citeformats
from .. import invalidation
from .. import limits
from .. import registry
from .. import services
from ..filters import split_values
from ..models import Case
from ..models import Citation
from ..models import Classification
from ..models import ComparisonRow
from ..models import Concept
from ..models import Document
from ..models import KnowledgeRecord
from ..models import Mission
from ..models import Norm
from ..models import Organisation
from ..models import Revision
from ..models import Source
from ..models.choices import ComparisonSection
from ..models.choices import Conception
from ..models.records import PERIOD_DATES
from ..search import SEARCH_TYPES
from ..search import find
from ..visibility import visible
from . import serializers as s
from .conditional import ConditionalMixin
from .conditional import etag_for
from .conditional import latest_change
from .exceptions import Conflict
from .exceptions import RulesNotMet
from .exceptions import django_validation_errors
from .filters import LIST_PARAMETERS
from .filters import CitationFilter
from .filters import ClassificationFilter
from .parsers import BoundedJSONParser
from .querysets import citation_queryset
from .querysets import classification_queryset
from .querysets import classifications
from .querysets import classifications_with_citations
from .querysets import latest_update
from .querysets import listed
from .querysets import load_capped
from .querysets import load_citations
from .querysets import load_classifications
from .querysets import load_lists
from .querysets import load_row_summaries
from .querysets import published
from .querysets import published_citations
from .querysets import related
from .renderers import CITATION_RENDERERS
from .renderers import ListCSVRenderer
from .rows import RowListSerializer
from .schema import comma_list_pattern
from .serializers.missions import MISSION_CODING

CITE_RESPONSES = {
    (200, "application/vnd.citationstyles.csl+json"): OpenApiTypes.ANY,
    (200, "application/x-bibtex"): OpenApiTypes.STR,
    (200, "application/x-research-info-systems"): OpenApiTypes.STR,
}


class ModelPermissions(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Django's add/change permissions for writes; a method the view does not offer is
    answered 405 rather than 403."""

    def has_permission(self, request, view):
        if request.method not in view.allowed_methods:
            return True
        if request.method in permissions.SAFE_METHODS:
            # Reads need no model permission (the queryset decides what is visible):
            # skip building the queryset just to learn its model.
            return True
        return super().has_permission(request, view)


class CanPublish(permissions.IsAuthenticated):
    """Publishing and unpublishing need the `publish_<model>` permission."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        opts = view.model._meta
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


class FilterOnlyWhenAskedMixin:
    """Build the FilterSet only when the request has parameters that could filter.

    A FilterSet deep-copies all its filters when it is built (a few milliseconds for
    missions); without any parameter it would return the queryset unchanged."""

    list_parameters: tuple[str, ...] = ()  # besides the filters and LIST_PARAMETERS

    def filter_queryset(self, queryset):
        not_filters = LIST_PARAMETERS | set(self.list_parameters)
        if not_filters.issuperset(self.request.query_params):
            return queryset
        return super().filter_queryset(queryset)


class CSVListMixin:
    """Lists also answer CSV (`Accept: text/csv` or `?format=csv`); other actions do not."""

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "list":
            renderers.append(ListCSVRenderer())
        return renderers


class RecordViewSet(
    CSVListMixin,
    FilterOnlyWhenAskedMixin,
    ConditionalMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create (as a draft), update (with If-Match), publish.

    The actions take `format`: DRF passes an address's format suffix (`cite.ris`,
    `history.json`) to the handler, and without it every such address was a 500."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    permission_classes = [ModelPermissions]
    # Nested citations and classifications cannot be said in a form: JSON only (a form
    # or multipart body is a 415, not a write that silently drops them).
    parser_classes = [BoundedJSONParser]
    sparse_fields = True
    cache_anonymous = True
    model: type[KnowledgeRecord] | None = None
    list_parameters = ("include", "updated_since")
    list_includes: tuple[str, ...] = ()  # `?include=` values the list rows offer
    list_serializer_class: type[BaseSerializer] | None = None
    select_related: tuple[str, ...] = ()
    list_select_related: tuple[str, ...] | None = None  # None: as `select_related`
    list_prefetch: tuple[str | Prefetch, ...] = ()
    # Many-to-many relations a list row shows as published summaries, and whether it
    # shows the preferred classification's verdict: read after paging, in one query
    # (querysets.load_row_summaries) instead of one prefetch each.
    list_summaries: tuple[str, ...] = ()
    list_preferred = False
    # The columns a list row reads, if not all: a record's long texts (its summary, a
    # mission's mandate) stay out of a page's query.
    list_columns: tuple[str, ...] = ()
    # But not the type's capped relations (registry), nor `detail_lists` (get_object).
    detail_prefetch: tuple[str | Prefetch, ...] = ()
    # To-many relations a detail shows whole, as published summaries (a vocabulary's
    # terms: all of them): all read in one query after get_object() (load_lists).
    detail_lists: tuple[str, ...] = ()
    # Missions and cases: the detail shows classifications with their citations.
    classified = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The public list page's FilterSet: identical parameters on the page and the API;
        # the type's serializers by the registry's naming convention.
        record_type = registry.of(cls.model)
        for attr, value in (
            ("filterset_class", lambda: record_type.filterset),
            ("serializer_class", lambda: record_type.serializer),
            ("list_serializer_class", lambda: record_type.list_serializer),
        ):
            if attr not in cls.__dict__:
                setattr(cls, attr, value())

    def get_queryset(self):
        queryset = visible(self.model, self.request.user)
        if self.action == "list":
            select = self.select_related
            if self.list_select_related is not None:
                select = self.list_select_related
            prefetch = self.list_prefetch
            if "classifications" in self.includes():
                prefetch = [
                    classifications_with_citations(),
                    *(
                        p
                        for p in prefetch
                        if getattr(p, "to_attr", "") != "loaded_classifications"
                    ),
                ]
            if self.list_columns:
                queryset = queryset.only(*self.list_columns)
            return queryset.select_related(*select).prefetch_related(*prefetch)
        return self.with_detail(queryset)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        since = self.request.query_params.get("updated_since")
        if since is not None and self.action in ("list", "bibliography"):
            queryset = queryset.filter(updated_at__gte=_moment(since, "updated_since"))
        return queryset

    def includes(self):
        """What `?include=` asks list rows to carry besides their summary."""
        wanted = split_values(self.request.query_params.get("include"))
        offered = set(self.list_includes)
        unknown = sorted(set(wanted) - offered)
        if unknown:
            raise exceptions.ValidationError(
                {
                    "include": [
                        f"Unknown value(s): {', '.join(unknown)}. Valid values: "
                        f"{', '.join(sorted(offered)) or 'none'}."
                    ]
                }
            )
        return set(wanted)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list":
            context["include"] = self.includes()
        return context

    @classmethod
    def with_detail(cls, queryset, *, whole=False):
        """Load what a detail shows but its lists and citations (`load()` after
        get_object()); `whole` (the dataset, many records) prefetches them, with every
        record of the relations that a detail caps."""
        extra = []
        if whole:
            field = cls.model._meta.get_field
            names = [*cls.detail_lists, *registry.of(cls.model).capped]
            extra = [listed(field(name).related_model, name) for name in names]
            extra.append(published_citations())
            if cls.classified:
                extra.append(classifications_with_citations())
        return queryset.select_related(*cls.select_related).prefetch_related(
            *cls.detail_prefetch, *extra
        )

    @classmethod
    def load(cls, instance):
        """The related lists and citations of one record's detail, each from SQL
        compiled once per type (querysets.compiled_rows, load_lists)."""
        load_citations(instance)
        if cls.classified:
            load_classifications(instance)
        load_lists(instance, cls.detail_lists)
        load_capped(instance, registry.of(cls.model).capped)

    def get_object(self):
        instance = super().get_object()
        # Before any serializer sees it: If-Match compares against what a GET showed.
        self.load(instance)
        return instance

    def get_serializer_class(self):
        if self.action == "list":
            return self.list_serializer_class
        return self.serializer_class

    def get_serializer(self, *args, **kwargs):
        if not (self.action == "list" and kwargs.get("many")):
            return super().get_serializer(*args, **kwargs)
        # A page's rows: the list serializer's fields, each row written from the values
        # loaded for the page (rows.py) rather than by DRF's per-field dispatch.
        kwargs.pop("many")
        kwargs.setdefault("context", self.get_serializer_context())
        child = self.get_serializer_class()(context=kwargs["context"])
        return RowListSerializer(*args, child=child, **kwargs)

    def paginate_queryset(self, queryset):
        self.page_objects = super().paginate_queryset(queryset)
        if self.action == "list" and self.page_objects:
            # `?include=classifications` prefetched them whole (get_queryset).
            preferred = self.list_preferred and "classifications" not in self.includes()
            load_row_summaries(
                self.page_objects, self.list_summaries, preferred=preferred
            )
        return self.page_objects

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        # The newest change to the type (drafts too: unpublishing changes the list) or to
        # anything shown on the page.
        latest = [latest_update(self.model)]
        latest += [latest_change(obj) for obj in self.page_objects or []]
        latest = [value for value in latest if value]
        self.last_modified = max(latest) if latest else None
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.last_modified = latest_change(instance)
        return Response(self.get_serializer(instance).data)

    def fresh(self, pk):
        """The record as a client would read it after a write."""
        instance = self.with_detail(self.model.objects.filter(pk=pk)).get()
        self.load(instance)
        return instance

    def written(self, instance, code):
        serializer = self.serializer_class(
            self.fresh(instance.pk),
            context={**self.get_serializer_context(), "sparse": False},
        )
        response = Response(serializer.data, status=code)
        response["ETag"] = etag_for(serializer.data, "json")
        response["Location"] = serializer.data["url"]
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            taken = serializer.errors.get("slug") or []
            if set(serializer.errors) == {"slug"} and all(
                getattr(error, "code", "") == "unique" for error in taken
            ):
                raise Conflict(
                    "A record of this type already has this slug: choose another, "
                    "or edit that record."
                )
            raise exceptions.ValidationError(serializer.errors)
        instance = serializer.save()
        return self.written(instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        # Check and write in one step: lock the row, compare If-Match with the record
        # as it is once no one else can write it, then save (services.record_lock).
        with transaction.atomic():
            services.record_lock(self.get_object())
            instance = self.get_object()
            self.check_if_match(request, instance)
            serializer = self.get_serializer(
                instance, data=request.data, partial=partial
            )
            serializer.is_valid(raise_exception=True)
            serializer.save()
        if serializer.proposal:
            revision = serializer.revision
            return Response(
                {
                    "status": 202,
                    "code": "proposed",
                    "detail": "The record is published: your change awaits an editor's "
                    "review and the public sees the current version until then.",
                    "revision": revision.pk if revision else None,
                },
                status=status.HTTP_202_ACCEPTED,
            )
        return self.written(instance, status.HTTP_200_OK)

    def _transition(self, request, service, **options):
        instance = self.get_object()
        try:
            service(record=instance, user=request.user, **options)
        except DjangoValidationError as exc:
            # The services' refusal, in their words (the admin shows the same).
            raise RulesNotMet(django_validation_errors(exc)) from exc
        return self.written(instance, status.HTTP_200_OK)

    @extend_schema(
        request=s.PublishSerializer,
        description="Publish the record: it must meet the publishing rules (a summary, a "
        "citation with a locator, for missions and cases a cited preferred "
        "classification, and no citation of a source the public cannot see); a 409 "
        "says what is missing. `with_sources: true` publishes the draft sources it "
        "cites together with it, as the admin's review page does. Needs the publish "
        "permission (and, with `with_sources`, the permission to publish sources).",
    )
    @action(detail=True, methods=["post"], permission_classes=[CanPublish])
    def publish(self, request, slug=None, format=None):
        options = s.PublishSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        return self._transition(
            request,
            services.record_publish,
            with_sources=options.validated_data["with_sources"],
        )

    @extend_schema(
        request=None,
        description="Take the record back to draft. Needs the publish permission.",
    )
    @action(detail=True, methods=["post"], permission_classes=[CanPublish])
    def unpublish(self, request, slug=None, format=None):
        return self._transition(request, services.record_unpublish)

    @extend_schema(
        responses=s.HistoryVersionSerializer(many=True),
        description="The record's published versions, newest first and paged, from the "
        "one history the editors keep: each with its number, the date it went live, who "
        "made and approved it, and the whole record as it was then (fields, links, "
        "citations, classifications), so that a fact can be cited at a version. Drafts, "
        "proposals and internal notes are not listed.",
    )
    # One record's published versions: no list filters; paged like every list.
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, slug=None, format=None):
        instance = self.get_object()
        versions = (
            Revision.objects.for_record(instance)
            .published()
            .select_related("content_type", "author", "reviewer")
        )
        latest = versions.first()
        self.last_modified = latest.published_at if latest else None
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(
            s.HistoryVersionSerializer(page, many=True).data
        )

    @extend_schema(
        responses=CITE_RESPONSES,
        description="How to cite this record: the knowledge-base page itself (or, for a "
        "source, the work) as CSL-JSON (default), BibTeX or RIS.",
    )
    @action(detail=True, methods=["get"], renderer_classes=CITATION_RENDERERS)
    def cite(self, request, slug=None, format=None):
        instance = self.get_object()
        self.last_modified = latest_change(instance)
        if isinstance(instance, Source):
            return Response([citeformats.source_csl(instance)])
        url = request.build_absolute_uri(instance.get_absolute_url())
        return Response([citeformats.record_csl(instance, url)])

    @extend_schema(
        responses=CITE_RESPONSES,
        parameters=[
            OpenApiParameter(
                "locators",
                OpenApiTypes.BOOL,
                description="One item per citation instead of one per work: the work "
                "with the place cited, as CSL `locator` and `label` (BibTeX `pages`, "
                "RIS `SP`-`EP` for pages; a note otherwise).",
            )
        ],
        description="The published sources this record cites (in its citations and its "
        "classifications), as CSL-JSON (default), BibTeX or RIS.",
    )
    @action(detail=True, methods=["get"], renderer_classes=CITATION_RENDERERS)
    def references(self, request, slug=None, format=None):
        instance = self.get_object()
        citations = list(related(instance, "citations"))
        if hasattr(instance, "classifications"):
            for classification in related(instance, "classifications"):
                citations += related(classification, "citations")
        raw = request.query_params.get("locators", "false").lower()
        if raw not in ("true", "false", "1", "0"):
            raise exceptions.ValidationError(
                {"locators": [f"Unknown value: {raw}. Valid values: true, false."]}
            )
        if raw in ("true", "1"):
            citations = [c for c in citations if c.source.is_published]
            prefetch_related_objects([c.source for c in citations], "creators")
            self.last_modified = max(
                [latest_change(instance), *(c.source.updated_at for c in citations)]
            )
            return Response([citeformats.cited_csl(c) for c in citations])
        ids = {c.source_id for c in citations}
        sources = list(
            Source.objects.published().filter(pk__in=ids).prefetch_related("creators")
        )
        self.last_modified = max(
            [latest_change(instance), *(src.updated_at for src in sources)]
        )
        return Response([citeformats.source_csl(source) for source in sources])


def _moment(value, name):
    """An ISO 8601 date or date-time (a date means its midnight, local time), in UTC:
    the database refuses offsets it cannot store (+19:48)."""
    try:
        moment = parse_datetime(value.strip())
        if moment is None:
            day = parse_date(value.strip())
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            moment = moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise exceptions.ValidationError(
            {name: ["Give an ISO 8601 date or date-time, e.g. 2026-01-31T12:00:00Z."]}
        )
    return moment


class MissionViewSet(RecordViewSet):
    model = Mission
    list_includes = ("classifications",)
    list_summaries = ("organisations", "cases")
    list_preferred = True
    # The columns of MissionListSerializer's fields.
    list_columns = (
        "slug",
        "name",
        "acronym",
        "status",
        *PERIOD_DATES,
        *MISSION_CODING,
        "updated_at",
    )
    select_related = ("lead_state", "authorising_body", "predecessor")
    list_select_related = ()  # not in the list representation
    classified = True
    detail_lists = (
        "organisations",
        "cases",
        "authorised_by",
        "norms",
        "mandate_tasks",
        "successors",
    )


class CaseViewSet(RecordViewSet):
    model = Case
    list_includes = ("classifications",)
    list_prefetch = (classifications(), "countries")
    detail_prefetch = ("countries", published(Norm, "norms"))
    classified = True


class NormViewSet(RecordViewSet):
    model = Norm
    detail_prefetch = (published(Norm, "related"),)


class DocumentViewSet(RecordViewSet):
    model = Document
    select_related = ("issuer",)
    detail_prefetch = (published(Norm, "norms"),)


class OrganisationViewSet(RecordViewSet):
    model = Organisation
    select_related = ("parent",)
    detail_prefetch = (published(Organisation, "children"),)


class ConceptViewSet(RecordViewSet):
    model = Concept
    select_related = ("parent",)
    detail_prefetch = (
        published(Concept, "children"),
        published(Concept, "related_concepts"),
        published(Norm, "norms"),
        published(Mission, "missions"),
        published(Case, "cases"),
        published(Document, "documents"),
    )


class SourceViewSet(RecordViewSet):
    model = Source
    list_prefetch = ("creators",)
    detail_prefetch = ("creators",)

    @extend_schema(
        operation_id="sources_bibliography",
        responses=CITE_RESPONSES,
        description="The whole bibliography (or the sources matching the filters) as "
        "CSL-JSON (default), BibTeX or RIS, unpaginated.",
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=CITATION_RENDERERS,
        url_path="cite",
        url_name="bibliography",
    )
    def bibliography(self, request, format=None):
        sources = list(self.filter_queryset(self.get_queryset()))
        self.last_modified = max((src.updated_at for src in sources), default=None)
        return Response([citeformats.source_csl(source) for source in sources])


class ComparisonRowViewSet(RecordViewSet):
    """The rows of the Westphalian / post-Westphalian comparison."""

    model = ComparisonRow
    list_prefetch = (published_citations(),)


# --------------------------------------------------------------------------- read-only


class ReadOnlyRowsViewSet(
    CSVListMixin,
    FilterOnlyWhenAskedMixin,
    ConditionalMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Rows that hang off the records (classifications, citations): read only, listed
    and filtered like records, and visible as their records are."""

    sparse_fields = True
    cache_anonymous = True

    @staticmethod
    def visible_rows(user):
        """What `user` may read (querysets.py says who sees what)."""
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.visible_rows(self.request.user)


class ClassificationViewSet(ReadOnlyRowsViewSet):
    """Westphalian / post-Westphalian judgements of missions and cases, with citations."""

    serializer_class = s.ClassificationDetailSerializer
    filterset_class = ClassificationFilter
    queryset = Classification.objects.none()  # for the schema
    visible_rows = staticmethod(classification_queryset)


class CitationViewSet(ReadOnlyRowsViewSet):
    """Every page-located citation, with the record (and classification) it supports."""

    serializer_class = s.CitationDetailSerializer
    filterset_class = CitationFilter
    queryset = Citation.objects.none()  # for the schema
    visible_rows = staticmethod(citation_queryset)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        _load_records_of_classifications(page)
        return page

    def get_object(self):
        citation = super().get_object()
        _load_records_of_classifications([citation])
        self.last_modified = citation.source.updated_at
        return citation


def _load_records_of_classifications(citations):
    """A citation of a classification names the classification's record: load them all
    in one query per record type."""
    classifications = [
        c.target for c in citations or [] if isinstance(c.target, Classification)
    ]
    prefetch_related_objects(classifications, "target")


# --------------------------------------------------------------------------- comparison


class ReadOnlyAPIView(ConditionalMixin, APIView):
    """A read-only endpoint that is not a list of one model."""

    permission_classes = [permissions.AllowAny]
    http_method_names = ["get", "head", "options"]


class CompareView(ReadOnlyAPIView):
    """The Westphalian / post-Westphalian comparison: the conceptions and, section by
    section, how each sees every dimension (as on the Compare page)."""

    cache_anonymous = True

    @extend_schema(responses=s.CompareSerializer)
    def get(self, request):
        rows = list(
            ComparisonRow.objects.published().prefetch_related(published_citations())
        )
        self.last_modified = max((latest_change(row) for row in rows), default=None)
        definitions = Conception.DEFINITIONS
        data = {
            "conceptions": [
                {"value": value, "label": label, "definition": definitions[value]}
                for value, label in Conception.choices
            ],
            "sections": [
                {
                    "value": value,
                    "label": label,
                    "rows": [row for row in rows if row.section == value],
                }
                for value, label in ComparisonSection.choices
            ],
        }
        return Response(s.CompareSerializer(data, context={"request": request}).data)


class CompareRecordsView(ReadOnlyAPIView):
    """Missions or cases side by side, with their coded dimensions (as on the page that
    compares records). `ids` lists up to limits.COMPARE_MAX slugs (as the page),
    `mission:` or `case:` prefixed where a
    slug alone is ambiguous (bare slugs are looked up among missions, then cases)."""

    cache_anonymous = True

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "ids",
                OpenApiTypes.STR,
                required=True,
                description="Comma-separated slugs, e.g. `unef-i,unmik` or "
                "`mission:unef-i,case:suez-crisis`.",
            )
        ],
        responses=s.CompareRecordsSerializer,
    )
    def get(self, request):
        ids = [i.strip() for i in request.query_params.get("ids", "").split(",")]
        ids = [i for i in ids if i]
        if not ids:
            raise exceptions.ValidationError({"ids": ["Give one or more slugs."]})
        if len(ids) > limits.COMPARE_MAX:
            raise exceptions.ValidationError(
                {"ids": [f"Compare at most {limits.COMPARE_MAX} records at a time."]}
            )
        records, unknown = [], []
        for key in ids:
            record = self._find(key)
            if record is None:
                unknown.append(key)
            else:
                records.append(record)
        if unknown:
            raise exceptions.NotFound(f"Unknown or unpublished: {', '.join(unknown)}.")
        self.last_modified = max(latest_change(record) for record in records)
        context = {"request": request}
        data = []
        for record in records:
            serializer = (
                s.MissionListSerializer
                if isinstance(record, Mission)
                else s.CaseListSerializer
            )
            data.append(
                {
                    "type": record._meta.model_name,
                    **serializer(record, context=context).data,
                }
            )
        return Response({"records": data})

    def _find(self, key):
        kind, _, slug = key.rpartition(":")
        viewsets_by_kind = {
            t.name: t.viewset for t in registry.RECORD_TYPES if t.comparable
        }
        kinds = [kind] if kind else ["mission", "case"]
        for name in kinds:
            viewset = viewsets_by_kind.get(name)
            if viewset is None:
                return None
            record = (
                viewset.model.objects.published()
                .filter(slug=slug)
                .prefetch_related(*viewset.list_prefetch)
                .first()
            )
            if record is not None:
                # What its list row shows (published relations only), as a list does.
                load_row_summaries(
                    [record], viewset.list_summaries, preferred=viewset.list_preferred
                )
                return record
        return None


# --------------------------------------------------------------------------- search


class SearchView(ReadOnlyAPIView):
    """Search every published record, best match first (the site's search), in pages
    with the total, like every list."""

    cache_anonymous = True  # popular queries repeat
    # Hits ranked at most: deeper pages of a search are better reached by narrowing it.
    max_hits = 1000

    def shown_names(self):
        """A publish of another type than the searched ones keeps the answer."""
        return invalidation.search_names(split_values(self.request.GET.get("type")))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, required=True, description="Words."
            ),
            OpenApiParameter(
                "type",
                {"type": "string", "pattern": comma_list_pattern(SEARCH_TYPES)},
                description="Comma-separated record types: " + ", ".join(SEARCH_TYPES),
            ),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1, "maximum": 1000},  # max_hits
                description="A page number (from 1).",
            ),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="Hits a page (1-100, 25)."
            ),
        ],
        responses=s.SearchPageSerializer,
    )
    def get(self, request):
        params = request.query_params
        known = {"q", "type", "page", "page_size", "limit", "format"}
        unknown = sorted(set(params) - known)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: ["Unknown parameter. Valid: q, type, page, page_size."]
                    for name in unknown
                }
            )
        query = params.get("q", "").strip()
        if not query:
            raise exceptions.ValidationError({"q": ["Give some words to search for."]})
        types = split_values(params.get("type"))
        unknown = sorted(set(types) - set(SEARCH_TYPES))
        if unknown:
            raise exceptions.ValidationError(
                {
                    "type": [
                        f"Unknown type(s): {', '.join(unknown)}. Valid values: {', '.join(SEARCH_TYPES)}."
                    ]
                }
            )
        page = _whole_number(params, "page", 1, 1, self.max_hits)
        # `limit`: the older name of page_size.
        size = _whole_number(params, "limit", 25, 1, 100)
        size = _whole_number(params, "page_size", size, 1, 100)
        end = page * size
        if end > self.max_hits + size:
            raise exceptions.NotFound("Invalid page: narrow the search instead.")
        found = find(query, types=types or None, limit=min(end, self.max_hits))
        count = min(sum(found.counts.values()), self.max_hits)
        hits = found.hits[end - size : end]
        if page > 1 and not hits:
            raise exceptions.NotFound("Invalid page.")

        def link(number):
            query_params = params.copy()
            query_params["page"] = number
            return request.build_absolute_uri("?" + query_params.urlencode())

        results = s.SearchHitSerializer(
            hits, many=True, context={"request": request}
        ).data
        response = Response(
            {
                "count": count,
                "next": link(page + 1) if end < count else None,
                "previous": link(page - 1) if page > 1 else None,
                "every_word": found.every_word,
                "results": results,
            }
        )
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (
                ("next", response.data["next"]),
                ("prev", response.data["previous"]),
            )
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response


def _whole_number(params, name, default, low, high):
    """`name`'s value in ASCII digits between `low` and `high`: not " 5", "1_000" or
    full-width digits, which int() would read."""
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw) if raw.isascii() and raw.isdigit() else None
    except ValueError:  # over 4,300 digits
        value = None
    if value is None or not low <= value <= high:
        raise exceptions.ValidationError(
            {name: [f"A whole number from {low} to {high}."]}
        )
    return value
