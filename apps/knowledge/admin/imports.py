"""Bringing records in from the admin: a pasted reference becomes a Source (after a
preview and a duplicate check), and admin lists import and export CSV. Parsing lives in
`apps.knowledge.importers`, writing in `apps.knowledge.services`."""

from typing import TYPE_CHECKING
from typing import ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.urls import reverse
from django.utils import timezone

from .. import importers
from .. import services
from ..canonical import record_to_dict
from ..canonical import record_type_for

if TYPE_CHECKING:
    from django.template.response import _TemplateForResponseT


class ReferencePasteForm(forms.Form):
    text = forms.CharField(
        label="Reference",
        max_length=importers.MAX_PASTE,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90, "spellcheck": "false"}),
        help_text="One BibTeX (@article{...}), RIS (TY  - JOUR ... ER  - ) or CSL-JSON "
        "entry, as a reference manager exports it.",
    )


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8, with a header row naming the columns (slug first); at most "
        f"{importers.MAX_CSV_BYTES // 1000} kB. Lists are separated by semicolons.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importers.MAX_CSV_BYTES:
            raise ValidationError(
                f"The file is larger than {importers.MAX_CSV_BYTES // 1000} kB."
            )
        return upload


class CsvImportExportMixin:
    """An "Export selected as CSV" action and an "Import CSV" page on a record list."""

    change_list_template: "ClassVar[_TemplateForResponseT | None]" = (
        "admin/knowledge/record_change_list.html"
    )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_view_permission(request):
            actions["export_csv"] = (
                type(self).export_csv,
                "export_csv",
                "Export selected as CSV",
            )
        return actions

    def export_csv(self, request, queryset):
        record_type = record_type_for(self.model)
        dicts = (
            record_to_dict(record_type, record) for record in queryset.order_by("slug")
        )
        response = HttpResponse(
            importers.write_csv(record_type, dicts), content_type="text/csv"
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="{record_type.directory}-{stamp}.csv"'
        )
        return response

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="{}_{}_import_csv".format(*info),
            ),
            *super().get_urls(),
        ]

    def import_csv_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        record_type = record_type_for(self.model)
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                outcome = self._import_csv(request, record_type, form)
            except importers.ImportProblem as exc:
                problems = [str(exc)]
            except ValidationError as exc:
                problems = exc.messages
            else:
                summary = ", ".join(
                    f"{outcome[what]} {what}"
                    for what in ("created", "updated", "proposed", "unchanged")
                    if what in outcome
                )
                self.message_user(
                    request,
                    f"Imported: {summary or 'nothing to do'}.",
                    messages.SUCCESS,
                )
                info = self.model._meta.app_label, self.model._meta.model_name
                return HttpResponseRedirect(
                    reverse("admin:{}_{}_changelist".format(*info))
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import {self.model._meta.verbose_name_plural} from CSV",
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "columns": importers.csv_columns(record_type),
        }
        return TemplateResponse(request, "admin/knowledge/csv_import.html", context)

    def _import_csv(self, request, record_type, form):
        rows = importers.read_csv(record_type, form.cleaned_data["file"].read())
        dicts, problems = [], []
        for number, row in rows:
            existing = self.model.objects.filter(
                slug=row.get("slug", "").strip()
            ).first()
            base = services.record_content(existing) if existing else {}
            try:
                dicts.append((number, importers.apply_csv_row(record_type, base, row)))
            except importers.ImportProblem as exc:
                problems.append(f"Row {number}, {exc}")
        if problems:
            raise ValidationError(problems)
        return services.records_import(model=self.model, rows=dicts, user=request.user)


class SourceImportMixin:
    """'Paste a reference' on the sources list: preview, duplicates, then create."""

    def get_urls(self):
        return [
            path(
                "paste/",
                self.admin_site.admin_view(self.paste_view),
                name="knowledge_source_paste",
            ),
            *super().get_urls(),
        ]

    def paste_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReferencePasteForm(request.POST or None)
        preview, duplicates, problem = None, [], None
        if request.method == "POST" and form.is_valid():
            try:
                preview = importers.parse_reference(form.cleaned_data["text"])
            except importers.ImportProblem as exc:
                problem = str(exc)
            else:
                preview = {"slug": importers.suggest_slug(preview), **preview}
                duplicates = importers.find_duplicates(preview)
                if "_create" in request.POST and (
                    not duplicates or "_create_anyway" in request.POST
                ):
                    try:
                        source = services.source_create(data=preview, user=request.user)
                    except ValidationError as exc:
                        problem = " ".join(exc.messages)
                    else:
                        self.message_user(
                            request,
                            f"Created the draft source “{source}”: add a summary, "
                            "check it, then submit it for review.",
                            messages.SUCCESS,
                        )
                        return HttpResponseRedirect(
                            reverse("admin:knowledge_source_change", args=[source.pk])
                        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Add a source from a reference",
            "opts": self.model._meta,
            "form": form,
            "preview": preview,
            "preview_rows": [(key, value) for key, value in (preview or {}).items()],
            "duplicates": [
                (
                    source,
                    reverse("admin:knowledge_source_change", args=[source.pk]),
                )
                for source in duplicates
            ],
            "problem": problem,
        }
        return TemplateResponse(request, "admin/knowledge/source_paste.html", context)
