"""Review, history and recovery in the admin. Every step calls a service in
`apps.knowledge.services`; this module only asks, shows and reports.

- `WorkflowAdminMixin` (for every record admin): the hidden version token that refuses a
  save from a stale form, published records edited by curators turned into proposals,
  the transition buttons, the versions page with diffs and restore, and deletion that is
  refused while others point to a record and can be undone.
- `RevisionAdmin`: the review queue (a field-by-field diff, approve, send back with a
  comment), proposals' fate for their authors, undo of deletions, and the records due
  for review.
"""

import json
from typing import TYPE_CHECKING
from typing import ClassVar

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.http import HttpResponseNotAllowed
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.core.models import Status

from .. import services
from ..canonical import canonical
from ..canonical import citation_dict
from ..diff import diff_records
from ..merge import form_values
from ..merge import merge_form
from ..merge import merge_inline_rows
from ..models import Classification
from ..models import Revision
from ..models import RevisionAction
from ..models import RevisionState
from ..models import Source
from ..registry import RECORD_MODELS
from .changelist import CheckedChangeListMixin
from .writes import classification_item
from .writes import form_record_dict
from .writes import part_owner
from .writes import record_with_part

if TYPE_CHECKING:
    from django.template.response import _TemplateForResponseT

NEEDS_REVIEW_PER_PAGE = 25

# Transitions that take a record away from the public ask first, on a page of their own.
CONFIRM_TRANSITIONS = {
    "unpublish": "It disappears from every public page, list, search and the API at "
    "once, and goes back to draft.",
    "archive": "It disappears from every public page, list, search and the API, and is "
    "kept as archived.",
}


def _messages_of(exc):
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _note_formset(formset):
    """The inlines' rows are part of the record's dict (save_related), not written row
    by row: fill in what the change message reads, as formset.save() would."""
    kept = [f for f in formset.forms if not formset._should_delete_form(f)]
    formset.new_objects = [
        f.instance for f in kept if f in formset.extra_forms and f.has_changed()
    ]
    formset.changed_objects = [
        (f.instance, f.changed_data)
        for f in kept
        if f in formset.initial_forms and f.has_changed()
    ]
    formset.deleted_objects = [
        f.instance for f in formset.initial_forms if formset._should_delete_form(f)
    ]


def _refusal(exc):
    """A refused save's reasons as the form shows them: the graph writer's lines
    without their file ('field "year": ...' becomes 'year: ...')."""
    if isinstance(exc, services.PublishedRulesBroken) and exc.rules:
        return [exc.refusal]  # worded once, in services, for every door
    found = []
    for message in exc.messages:
        match = services.PROBLEM_LINE.search(message)
        found.append(f"{match.group(1)}: {match.group(2)}" if match else message)
    return found


class VersionedRecordForm(forms.ModelForm):
    """Carries the version of the record the form was opened on, and refuses to save over
    a newer one. After a refusal the form keeps every input and now carries the current
    version, so saving again (having seen the other change) goes through."""

    version_token = forms.CharField(widget=forms.HiddenInput, required=False)
    # The version the form was opened on, so that a conflict can be merged (merge.py).
    version_base = forms.CharField(widget=forms.HiddenInput, required=False)
    revision_comment = forms.CharField(
        label="Note for the reviewer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Optional: what you changed and why. Editors see it in the review "
        "queue.",
    )

    conflict = None
    proposal = None  # the user's own pending proposal, which the form opens
    clashes = ()  # merge.Clash: fields both people changed, after a conflict
    merge_base = None  # the version both started from, after a conflict, if known
    refusal = None  # set by WorkflowAdminMixin.get_form after a refused save

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            try:
                fresh = type(self.instance).objects.get(pk=self.instance.pk)
            except ObjectDoesNotExist:
                return  # a deleted record's past version, shown by the history pages
            content = services.record_content(fresh)
            self.initial["version_token"] = services.version_token(content)
            self.initial["version_base"] = json.dumps(content, ensure_ascii=False)
            if self.proposal is not None:
                # Continue the pending proposal, not the live text (issue 13, B4).
                values = form_values(self._meta.model, self.proposal.data)
                self.initial.update(
                    {k: v for k, v in values.items() if k in self.fields}
                )

    def clean(self):
        cleaned = super().clean()
        if self.refusal:
            raise ValidationError(self.refusal, code="publishing_rules")
        if self.instance.pk:
            try:
                services.check_not_stale(self.instance, cleaned.get("version_token"))
            except services.EditConflict as conflict:
                self.conflict = conflict
                base = conflict.base or self._opened_version(cleaned)
                if base is not None:
                    # Fields only they changed take their value; fields both changed
                    # are listed side by side, the form holding mine. The inline rows
                    # are merged as the page is shown (render_change_form).
                    self.merge_base = base
                    self.clashes = merge_form(self, base, conflict.current)
                data = self.data.copy()
                data[self.add_prefix("version_token")] = conflict.current_token
                data[self.add_prefix("version_base")] = json.dumps(
                    conflict.current, ensure_ascii=False
                )
                self.data = data
                raise ValidationError(
                    f"{conflict} Their change is shown above and kept in the form "
                    "wherever you had not changed the same field; everything you typed "
                    "is kept too. Check the form, then save again.",
                    code="edit_conflict",
                ) from None
        return cleaned

    @staticmethod
    def _opened_version(cleaned):
        """The version the form was opened on, if the form still carries it intact."""
        try:
            base = json.loads(cleaned.get("version_base") or "null")
        except ValueError:
            return None
        token = cleaned.get("version_token")
        if isinstance(base, dict) and services.version_token(base) == token:
            return base
        return None


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Due (not reviewed for 12 months)")]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(services.review_due())
        return queryset


class WritesThroughServicesMixin:
    """An admin page whose save writes no row itself but hands the record's canonical
    dict to services.write_record (save_related): the inlines' rows are part of that
    dict, and a refusal shows the form again, input and all, with the reason."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (services.PublishedRulesBroken, services.RecordInvalid) as exc:
            # The transaction rolled the save back; show the form again with the reason.
            request._pkb_refusal = _refusal(exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        _note_formset(formset)  # the rows are part of the record's dict


class WorkflowAdminMixin(WritesThroughServicesMixin):
    """Mixed into RecordAdmin."""

    form: type[forms.ModelForm] = VersionedRecordForm
    change_form_template: "ClassVar[_TemplateForResponseT | None]" = (
        "admin/knowledge/record_change_form.html"
    )

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return filters if ReviewDueFilter in filters else [*filters, ReviewDueFilter]

    # -- the form ----------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": list(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]
        fieldsets[0][1]["fields"][:0] = ["version_token", "version_base"]
        if obj is not None and obj.status == Status.PUBLISHED:
            fieldsets.append(
                ("Your change", {"fields": ["revision_comment"]}),
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        model = obj or self.model
        if not services.can_publish(request.user, model):
            # Curators move a record by the workflow buttons, and reviews are editors'.
            readonly += ["status", "last_reviewed"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_pkb_refusal", None)
        if refusal:
            form = type(form.__name__, (form,), {"refusal": refusal})
        own = self._own_proposal(request, obj)
        if own is not None:
            form = type(form.__name__, (form,), {"proposal": own})
        return form

    def _own_proposal(self, request, obj):
        """The user's pending proposal for `obj`, which their form continues."""
        if obj is None or not obj.pk:
            return None
        if not services.record_save_is_proposal(obj, request.user):
            return None
        if not hasattr(request, "_pkb_own"):
            request._pkb_own = services.own_proposals(obj, request.user).first()
        return request._pkb_own

    # -- saving ------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # Nothing is written here: save_related hands the whole page (the record, its
        # links and its inlines) to services.write_record as one canonical dict. The
        # status field only asks: the services move the record once it is written.
        obj._requested_status = form.cleaned_data.get("status")

    def save_related(self, request, form, formsets, change):
        # Not ModelAdmin's: it would write the links (save_m2m) and the rows itself.
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        obj = form.instance
        live = type(obj).objects.get(pk=obj.pk) if change else None
        written = services.write_record(
            model=type(obj),
            data=form_record_dict(
                form, formsets, services.record_content(live) if live else None
            ),
            instance=live,
            user=request.user,
            comment=form.cleaned_data.get("revision_comment", ""),
            carry=form.proposal.data if form.proposal else None,
        )
        obj.pk = written.record.pk
        obj.refresh_from_db()
        obj._proposal = written.outcome == "proposed"
        obj._revision = written.revision
        obj._problems = written.problems
        if obj._proposal:
            return
        self._set_reviewed(request, obj, form)
        workflow = request.POST.get("_workflow")
        if change and workflow in services.TRANSITIONS:
            # A workflow button pressed on the form: the edits are saved, then it moves.
            self._transition(request, obj, workflow)
            return
        requested = obj._requested_status
        if requested and requested != obj.status:
            self._set_status(request, obj, requested)

    def _set_status(self, request, obj, status):
        """The status select: the same move as the button that leads there, publishing
        the draft sources it cites with it when the page listed them (publish_sources)."""
        with_sources = request.POST.get("publish_sources") == "yes"
        sources = services.cited_unpublished_sources(obj) if with_sources else []
        try:
            services.record_set_status(
                record=obj, status=status, user=request.user, with_sources=with_sources
            )
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(
                request,
                f"Saved as {obj.get_status_display().lower()}. {_messages_of(exc)}",
                messages.WARNING,
            )
            return
        if sources and obj.status == Status.PUBLISHED:
            self.message_user(
                request,
                f"“{obj}” is published with {len(sources)} source"
                f"{pluralize(len(sources))}: {'; '.join(map(str, sources))}.",
                messages.SUCCESS,
            )

    @staticmethod
    def _set_reviewed(request, obj, form):
        """An editor's "last reviewed" date, typed in the form (not content: no
        version)."""
        if "last_reviewed" not in form.changed_data:
            return
        reviewed = form.cleaned_data.get("last_reviewed")
        if reviewed is None or not services.can_publish(request.user, obj):
            return
        services.record_mark_reviewed(record=obj, user=request.user, on=reviewed)

    def log_change(self, request, obj, message):
        # Recent actions: a proposal changed nothing yet; say so, under the live name.
        if getattr(obj, "_proposal", False):
            revision = getattr(obj, "_revision", None)
            text = "Proposed a change for review"
            message = f"{text} (#{revision.pk})." if revision else f"{text}."
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if not obj._proposal:
            if request.POST.get("_workflow"):
                return self._back_to(obj)
            return super().response_change(request, obj)
        if obj._revision is None:
            self.message_user(request, "Nothing was changed.", messages.INFO)
        else:
            self.message_user(
                request,
                format_html(
                    "Your change to “{}” awaits an editor's review; until it is "
                    'approved the public sees the published version. <a href="{}">'
                    "See the proposal</a>.",
                    obj,
                    reverse("admin:knowledge_revision_change", args=[obj._revision.pk]),
                ),
                messages.SUCCESS,
            )
            if obj._problems:
                self.message_user(
                    request,
                    "As proposed it cannot be approved: " + " ".join(obj._problems),
                    messages.WARNING,
                )
        return HttpResponseRedirect(request.path)

    # -- the change page ---------------------------------------------------------------

    def render_change_form(self, request, context, *args, **kwargs):
        form = context["adminform"].form
        if getattr(form, "merge_base", None) is not None:
            # After a conflict: citation and classification rows only they changed
            # take their values too, so that saving again keeps them.
            formsets = [inline.formset for inline in context["inline_admin_formsets"]]
            form.clashes = [
                *form.clashes,
                *merge_inline_rows(formsets, form.merge_base),
            ]
        return super().render_change_form(request, context, *args, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra_context = {**(extra_context or {}), **self._workflow(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _workflow(self, request, obj):
        revisions = Revision.objects.for_record(obj).select_related(
            "author", "reviewer"
        )
        user = request.user
        sources = services.cited_unpublished_sources(obj)
        return {
            "workflow": {
                "transitions": services.record_transitions(obj, user),
                # Draft sources it cites are no refusal: they are published with it
                # (issue 13, B7), unless they cannot be published themselves.
                "problems": services.record_publish_problems(obj, with_sources=True),
                "unpublished_sources": sources,
                "may_publish": services.can_publish(user, obj),
                "publishes_sources": bool(sources)
                and services.can_publish(user, obj)
                and services.can_publish(user, Source),
                "publishing": services.PUBLISHING_TRANSITIONS,
                "pending": [r for r in revisions if r.is_pending],
                "answers": [
                    r
                    for r in revisions[:20]
                    if r.review_comment and r.author_id == user.pk and not r.is_pending
                ][:3],
                "confirm": CONFIRM_TRANSITIONS,
                "own_proposal": self._own_proposal(request, obj),
                "proposes": obj.status == Status.PUBLISHED
                and not services.can_publish(user, obj),
                "versions_url": reverse(
                    f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history",
                    args=[quote(obj.pk)],
                ),
            }
        }

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/workflow/<str:name>/",
                view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "<path:object_id>/versions/",
                view(self.versions_view),
                name="{}_{}_versions".format(*info),
            ),
            path(
                "<path:object_id>/versions/<int:revision_id>/restore/",
                view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def _record_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _back_to(self, obj):
        info = obj._meta.app_label, obj._meta.model_name
        return HttpResponseRedirect(
            reverse("admin:{}_{}_change".format(*info), args=[quote(obj.pk)])
        )

    def transition_view(self, request, object_id, name):
        obj = self._record_or_404(request, object_id)
        if name not in services.TRANSITIONS:
            raise Http404
        if request.method == "GET" and name in CONFIRM_TRANSITIONS:
            context = {
                **self.admin_site.each_context(request),
                "title": f"{services.TRANSITIONS[name].label}: {obj}",
                "opts": self.model._meta,
                "original": obj,
                "transition": services.TRANSITIONS[name],
                "consequence": CONFIRM_TRANSITIONS[name],
            }
            return TemplateResponse(
                request, "admin/knowledge/transition_confirm.html", context
            )
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._transition(request, obj, name, request.POST.get("comment", ""))
        return self._back_to(obj)

    def _transition(self, request, obj, name, comment=None):
        if comment is None:
            comment = request.POST.get(f"workflow_comment_{name}", "")
        try:
            services.record_transition(
                record=obj,
                name=name,
                user=request.user,
                comment=comment,
                # Only when the page listed them: the editor saw which sources.
                with_sources=request.POST.get("publish_sources") == "yes",
            )
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _messages_of(exc), messages.ERROR)
        else:
            obj.refresh_from_db()
            self.message_user(
                request,
                f"“{obj}” is now {obj.get_status_display().lower()}.",
                messages.SUCCESS,
            )

    # -- history: every version (Revision), diffs, compare, restore -------------------

    def history_view(self, request, object_id, extra_context=None):
        """The record's one history: every Revision, newest first, each with what it
        changed, and any two compared. Also readable once the record is deleted."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            if not self.has_view_permission(request):
                raise PermissionDenied
            try:
                pk = int(unquote(object_id))
            except ValueError:
                raise Http404 from None
        else:
            if not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied
            pk = obj.pk
        revisions = list(
            Revision.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                object_id=pk,
            ).select_related("author", "reviewer")
        )
        if obj is None and not revisions:
            raise Http404
        for revision in revisions:
            revision.changes = diff_records(
                revision.base_data, revision.data, self.model
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of {obj or revisions[0].record_label}",
            "opts": self.model._meta,
            "original": obj,
            "revisions": revisions,
            "comparison": self._comparison(request, revisions),
            "may_restore": obj is not None and self.has_change_permission(request, obj),
            "restore_url_name": f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_restore",
            **(extra_context or {}),
        }
        return TemplateResponse(
            request, "admin/knowledge/record_versions.html", context
        )

    def _comparison(self, request, revisions):
        """Any two versions compared (?from=<revision>&to=<revision>), labels not codes:
        (older, newer, changes), or None when none was asked for."""
        by_pk = {str(r.pk): r for r in revisions}
        older, newer = (
            by_pk.get(request.GET.get("from")),
            by_pk.get(request.GET.get("to")),
        )
        if older is None or newer is None:
            return None
        return older, newer, diff_records(older.data, newer.data, self.model)

    def versions_view(self, request, object_id):
        # The versions page and the history page are one page (the one history).
        return self.history_view(request, object_id)

    def restore_view(self, request, object_id, revision_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._record_or_404(request, object_id)
        revision = get_object_or_404(Revision.objects.for_record(obj), pk=revision_id)
        try:
            restored = services.record_restore(
                record=obj,
                revision=revision,
                user=request.user,
                before=request.POST.get("side") == "before",
            )
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _messages_of(exc), messages.ERROR)
        else:
            if restored.is_pending:
                text = "The earlier version is proposed for review."
            else:
                text = "The earlier version is restored; the restore is in the history."
            self.message_user(request, text, messages.SUCCESS)
        return self._back_to(obj)

    # -- deletion: refused while others point here, and undoable -----------------------

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        for obj in objs:
            protected = [*protected, *services.record_referrers(obj)]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        request._deletions = [
            *getattr(request, "_deletions", []),
            services.record_delete(record=obj, user=request.user),
        ]

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                self.delete_model(request, obj)
            except ValidationError as exc:
                self.message_user(request, _messages_of(exc), messages.ERROR)
        self._offer_undo(request)

    def response_delete(self, request, obj_display, obj_id):
        self._offer_undo(request)
        return super().response_delete(request, obj_display, obj_id)

    def _offer_undo(self, request):
        for revision in getattr(request, "_deletions", []):
            self.message_user(
                request,
                format_html(
                    "“{}” is kept in the history. "
                    '<a href="{}">Undo the deletion</a> from its page.',
                    revision.record_label,
                    reverse("admin:knowledge_revision_change", args=[revision.pk]),
                ),
                messages.INFO,
            )
        request._deletions = []


class RecordPartAdminMixin(WritesThroughServicesMixin):
    """Citations and classifications on their own admin pages belong to a record. While
    that record is published only editors change them here: a curator changes them on
    the record's page, where the change goes to review."""

    @staticmethod
    def _owner(part):
        owner = part.target
        return owner.target if isinstance(owner, Classification) else owner

    def _locked(self, request, part):
        owner = self._owner(part) if part is not None and part.object_id else None
        return (
            owner is not None
            and owner.status == Status.PUBLISHED
            and not services.can_publish(request.user, owner)
        )

    def target_models(self):
        """The models a part of this kind may belong to."""
        if self.model is Classification:
            return [m for m in RECORD_MODELS if m.requires_classification]
        return [*RECORD_MODELS, Classification]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            types = ContentType.objects.get_for_models(*self.target_models())
            kwargs["queryset"] = ContentType.objects.filter(
                pk__in=[t.pk for t in types.values()]
            ).order_by("model")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        model_admin = self

        refusal = getattr(request, "_pkb_refusal", None)

        class PartForm(form):
            """Refuses, with the input kept, a part of a record that does not exist or
            that is published and so changes only on its own page, for review; and,
            after a refused save, says why (the record's rules, the graph writer's)."""

            def clean(self):
                cleaned = super().clean()
                if refusal:
                    raise ValidationError(refusal)
                content_type = cleaned.get("content_type")
                object_id = cleaned.get("object_id")
                if content_type is None or object_id is None:
                    return cleaned
                model = content_type.model_class()
                target = model.objects.filter(pk=object_id).first()
                if target is None:
                    self.add_error(
                        "object_id",
                        f"No {model._meta.verbose_name} has the id {object_id}.",
                    )
                    return cleaned
                probe = model_admin.model(
                    content_type=content_type, object_id=target.pk
                )
                if model_admin._locked(request, probe):
                    owner = model_admin._owner(probe)
                    url = reverse(
                        f"admin:knowledge_{owner._meta.model_name}_change",
                        args=[owner.pk],
                    )
                    raise ValidationError(
                        format_html(
                            "“{}” is published: only an editor changes it here. Add "
                            'this on <a href="{}">its own page</a>, where your change '
                            "goes to review; your input is kept below.",
                            owner,
                            url,
                        )
                    )
                return cleaned

        return PartForm

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and not self._locked(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not self._locked(request, obj)

    def save_model(self, request, obj, form, change):
        # Nothing is written here: save_related writes the record the part belongs to
        # through services.write_record, as the record's own page does.
        if self._locked(request, obj):
            raise PermissionDenied(
                "The record is published: change it on its own page, for review."
            )

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        obj = form.instance
        if self.model is Classification:
            item = classification_item(form, formsets)
        else:
            item = citation_dict(obj)
        stored = type(obj).objects.get(pk=obj.pk) if change else None
        moved = stored is not None and (
            (stored.content_type_id, stored.object_id)
            != (obj.content_type_id, obj.object_id)
        )
        if moved:
            self._write_owner(request, stored, None)  # it leaves its old record
        self._write_owner(request, obj, item)
        if not change or moved:
            obj.pk = self._new_row(obj)

    @staticmethod
    def _write_owner(request, part, item):
        owner = part_owner(part)
        live = services.record_content(owner)
        services.write_record(
            model=type(owner),
            data=record_with_part(owner, live, part, item),
            instance=owner,
            user=request.user,
        )

    @staticmethod
    def _new_row(part):
        """The row the writer made for a part added (at the end of its list)."""
        rows = type(part).objects.filter(
            content_type_id=part.content_type_id, object_id=part.object_id
        )
        return rows.order_by("position", "id").last().pk

    def delete_model(self, request, obj):
        self._write_owner(request, obj, None)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:  # its record would break the rules: kept
            self.message_user(request, _messages_of(exc), messages.ERROR)
            info = self.model._meta.app_label, self.model._meta.model_name
            return HttpResponseRedirect(
                reverse("admin:{}_{}_change".format(*info), args=[object_id])
            )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                with transaction.atomic():
                    self.delete_model(request, obj)
            except ValidationError as exc:
                self.message_user(request, _messages_of(exc), messages.ERROR)

    def history_view(self, request, object_id, extra_context=None):
        """A citation or classification is part of its record: its history is the
        record's (each version holds the record's citations and classifications)."""
        part = self.get_object(request, unquote(object_id))
        if part is None:
            raise Http404
        owner = self._owner(part)
        if owner is None:
            raise Http404
        return HttpResponseRedirect(
            reverse(
                f"admin:{owner._meta.app_label}_{owner._meta.model_name}_history",
                args=[quote(owner.pk)],
            )
        )


class ReviewStateFilter(admin.SimpleListFilter):
    """The queue opens on what awaits review."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("all", "All"),
            *[
                (value, label)
                for value, label in Revision._meta.get_field("state").choices
            ],
        ]

    def choices(self, changelist):
        value = self.value() or "pending"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "pending"
        return queryset if value == "all" else queryset.filter(state=value)


@admin.register(Revision)
class RevisionAdmin(CheckedChangeListMixin, admin.ModelAdmin):
    list_display = [
        "record_label",
        "record_type",
        "action",
        "state",
        "author",
        "created_at",
        "reviewer",
    ]
    # Only the record types that have revisions (not Axes, sessions, history tables).
    list_filter = [
        ReviewStateFilter,
        "action",
        ("content_type", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["author", "reviewer", "content_type"]
    search_fields = ["record_label", "comment", "review_comment"]
    date_hierarchy = "created_at"
    change_list_template = "admin/knowledge/revision_change_list.html"
    actions = ["withdraw_unchanged"]

    @admin.action(description="Withdraw the selected proposals that change nothing")
    def withdraw_unchanged(self, request, queryset):
        try:
            count = services.revisions_withdraw_unchanged(
                revisions=queryset.select_related("content_type"), user=request.user
            )
        except PermissionDenied as exc:
            self.message_user(request, _messages_of(exc), messages.ERROR)
            return
        self.message_user(
            request,
            f"Withdrew {count} proposal(s) that change nothing; the others are "
            "untouched.",
            messages.SUCCESS,
        )

    @admin.display(description="type", ordering="content_type__model")
    def record_type(self, revision):
        return revision.content_type.name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # revisions change only through the workflow's services

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "needs-review/",
                view(self.needs_review_view),
                name="knowledge_needs_review",
            ),
            path(
                "<int:revision_id>/decide/<str:decision>/",
                view(self.decide_view),
                name="knowledge_revision_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        object_id = unquote(object_id)
        if not (object_id.isascii() and object_id.isdigit()):  # /revision/abc/change/
            raise Http404("No revision has this address.")
        revision = get_object_or_404(Revision, pk=int(object_id))
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        record = revision.record
        user = request.user
        may_decide = services.can_publish(user, revision.model)
        live, data, stale = self._compared(revision, record)
        context = {
            **self.admin_site.each_context(request),
            "title": str(revision),
            "opts": self.model._meta,
            "revision": revision,
            "record": record,
            "changes": diff_records(live, data, revision.model),
            "stale": stale,
            "problems": services.record_publish_problems(record, with_sources=True)
            if record is not None and revision.action == RevisionAction.SUBMIT
            else [],
            # Approving publishes these with the record, each with its own version.
            "unpublished_sources": self._unpublished_sources(revision)
            if revision.is_pending and record is not None
            else [],
            **self._may(revision, record, user, may_decide),
            "record_url": reverse(
                f"admin:{record._meta.app_label}_{record._meta.model_name}_change",
                args=[record.pk],
            )
            if record is not None
            else None,
        }
        return TemplateResponse(
            request, "admin/knowledge/revision_review.html", context
        )

    @staticmethod
    def _compared(revision, record):
        """(what approving replaces, the version shown, whether the record moved on)."""
        if not (revision.is_pending and record is not None):
            return revision.base_data, revision.data, False
        # The frozen version under review, against what approving replaces: the
        # last published version of a submission, the live record of a proposal.
        data = revision.data
        if revision.action == RevisionAction.SUBMIT:
            stale = services.record_content(record) != canonical(data)
            return revision.base_data, data, stale
        live = services.record_content(record)
        stale = bool(
            revision.base_token and services.version_token(live) != revision.base_token
        )
        return live, data, stale

    @staticmethod
    def _may(revision, record, user, may_decide):
        """What the user may do with this revision from the review page: approve or
        send it back (`may_decide`), and the decisions a single button takes, as
        (decision, button, whether the user may)."""
        own = revision.author_id == user.pk
        may_withdraw = revision.is_pending and (own or may_decide)
        may_reopen = (
            record is not None
            and own
            and revision.state == RevisionState.WITHDRAWN
            and revision.action in (RevisionAction.EDIT, RevisionAction.RESTORE)
        )
        may_undelete = (
            revision.action == RevisionAction.DELETE and record is None and may_decide
        )
        return {
            "may_decide": may_decide and revision.is_pending and record is not None,
            "buttons": [
                ("withdraw", "Withdraw", may_withdraw),
                ("reopen", "Reopen this proposal for review", may_reopen),
                (
                    "undelete",
                    "Undo the deletion (bring it back as a draft)",
                    may_undelete,
                ),
            ],
        }

    @staticmethod
    def _unpublished_sources(revision):
        """The sources the version under review cites that the public cannot see."""
        data = revision.data or {}
        cited = {c.get("source") for c in data.get("citations", [])}
        for classification in data.get("classifications", []):
            cited |= {c.get("source") for c in classification.get("citations", [])}
        return list(
            Source.objects.filter(slug__in=cited - {None})
            .exclude(status=Status.PUBLISHED)
            .order_by("title")
        )

    def decide_view(self, request, revision_id, decision):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        revision = get_object_or_404(Revision, pk=revision_id)
        comment = request.POST.get("comment", "")
        user = request.user
        actions = {
            "approve": lambda: services.revision_approve(
                revision=revision,
                user=user,
                comment=comment,
                # Only when the page listed them: the editor saw which sources.
                with_sources=request.POST.get("publish_sources") == "yes",
            ),
            "send-back": lambda: services.revision_send_back(
                revision=revision, user=user, comment=comment
            ),
            "withdraw": lambda: services.revision_withdraw(
                revision=revision, user=user
            ),
            "undelete": lambda: services.record_undelete(revision=revision, user=user),
            "reopen": lambda: services.revision_reopen(revision=revision, user=user),
        }
        if decision not in actions:
            raise Http404
        try:
            result = actions[decision]()
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _messages_of(exc), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:knowledge_revision_change", args=[revision.pk])
            )
        done = {
            "approve": "Approved: the public now sees this version.",
            "send-back": "Sent back to the author with your comment.",
            "withdraw": "Withdrawn.",
            "undelete": "Brought back as a draft, with its history.",
            "reopen": "Reopened: the proposal awaits review again.",
        }[decision]
        self.message_user(request, done, messages.SUCCESS)
        if decision == "undelete":
            return HttpResponseRedirect(
                reverse(
                    f"admin:{result._meta.app_label}_{result._meta.model_name}_change",
                    args=[result.pk],
                )
            )
        return HttpResponseRedirect(reverse("admin:knowledge_revision_changelist"))

    def needs_review_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Grouped by type, one page of each; ?type=mission&page=2 pages through one.
        groups = []
        wanted = request.GET.get("type")
        for model in RECORD_MODELS:
            name = model._meta.model_name
            if not request.user.has_perm(f"knowledge.view_{name}"):
                continue
            if wanted and wanted != name:
                continue
            records = model.objects.filter(services.review_due()).order_by(
                "last_reviewed", "pk"
            )
            page = Paginator(records, NEEDS_REVIEW_PER_PAGE).get_page(
                request.GET.get("page") if wanted else 1
            )
            rows = [
                (record, reverse(f"admin:knowledge_{name}_change", args=[record.pk]))
                for record in page.object_list
            ]
            if rows:
                groups.append((model._meta.verbose_name_plural, name, page, rows))
        context = {
            **self.admin_site.each_context(request),
            "title": "Records not reviewed for 12 months",
            "opts": self.model._meta,
            "groups": groups,
            "today": timezone.localdate(),
            "one_type": bool(wanted),
        }
        return TemplateResponse(request, "admin/knowledge/needs_review.html", context)
