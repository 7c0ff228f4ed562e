"""Public pages. Every queryset starts from .published(): the one door."""

from django.db.models import Prefetch
from django.views.generic import DetailView, ListView, TemplateView

from .models import (
    Case,
    Citation,
    Classification,
    ComparisonRow,
    Concept,
    Document,
    Mission,
    Norm,
    Organisation,
    Source,
)
from .models.choices import ComparisonSection


def published_citations():
    return Prefetch(
        "citations",
        queryset=Citation.objects.filter(source__status="published")
        .select_related("source")
        .prefetch_related("source__creators"),
    )


def classifications_with_citations():
    return Prefetch(
        "classifications",
        queryset=Classification.objects.prefetch_related(published_citations()),
    )


class HomeView(TemplateView):
    template_name = "knowledge/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counts"] = [
            (
                model._meta.verbose_name_plural,
                model.objects.published().count(),
                f"knowledge:{model._meta.model_name}-list",
            )
            for model in (Mission, Case, Norm, Document, Organisation, Concept, Source)
        ]
        context["recent"] = Mission.objects.published().order_by("-updated_at")[:8]
        return context


class RecordListView(ListView):
    paginate_by = 50
    template_name = "knowledge/record_list.html"
    related = ()

    def get_queryset(self):
        return self.model.objects.published().select_related(*self.related)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["type_plural"] = self.model._meta.verbose_name_plural
        return context


class RecordDetailView(DetailView):
    template_name = "knowledge/record_detail.html"
    related = ()
    prefetch = ()

    def get_queryset(self):
        return (
            self.model.objects.published()
            .select_related(*self.related)
            .prefetch_related(published_citations(), *self.prefetch)
        )


def _published(model, name):
    return Prefetch(name, queryset=model.objects.published())


class MissionListView(RecordListView):
    model = Mission


class MissionDetailView(RecordDetailView):
    model = Mission
    template_name = "knowledge/mission_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("lead_state", "authorising_body", "predecessor")
            .prefetch_related(
                classifications_with_citations(),
                _published(Organisation, "organisations"),
                _published(Case, "cases"),
                _published(Document, "authorised_by"),
                _published(Norm, "norms"),
                _published(Mission, "successors"),
                "mandate_tasks",
            )
        )


class CaseListView(RecordListView):
    model = Case


class CaseDetailView(RecordDetailView):
    model = Case
    template_name = "knowledge/case_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                classifications_with_citations(),
                "countries",
                _published(Mission, "missions"),
                _published(Norm, "norms"),
            )
        )


class NormListView(RecordListView):
    model = Norm


class NormDetailView(RecordDetailView):
    model = Norm
    prefetch = ()

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                _published(Norm, "related"),
                _published(Document, "documents"),
                _published(Mission, "missions"),
                _published(Case, "cases"),
            )
        )


class DocumentListView(RecordListView):
    model = Document
    related = ("issuer",)


class DocumentDetailView(RecordDetailView):
    model = Document

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                _published(Norm, "norms"),
                _published(Mission, "authorised_missions"),
            )
        )


class OrganisationListView(RecordListView):
    model = Organisation


class OrganisationDetailView(RecordDetailView):
    model = Organisation

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                _published(Mission, "missions"),
                _published(Document, "documents"),
                _published(Organisation, "children"),
            )
        )


class ConceptListView(RecordListView):
    model = Concept


class ConceptDetailView(RecordDetailView):
    model = Concept


class SourceListView(RecordListView):
    model = Source

    def get_queryset(self):
        return super().get_queryset().prefetch_related("creators")


class SourceDetailView(RecordDetailView):
    model = Source
    template_name = "knowledge/source_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("creators")


class CompareView(TemplateView):
    template_name = "knowledge/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = ComparisonRow.objects.published().prefetch_related(published_citations())
        context["sections"] = [
            (label, [r for r in rows if r.section == value])
            for value, label in ComparisonSection.choices
        ]
        return context
