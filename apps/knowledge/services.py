"""Multi-step writes: the rules live here, and admin, API and commands all call these.

The editorial workflow::

    draft --submit--> in review --approve--> published --archive--> archived
      ^ <-- withdraw, send back --'              |                      |
      '---------------- unpublish ---------------'----------------------'

Curators (the change permission) edit, submit and withdraw. Editors also hold
`publish_<model>` (models' Meta.permissions): they approve, send back, publish, unpublish,
archive, restore and undelete. `user=None` is the system (management commands, the dataset loader), which
may do whatever the publishing rules allow.

A change to a *published* record by someone who may not publish leaves the record alone:
it becomes a pending Revision, which an editor approves (and the public sees it) or sends
back with a comment. Every change to a record's content is kept as a Revision holding the
canonical dict (canonical.record_to_dict), so it can be compared and restored.

Refusals: PermissionDenied when the role may not do it, ValidationError when the state or
the publishing rules forbid it, EditConflict when the caller's copy is out of date.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

from django.contrib.auth.models import User as AuthUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import models
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.models import Status

from .canonical import DATA_TYPES
from .canonical import canonical
from .canonical import record_to_dict
from .canonical import record_type_for
from .diff import diff_records
from .merge import merge_dicts
from .models import KnowledgeRecord
from .models import Revision
from .models import RevisionAction
from .models import RevisionState
from .models import Source
from .models import SourceCreator
from .rules import cited_unpublished_sources
from .rules import record_publish_problems
from .writer import DatasetError
from .writer import GraphWriter
from .writer import write_graph

REVIEW_INTERVAL = datetime.timedelta(days=365)
# The review comment of a version replaced by a later save of the same proposal.
SUPERSEDED = "Superseded by a later version"
# Parts of a record edited in the admin's inlines, not in its main form.
INLINE_KEYS = ("citations", "classifications", "authors", "editors")
# Keys of the canonical dict that are not content: the workflow sets them.
_NOT_CONTENT = ("status", "last_reviewed")

# A graph writer's problem line names the field: '..., field "year": not a number'.
PROBLEM_LINE = re.compile(r'field "([^"]+)": (.*)$', re.DOTALL)

# Who acts: a signed-in user, or None for the system (the loader, a script).
User = AuthUser | None


# --------------------------------------------------------------------------- rules


def _refuse_unpublishable(record, verb="published", with_sources=False):
    problems = record_publish_problems(record, with_sources=with_sources)
    if problems:
        raise ValidationError(f"{record} cannot be {verb}: " + " ".join(problems))


def can_publish(user: User, record: KnowledgeRecord | type[KnowledgeRecord]) -> bool:
    """Whether `user` is an editor of records like `record` (or the system, None)."""
    opts = record._meta
    return user is None or user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


def _check_permission(user, record, codename):
    if user is None:
        return  # system actions: management commands and data loading
    perm = f"{record._meta.app_label}.{codename}_{record._meta.model_name}"
    if not user.has_perm(perm):
        raise PermissionDenied(f"You do not have permission to {codename} this record.")


def _check_editor(user, record, action):
    if not can_publish(user, record):
        raise PermissionDenied(
            f"Only editors can {action} records; ask an editor to do it."
        )


def _check_state(record, allowed, action):
    if record.status not in allowed:
        names = " or ".join(Status(s).label.lower() for s in allowed)
        raise ValidationError(
            f"{record} is {record.get_status_display().lower()}: only a {names} record "
            f"can be {action}."
        )


def review_due(today: datetime.date | None = None) -> models.Q:
    """A filter for published records nobody has reviewed for REVIEW_INTERVAL."""
    today = today or timezone.localdate()
    return models.Q(status=Status.PUBLISHED) & (
        models.Q(last_reviewed__isnull=True)
        | models.Q(last_reviewed__lt=today - REVIEW_INTERVAL)
    )


# --------------------------------------------------------------------------- versions


def record_content(record: KnowledgeRecord) -> dict[str, Any]:
    """The record's content as its canonical dict, without the workflow's own fields."""
    data = record_to_dict(record_type_for(type(record)), record)
    for key in _NOT_CONTENT:
        data.pop(key, None)
    return data


def version_token(data: dict[str, Any]) -> str:
    """A short, stable fingerprint of a canonical dict."""
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def record_version_token(record: KnowledgeRecord) -> str:
    """The token naming the record's current content (citations and links included).
    It changes whenever what a curator could edit changes, and only then."""
    fresh = type(record).objects.get(pk=record.pk)
    return version_token(record_content(fresh))


class EditConflict(Exception):
    """Someone else changed the record after the caller read it."""

    def __init__(
        self, record, current_token, changes, last_change, base=None, current=None
    ):
        self.record = record
        self.current_token = current_token
        self.changes = changes  # [diff.FieldChange] from the caller's version, if known
        self.last_change = last_change  # the latest Revision, if any
        self.base = base  # the caller's version (canonical dict), if on record
        self.current = current  # the version saved meanwhile (canonical dict)
        who = ""
        if last_change and last_change.author:
            when = timezone.localtime(last_change.created_at)
            who = f" by {last_change.author} at {when:%Y-%m-%d %H:%M}"
        super().__init__(
            f"{record} was changed{who} after you opened it. Nothing of yours was saved."
        )


def record_lock(record: KnowledgeRecord) -> KnowledgeRecord:
    """Lock `record`'s row until the enclosing transaction ends; return it as stored now.

    The first step of every conditional write (the admin's version token, the API's
    If-Match): lock, then check the caller's version against what this returns, then
    write, all in one transaction. A second writer holding the same version waits here
    until the first commits, then sees the new version and is refused, so no write is
    lost. Must run inside transaction.atomic() (a lock outside one ends at once).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_lock() must run inside transaction.atomic().")
    return type(record).objects.select_for_update().get(pk=record.pk)


def check_not_stale(record: KnowledgeRecord, expected_token: str | None) -> str:
    """Refuse a write made from an out-of-date copy of `record`.

    `expected_token` is the `record_version_token(record)` the caller read: the admin keeps
    it in a hidden field of the change form; the API can hand it out as an ETag and take it
    back in `If-Match` (answer 412 on EditConflict). Raises EditConflict, carrying the
    current token and, when the caller's version is on record, the field-by-field changes
    made since; returns the current token otherwise. Inside a transaction it also locks
    the record's row until the transaction ends (record_lock), so the write that follows
    the check cannot be overtaken by another.
    """
    if transaction.get_connection().in_atomic_block:
        fresh = record_lock(record)
    else:
        fresh = type(record).objects.get(pk=record.pk)
    current = record_content(fresh)
    current_token = version_token(current)
    if expected_token == current_token:
        return current_token
    revisions = Revision.objects.for_record(record).exclude(state=RevisionState.PENDING)
    changes, base = [], None
    for revision in revisions:
        for version in (revision.data, revision.base_data):
            if version and version_token(version) == expected_token:
                base = version
                break
        if base is not None:
            changes = diff_records(base, current, type(record))
            break
    live_changes = revisions.filter(
        state__in=[RevisionState.APPLIED, RevisionState.APPROVED]
    )
    raise EditConflict(
        record, current_token, changes, live_changes.first(), base=base, current=current
    )


def revision_label(revision: Revision) -> str:
    """An unambiguous name for a version: number, date, time and author."""
    when = timezone.localtime(revision.created_at)
    who = revision.author or "the system"
    return f"version #{revision.pk} of {when:%Y-%m-%d %H:%M} by {who}"


def _new_revision(
    record, *, action, state, data, base_data, user, comment="", published_at=None
):
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        record_label=str(record)[:300],
        action=action,
        state=state,
        data=data,
        base_data=base_data,
        base_token=version_token(base_data) if base_data else "",
        author=user,
        comment=comment,
        published_at=published_at,
    )


def revision_record_saved(
    *,
    record: KnowledgeRecord,
    base_data: dict[str, Any],
    user: User = None,
    action: str = RevisionAction.EDIT,
    comment: str = "",
) -> Revision | None:
    """Keep the version just written to `record` in history: the one place a saved
    change becomes a Revision, whoever wrote it (the admin, the API, the loader, CSV
    import, restore, publishing). `base_data` is the record's content before the write
    (record_content, or {} for a new record). On a published record the version is
    what the public now sees, so it is marked published (the API's history lists it).

    Returns the Revision, or None when nothing changed (a publication is always kept)."""
    fresh = type(record).objects.get(pk=record.pk)
    data = record_content(fresh)
    if data == base_data and action != RevisionAction.PUBLISH:
        return None
    if action == RevisionAction.EDIT and not base_data:
        action = RevisionAction.CREATE
    revision = _new_revision(
        record,
        action=action,
        state=RevisionState.APPLIED,
        data=data,
        base_data=base_data,
        user=user,
        comment=comment,
        published_at=timezone.now() if fresh.status == Status.PUBLISHED else None,
    )
    _refresh_submission(record, data, user)
    return revision


def _refresh_submission(record, data, user=None):
    """A record edited while in review: the submission an editor reviews is frozen, so
    the edit makes a new one and the old one is closed as superseded. An editor who
    approves the old one is refused and shown what changed."""
    for old in (
        Revision.objects.for_record(record)
        .pending()
        .filter(action=RevisionAction.SUBMIT)
    ):
        new = _new_revision(
            record,
            action=RevisionAction.SUBMIT,
            state=RevisionState.PENDING,
            data=data,
            base_data=old.base_data,
            user=user or old.author,
            comment=old.comment,
        )
        _close(old, RevisionState.WITHDRAWN, user, f"{SUPERSEDED} (#{new.pk}).")


def record_save_is_proposal(record: KnowledgeRecord, user: User) -> bool:
    """Whether `user` saving `record` must go to review instead of to the public."""
    live = type(record).objects.filter(pk=record.pk).values_list("status", flat=True)
    return (
        bool(record.pk)
        and live.first() == Status.PUBLISHED
        and not can_publish(user, record)
    )


class PublishedRulesBroken(ValidationError):
    """A direct edit would leave a published record breaking the publishing rules
    (`rules`). Raised inside the caller's transaction, which then rolls the edit
    back. (Not `problems`: callers read that as the graph writer's lines.)"""

    rules: list[str] = []
    record: KnowledgeRecord | None = None

    @property
    def refusal(self) -> str:
        """The refusal as the doors word it (the admin's form, the API's 409)."""
        if not self.rules:
            return " ".join(self.messages)
        return (
            f"{self.record} is published and would no longer meet the publishing "
            "rules: " + " ".join(self.rules)
        )


class RecordInvalid(ValidationError):
    """The record's dict (or the record as a form or serializer left it) breaks a rule
    of the graph writer (writer.py), which every door shares: {field: [messages]}, by
    the top-level key of the field each problem names. Raised inside the caller's
    transaction, which then rolls the edit back. `problems` lists the writer's own lines
    ('missions/x.yaml: record "x", field "year": ...'); `paths` each problem as (field
    path, message), the path into the canonical dict ("citations[1].locator"), for
    forms and the API to put it on their own field."""

    problems: list[str] = []
    paths: list[tuple[str, str]] = []

    @classmethod
    def from_problems(
        cls, problems: list[str], paths: Iterable[tuple[str, str]] | None = None
    ) -> RecordInvalid:
        """The writer's problem lines, by the top-level key of the field each names
        ("classifications[0].rule" under "classifications"); each message is the line.
        `paths`: the same problems as (field path, message), read from the lines when
        not given."""
        errors: dict[str, list[str]] = {}
        found = []
        for problem in problems:
            match = PROBLEM_LINE.search(problem)
            name = match.group(1) if match else "__all__"
            if match:
                found.append((match.group(1), match.group(2)))
            errors.setdefault(name.split(".")[0].split("[")[0], []).append(problem)
        invalid = cls(errors)
        invalid.problems = list(problems)
        invalid.paths = list(paths) if paths else found
        return invalid


def _carry_over(base, data, carry):
    """`data` with the parts the form did not show (citations, classifications,
    creators) merged with the author's earlier proposal `carry`, item by item: a
    citation added there and another added now are both kept (merge.merge_dicts)."""
    parts = [{key: version.get(key) for key in INLINE_KEYS} for version in (base, data)]
    merged, _clashes = merge_dicts(*parts, {key: carry.get(key) for key in INLINE_KEYS})
    return canonical({**data, **{key: merged.get(key) for key in INLINE_KEYS}})


@transaction.atomic
def revision_propose(
    *,
    record: KnowledgeRecord,
    data: dict[str, Any],
    user: User,
    base_data: dict[str, Any] | None = None,
    comment: str = "",
    action: str = RevisionAction.EDIT,
) -> Revision:
    """Propose new content for a published record; it stays unseen until approved.

    Each save is a new, frozen version: the author's earlier pending proposal (which
    the admin form opened and this one continues, see own_proposal) is closed as
    superseded, kept, and can be reopened (revision_reopen)."""
    _check_permission(user, record, "change")
    base_data = base_data if base_data is not None else record_content(record)
    if data == base_data:
        raise ValidationError("The proposed version is the same as the live one.")
    earlier = list(own_proposals(record, user))
    revision = _new_revision(
        record,
        action=action,
        state=RevisionState.PENDING,
        data=data,
        base_data=base_data,
        user=user,
        comment=comment or (earlier[0].comment if earlier else ""),
    )
    for old in earlier:
        _close(old, RevisionState.WITHDRAWN, user, f"{SUPERSEDED} (#{revision.pk}).")
    return revision


def own_proposals(record: KnowledgeRecord, user: User) -> QuerySet[Revision]:
    """`user`'s pending proposals (edits and restores) for `record`, newest first."""
    if user is None or record.pk is None:
        return Revision.objects.none()
    return (
        Revision.objects.for_record(record)
        .pending()
        .filter(author=user, action__in=[RevisionAction.EDIT, RevisionAction.RESTORE])
    )


@transaction.atomic
def revision_reopen(*, revision: Revision, user: User = None) -> Revision:
    """Bring a withdrawn or superseded proposal back for review, as a new version."""
    record = revision.record
    if record is None:
        raise ValidationError("The record of this revision no longer exists.")
    if user is not None and revision.author_id != user.pk:
        raise PermissionDenied("Only its author can reopen a proposal.")
    if revision.state != RevisionState.WITHDRAWN or revision.action not in (
        RevisionAction.EDIT,
        RevisionAction.RESTORE,
    ):
        raise ValidationError("Only a withdrawn proposal can be reopened.")
    if not record_save_is_proposal(record, user):
        raise ValidationError(
            "The record is no longer published for you to propose to: restore this "
            "version from its versions page instead."
        )
    return revision_propose(
        record=record,
        data=revision.data,
        user=user,
        comment=f"Reopens proposal #{revision.pk}. {revision.comment}".strip(),
        action=revision.action,
    )


def _apply(record, data, user):
    """Write `data` onto `record`, keeping its status and review date."""
    data = {**data, "last_reviewed": record.last_reviewed}
    return _write_graph(type(record), data, instance=record, user=user)


def _write_graph(model, data, *, instance=None, user=None):
    try:
        return write_graph(model, data, instance=instance, user=user)
    except DatasetError as exc:
        raise RecordInvalid.from_problems(exc.problems, exc.errors) from exc


def _close(revision, state, user, comment=""):
    revision.state = state
    revision.reviewer = user
    revision.review_comment = comment
    revision.reviewed_at = timezone.now()
    revision.save(
        update_fields=[
            "state",
            "reviewer",
            "review_comment",
            "reviewed_at",
            "published_at",
        ]
    )
    return revision


@transaction.atomic
def revision_approve(
    *,
    revision: Revision,
    user: User = None,
    comment: str = "",
    with_sources: bool = False,
) -> Revision:
    """Approve a pending revision: a submitted record is published, a proposed change
    replaces the live content (and must still meet the publishing rules).
    `with_sources`: also publish the sources it cites that are not published yet (the
    review page lists them), in the same transaction; without it, those are a refusal."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    record = revision.record
    if record is None:
        raise ValidationError("The record of this revision no longer exists.")
    _check_editor(user, record, "approve")
    if not revision.is_pending:
        newer = (
            Revision.objects.for_record(record)
            .pending()
            .filter(created_at__gte=revision.created_at, pk__gt=revision.pk)
            .first()
        )
        if newer is not None:
            raise ValidationError(
                f"This version (#{revision.pk}) was replaced by a newer one "
                f"(#{newer.pk}) after you opened it, so nothing was approved. What "
                f"changed: {_what_changed(revision.data, newer.data)} Review #{newer.pk}."
            )
        raise ValidationError(
            f"This revision is {revision.get_state_display().lower()}, not awaiting review."
        )
    if revision.action == RevisionAction.SUBMIT:
        now = record_content(type(record).objects.get(pk=record.pk))
        if now != canonical(revision.data):
            raise ValidationError(
                f"The record changed after this version (#{revision.pk}) was "
                f"submitted, so nothing was approved. What changed: "
                f"{_what_changed(revision.data, now)}"
            )
        record_approve(
            record=record, user=user, comment=comment, with_sources=with_sources
        )
        revision.refresh_from_db()
        return revision
    current = record_content(type(record).objects.get(pk=record.pk))
    if revision.base_token and version_token(current) != revision.base_token:
        raise ValidationError(
            "The live record changed after this change was proposed, so approving it "
            "would undo that later change. Send it back so the author can redo it on "
            "the current version."
        )
    record = _apply(record, revision.data, user)
    if record.status == Status.PUBLISHED:
        if with_sources:
            _publish_cited_sources(record, user)
        _refuse_unpublishable(record, verb="published with this change")
        revision.published_at = timezone.now()
    _mark_reviewed(record, user)
    return _close(revision, RevisionState.APPROVED, user, comment)


def _what_changed(before, after):
    changes = diff_records(canonical(before), canonical(after))
    return "; ".join(c.label for c in changes) + "." if changes else "nothing visible."


@transaction.atomic
def revision_send_back(
    *, revision: Revision, user: User = None, comment: str
) -> Revision:
    """Refuse a pending revision with a comment its author sees."""
    record = revision.record
    if record is None:
        raise ValidationError("The record of this revision no longer exists.")
    _check_editor(user, record, "send back")
    if not (comment or "").strip():
        raise ValidationError("Say what the author should change.")
    if not revision.is_pending:
        raise ValidationError(
            f"This revision is {revision.get_state_display().lower()}, not awaiting review."
        )
    if revision.action == RevisionAction.SUBMIT:
        record_send_back(record=record, user=user, comment=comment)
        revision.refresh_from_db()
        return revision
    return _close(revision, RevisionState.SENT_BACK, user, comment)


@transaction.atomic
def revision_withdraw(*, revision: Revision, user: User = None) -> Revision:
    """The author (or an editor) takes back a pending proposal."""
    if (
        user is not None
        and revision.author_id != user.pk
        and not can_publish(user, revision.model)
    ):
        raise PermissionDenied("Only its author or an editor can withdraw a proposal.")
    if not revision.is_pending:
        raise ValidationError("Only a proposal awaiting review can be withdrawn.")
    if revision.action == RevisionAction.SUBMIT and revision.record is not None:
        record_withdraw(record=revision.record, user=user)
        revision.refresh_from_db()
        return revision
    return _close(revision, RevisionState.WITHDRAWN, user)


def revision_changes_nothing(revision: Revision) -> bool:
    """Whether a pending proposal would leave its record exactly as it is now."""
    record = revision.record
    return (
        record is not None
        and revision.action != RevisionAction.SUBMIT
        and canonical(revision.data) == record_content(record)
    )


@transaction.atomic
def revisions_withdraw_unchanged(
    *, revisions: Iterable[Revision], user: User = None
) -> int:
    """Withdraw, among `revisions`, the pending proposals that change nothing (such as
    a re-imported unchanged CSV made before imports compared canonical dicts).
    Returns how many were withdrawn."""
    count = 0
    for revision in revisions:
        if not revision.is_pending or not revision_changes_nothing(revision):
            continue
        revision_withdraw(revision=revision, user=user)
        revision.review_comment = "It changed nothing."
        revision.save(update_fields=["review_comment"])
        count += 1
    return count


# --------------------------------------------------------------------------- transitions


def _set_status(record, status, user, *fields):
    record.status = status
    record.updated_by = user or record.updated_by
    record.save(update_fields=["status", "updated_by", "updated_at", *fields])
    return record


def _mark_reviewed(record, user):
    if user is not None:
        record_mark_reviewed(record=record, user=user)


@transaction.atomic
def record_mark_reviewed(
    *, record: KnowledgeRecord, user: User = None, on: datetime.date | None = None
) -> KnowledgeRecord:
    """An editor has checked the record against its sources today (or `on`, the day
    typed in the admin's "last reviewed" field)."""
    _check_editor(user, record, "mark as reviewed")
    record.last_reviewed = timezone.localdate() if on is None else on
    record.updated_by = user or record.updated_by
    record.save(update_fields=["last_reviewed", "updated_by", "updated_at"])
    return record


def _last_published_content(record):
    version = Revision.objects.for_record(record).published().exclude(data={}).first()
    return version.data if version else {}


@transaction.atomic
def record_submit(
    *, record: KnowledgeRecord, user: User = None, comment: str = ""
) -> KnowledgeRecord:
    """A curator asks for review: draft -> in review, if the publishing rules are met."""
    _check_permission(user, record, "change")
    _check_state(record, [Status.DRAFT], "submitted for review")
    # Sources it cites that are still drafts are listed on the review page, where the
    # editor publishes them with it (issue 13, B7).
    _refuse_unpublishable(record, verb="submitted for review", with_sources=True)
    _set_status(record, Status.IN_REVIEW, user)
    _new_revision(
        record,
        action=RevisionAction.SUBMIT,
        state=RevisionState.PENDING,
        data=record_content(record),
        base_data=_last_published_content(record),
        user=user,
        comment=comment,
    )
    return record


def _close_submission(record, state, user, comment=""):
    for revision in (
        Revision.objects.for_record(record)
        .pending()
        .filter(action=RevisionAction.SUBMIT)
    ):
        _close(revision, state, user, comment)


@transaction.atomic
def record_withdraw(*, record: KnowledgeRecord, user: User = None) -> KnowledgeRecord:
    """The curator takes a record back out of review: in review -> draft."""
    _check_permission(user, record, "change")
    _check_state(record, [Status.IN_REVIEW], "withdrawn from review")
    _close_submission(record, RevisionState.WITHDRAWN, user)
    return _set_status(record, Status.DRAFT, user)


@transaction.atomic
def record_approve(
    *,
    record: KnowledgeRecord,
    user: User = None,
    comment: str = "",
    with_sources: bool = False,
) -> KnowledgeRecord:
    """An editor approves a record in review: in review -> published (`with_sources`:
    with the sources it cites that are not published yet, see revision_approve)."""
    _check_editor(user, record, "approve")
    _check_state(record, [Status.IN_REVIEW], "approved")
    return _publish(record, user, comment, with_sources=with_sources)


@transaction.atomic
def record_send_back(
    *, record: KnowledgeRecord, user: User = None, comment: str
) -> KnowledgeRecord:
    """An editor returns a record in review to its curator: in review -> draft."""
    _check_editor(user, record, "send back")
    _check_state(record, [Status.IN_REVIEW], "sent back")
    if not (comment or "").strip():
        raise ValidationError("Say what the curator should change.")
    _close_submission(record, RevisionState.SENT_BACK, user, comment)
    return _set_status(record, Status.DRAFT, user)


@transaction.atomic
def record_publish(
    *,
    record: KnowledgeRecord,
    user: User = None,
    mark_reviewed: bool = True,
    with_sources: bool = False,
    keep_version: bool = True,
) -> KnowledgeRecord:
    """Publish `record` if it meets the publishing rules; raise ValidationError saying why not.
    Editors may publish from any state; the system (user None) too. An editor's publishing
    counts as a review unless `mark_reviewed` is False (the loader: the file says when).
    `keep_version=False` leaves the history to the caller (the loader keeps one version
    for a record it both wrote and published)."""
    _check_editor(user, record, "publish")
    return _publish(
        record,
        user,
        mark_reviewed=mark_reviewed,
        with_sources=with_sources,
        keep_version=keep_version,
    )


def _publish_cited_sources(record, user):
    """Publish, before `record`, the sources it cites that the public cannot see yet,
    each through record_publish (so each has its own published version). Refused as a
    whole (the caller's transaction rolls back) if any of them cannot be published."""
    _refuse_unpublishable(record, with_sources=True)
    for source in cited_unpublished_sources(record):
        record_publish(record=source, user=user)


def _publish(
    record, user, comment="", mark_reviewed=True, with_sources=False, keep_version=True
):
    """Publish `record` and keep the version the public now sees in history: the
    submission being approved, when it holds exactly this content, or else a new
    "Published" revision. Refused (ValidationError) unless it meets the rules; with
    `with_sources`, the sources it cites are published first, in the same transaction."""
    if with_sources:
        _publish_cited_sources(record, user)
    _refuse_unpublishable(record)
    record.published_at = record.published_at or timezone.now()
    if user is not None and mark_reviewed:
        record.last_reviewed = timezone.localdate()
    _set_status(record, Status.PUBLISHED, user, "published_at", "last_reviewed")
    content = record_content(record)
    submitted = None
    for revision in (
        Revision.objects.for_record(record)
        .pending()
        .filter(action=RevisionAction.SUBMIT)
    ):
        if canonical(revision.data) == content:
            submitted = revision
            revision.published_at = timezone.now()
        _close(revision, RevisionState.APPROVED, user, comment)
    if submitted is None and keep_version:
        revision_record_saved(
            record=record,
            base_data=_last_published_content(record),
            user=user,
            action=RevisionAction.PUBLISH,
            comment=comment,
        )
    return record


@transaction.atomic
def record_unpublish(*, record: KnowledgeRecord, user: User = None) -> KnowledgeRecord:
    """Take `record` back to draft: it disappears from every public path at once."""
    _check_editor(user, record, "unpublish")
    _close_submission(record, RevisionState.WITHDRAWN, user)
    return _set_status(record, Status.DRAFT, user)


@transaction.atomic
def record_archive(*, record: KnowledgeRecord, user: User = None) -> KnowledgeRecord:
    """Withdraw a record from the public for good, keeping it: any state -> archived."""
    _check_editor(user, record, "archive")
    _check_state(record, [Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED], "archived")
    _close_submission(record, RevisionState.WITHDRAWN, user)
    return _set_status(record, Status.ARCHIVED, user)


@dataclass(frozen=True)
class Transition:
    """A move offered on a record's page: which service, for whom, from where."""

    service: Callable
    label: str
    editors_only: bool
    sources: tuple  # the states it starts from
    comment: str = ""  # "", "optional" or "required"


TRANSITIONS = {
    "submit": Transition(
        record_submit, "Submit for review", False, (Status.DRAFT,), "optional"
    ),
    "withdraw": Transition(
        record_withdraw, "Withdraw from review", False, (Status.IN_REVIEW,)
    ),
    "approve": Transition(
        record_approve, "Approve and publish", True, (Status.IN_REVIEW,), "optional"
    ),
    "send_back": Transition(
        record_send_back,
        "Send back to the curator",
        True,
        (Status.IN_REVIEW,),
        "required",
    ),
    "publish": Transition(
        record_publish, "Publish", True, (Status.DRAFT, Status.ARCHIVED)
    ),
    "unpublish": Transition(
        record_unpublish,
        "Unpublish (back to draft)",
        True,
        (Status.PUBLISHED, Status.ARCHIVED),
    ),
    "mark_reviewed": Transition(
        record_mark_reviewed, "Mark reviewed today", True, (Status.PUBLISHED,)
    ),
    "archive": Transition(
        record_archive,
        "Archive (withdraw from the public)",
        True,
        (Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED),
    ),
}


def record_transitions(record: KnowledgeRecord, user: User) -> dict[str, Transition]:
    """The transitions `user` may make on `record` now, as {name: Transition}."""
    return {
        name: transition
        for name, transition in TRANSITIONS.items()
        if record.status in transition.sources
        and (can_publish(user, record) or not transition.editors_only)
    }


# The transitions that publish, and so may publish the cited sources with the record.
PUBLISHING_TRANSITIONS = ("publish", "approve")


def record_transition(
    *,
    record: KnowledgeRecord,
    name: str,
    user: User = None,
    comment: str = "",
    with_sources: bool = False,
) -> KnowledgeRecord:
    """Run the transition called `name` (see TRANSITIONS). `with_sources`: publishing
    ("publish", "approve") also publishes the sources the record cites that the public
    cannot see yet, in the same transaction (issue 13, B7)."""
    transition = TRANSITIONS[name]
    kwargs: dict[str, Any] = {"record": record, "user": user}
    if transition.comment:
        kwargs["comment"] = comment
    if with_sources and name in PUBLISHING_TRANSITIONS:
        kwargs["with_sources"] = True
    return transition.service(**kwargs)


def record_set_status(
    *,
    record: KnowledgeRecord,
    status: str,
    user: User = None,
    with_sources: bool = False,
) -> KnowledgeRecord:
    """Move `record` to `status` by the transition that leads there (the admin's select).
    `with_sources`: to published, with the draft sources it cites, as the buttons do."""
    if status == record.status:
        return record
    by_target: dict[str, str] = {
        Status.PUBLISHED: "approve" if record.status == Status.IN_REVIEW else "publish",
        Status.IN_REVIEW: "submit",
        Status.ARCHIVED: "archive",
        Status.DRAFT: "withdraw"
        if record.status == Status.IN_REVIEW and not can_publish(user, record)
        else "unpublish",
    }
    return record_transition(
        record=record, name=by_target[status], user=user, with_sources=with_sources
    )


# --------------------------------------------------------------------------- writing


@dataclass
class Written:
    """What `write_record` did: `outcome` is "created", "updated", "proposed" or
    "unchanged"; `revision` the Revision that keeps it (None when unchanged)."""

    record: Any  # the record written (of the model given)
    outcome: str
    revision: Revision | None = None
    # For a proposal: what would stop an editor approving it (the publishing rules).
    problems: list[str] = field(default_factory=list)


def _content(data):
    return {k: v for k, v in canonical(data).items() if k not in _NOT_CONTENT}


class SlugTaken(ValidationError):
    """`write_record(new=True)` for a slug another record of the type already has."""


@transaction.atomic
def write_record(
    *,
    model,
    data,
    instance=None,
    user=None,
    comment="",
    action=RevisionAction.EDIT,
    carry: dict[str, Any] | None = None,
    new: bool = False,
) -> Written:
    """Write one record's canonical dict, whichever door it came in by (the admin's
    forms, the API, CSV import, restore, a pasted reference; the loader writes many at
    once, `records_load`).

    One validation (the graph writer, writer.py), one normalisation (`canonical`), one
    set of publishing rules and one history: a new record is created as a draft; on a
    published record that `user` may not publish the change becomes a pending proposal
    and the record is untouched; an editor's change must leave a published record
    publishable. One Revision per change, none when the dict changes nothing. Updates
    `instance`, or the record with the dict's slug (`new`: only creates, and raises
    SlugTaken if the slug is taken). `carry`: the author's own pending proposal that
    this change continues (the admin form opened it); its changes to citations,
    classifications and creators are kept unless this one changes them too.

    Raises RecordInvalid (a ValidationError by field, each problem naming its field:
    'field "year": ...', see RecordInvalid.paths), PublishedRulesBroken (an editor's
    change would leave a published record breaking the publishing rules) or
    PermissionDenied.
    """
    data = canonical(data)
    existing = instance or model.objects.filter(slug=data.get("slug")).first()
    if new and existing is not None:
        raise SlugTaken(
            f'A {model._meta.verbose_name} with the slug "{data.get("slug")}" exists.'
        )
    if existing is None:
        opts = model._meta
        if user is not None and not user.has_perm(
            f"{opts.app_label}.add_{opts.model_name}"
        ):
            raise PermissionDenied(f"You may not add {opts.verbose_name_plural}.")
        record = _write_graph(model, data, user=user)
        revision = revision_record_saved(record=record, base_data={}, user=user)
        return Written(record, "created", _commented(revision, comment))
    _check_permission(user, existing, "change")
    base = record_content(existing)
    proposal = record_save_is_proposal(existing, user)
    if proposal and carry:
        data = _carry_over(base, data, carry)
    if _content(data) == base:
        return Written(existing, "unchanged")
    if proposal:
        with transaction.atomic():  # validate by writing, then undo
            # What an editor will be told on approval, told now while the author can act.
            problems = record_publish_problems(_apply(existing, data, user))
            transaction.set_rollback(True)
        revision = revision_propose(
            record=type(existing).objects.get(pk=existing.pk),
            data=_content(data),
            base_data=base,
            user=user,
            comment=comment,
            action=action,
        )
        return Written(existing, "proposed", revision, problems)
    record = _apply(existing, data, user)
    if record.status == Status.PUBLISHED:
        problems = record_publish_problems(record)
        if problems:
            refusal = PublishedRulesBroken(
                f"{record} cannot be kept published with this change: "
                + " ".join(problems)
            )
            refusal.rules, refusal.record = problems, record
            raise refusal
    revision = revision_record_saved(
        record=record, base_data=base, user=user, action=action
    )
    if revision is None:
        return Written(record, "unchanged")
    # A change to its links or citations alone saves no field of the record: it is
    # still a change of the record (its Last-Modified, who changed it last).
    record.updated_by = user or record.updated_by
    record.save(update_fields=["updated_by", "updated_at"])
    return Written(record, "updated", _commented(revision, comment))


def _commented(revision, comment):
    if revision is not None and comment:
        revision.comment = comment
        revision.save(update_fields=["comment"])
    return revision


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    drafts: list[str] = field(default_factory=list)  # "missions/x: reason"


@transaction.atomic
def records_load(*, records, vocab, user=None) -> LoadReport:
    """Write a whole dataset at once (the YAML loader, dataset.load_dataset): `records`
    is {directory: {slug: (path, dict)}} and `vocab` the countries and mandate tasks.

    The same graph writer as `write_record`, in two passes so that records may point to
    each other; then each record takes the status its file asks for through the
    workflow's transitions (a record the publishing rules refuse stays a draft, and the
    report says why), and each record the load changed keeps one Revision. An unchanged
    reload writes nothing. Raises DatasetError, and saves nothing, if anything is wrong.
    """
    items = [
        (record_type, path, slug, data)
        for record_type in DATA_TYPES
        for slug, (path, data) in records[record_type.directory].items()
    ]
    before = _contents_before(items)
    writer = GraphWriter(user=user)
    writer.write_vocabularies(vocab)
    for record_type, path, slug, data in items:
        writer.check_keys(record_type, path, slug, data)
        writer.upsert_record(record_type, path, slug, data)
    for record_type, path, slug, data in items:
        writer.link_record(record_type, path, slug, data)
    if writer.problems:
        raise DatasetError(writer.problems)  # leaving the transaction rolls back
    report = LoadReport()
    for record_type, _path, slug, _data in items:
        key = (record_type.model, slug)
        record = writer.instances[key]
        status = record.status
        changed = key in writer.changed
        # One history entry per record the load changed, kept once its status is
        # settled, so a new published record has one published version.
        kept_back = record_settle_loaded(
            record=record,
            status=writer.wanted_status[key],
            user=user,
            keep_version=not changed,
        )
        if changed:
            revision_record_saved(
                record=record, base_data=before.get(key, {}), user=user
            )
        if kept_back:
            report.drafts.append(
                f"{record_type.directory}/{slug}: " + " ".join(kept_back)
            )
        if key in writer.created:
            report.created += 1
        elif key in writer.changed or record.status != status:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _contents_before(items):
    """The current content of the records a load will write, for their history."""
    before = {}
    for record_type, _path, slug, _data in items:
        record = record_type.model.objects.filter(slug=slug).first()
        if record is not None:
            before[(record_type.model, slug)] = record_content(record)
    return before


def record_settle_loaded(
    *,
    record: KnowledgeRecord,
    status: str,
    user: User = None,
    keep_version: bool = True,
) -> list[str]:
    """Give a loaded record the status its file asks for, through the workflow's own
    transitions. A record the publishing rules refuse stays (or goes back to) a draft:
    returns the reasons, else []. The file's `last_reviewed` stands: publishing from a
    file is not a review."""
    problems = []
    if status == Status.PUBLISHED:
        problems = record_publish_problems(record)
        if problems:
            status = Status.DRAFT
    if record.status == status:
        return problems
    if status == Status.PUBLISHED:
        record_publish(
            record=record, user=user, mark_reviewed=False, keep_version=keep_version
        )
    elif status == Status.ARCHIVED:
        record_archive(record=record, user=user)
    elif status == Status.DRAFT:
        record_unpublish(record=record, user=user)
    else:
        _set_status(record, status, user)  # in review, as the file says
    return problems


# --------------------------------------------------------------------------- restore


@transaction.atomic
def record_restore(
    *,
    record: KnowledgeRecord,
    revision: Revision,
    user: User = None,
    before: bool = False,
) -> Revision | None:
    """Bring back the version kept in `revision` (or, with `before`, the version it
    replaced) as a new change, itself kept in history. On a published record a curator's
    restore is a proposal for review; an editor's is live at once, if publishable.
    Returns the new Revision."""
    _check_permission(user, record, "change")
    data = revision.base_data if before else revision.data
    if not data or revision.object_id != record.pk:
        raise ValidationError(
            "That revision holds no version of this record to restore."
        )
    comment = (
        f"Restores {'the version before ' if before else ''}{revision_label(revision)}."
    )
    written = write_record(
        model=type(record),
        data=data,
        instance=record,
        user=user,
        comment=comment,
        action=RevisionAction.RESTORE,
    )
    if written.revision is None:
        raise ValidationError("That version is the same as the current one.")
    return written.revision


# --------------------------------------------------------------------------- deletion

# Parts of a record that go with it: they do not count as others pointing to it.
_OWNED = (SourceCreator,)


def record_referrers(record: KnowledgeRecord) -> list[Any]:
    """Other objects that point to `record`, as readable strings ("Mission: UNEF I")."""
    found = []
    relations = [
        rel
        for rel in record._meta.related_objects
        if not rel.hidden and rel.related_model not in _OWNED
    ]
    for rel in relations:
        if rel.related_model._meta.app_label != record._meta.app_label:
            continue
        accessor = getattr(record, cast(str, rel.get_accessor_name()))
        for obj in accessor.all()[:20]:
            found.append(f"{obj._meta.verbose_name.capitalize()}: {obj}")
    for m2m in record._meta.many_to_many:
        if m2m.remote_field.model is type(record) and m2m.remote_field.symmetrical:
            for obj in getattr(record, m2m.name).all()[:20]:
                found.append(f"{obj._meta.verbose_name.capitalize()}: {obj}")
    return found


@transaction.atomic
def record_delete(*, record: KnowledgeRecord, user: User = None) -> Revision:
    """Delete a record nothing points to, keeping it in history for `record_undelete`.
    Returns the Revision that holds it."""
    _check_permission(user, record, "delete")
    referrers = record_referrers(record)
    if referrers:
        raise ValidationError(
            f"{record} cannot be deleted while other records point to it: "
            + "; ".join(referrers)
            + "."
        )
    data = record_content(record)
    Revision.objects.for_record(record).pending().update(
        state=RevisionState.WITHDRAWN,
        review_comment="The record was deleted.",
        reviewer=user,
        reviewed_at=timezone.now(),
    )
    revision = _new_revision(
        record,
        action=RevisionAction.DELETE,
        state=RevisionState.APPLIED,
        data=data,
        base_data=data,
        user=user,
        comment=f"Was {record.get_status_display().lower()}.",
    )
    record.delete()
    return revision


@transaction.atomic
def record_undelete(*, revision: Revision, user: User = None) -> KnowledgeRecord:
    """Recreate a deleted record from its deletion revision, as a draft, and carry its
    history over to it. Returns the record."""
    model = revision.model
    if revision.action != RevisionAction.DELETE:
        raise ValidationError("Only a deletion can be undone.")
    if model.objects.filter(pk=revision.object_id).exists():
        raise ValidationError("This record has already been brought back.")
    if user is not None and not (
        user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
        and can_publish(user, model)
    ):
        raise PermissionDenied("Only editors can undo a deletion.")
    slug = revision.data.get("slug")
    if model.objects.filter(slug=slug).exists():
        raise ValidationError(
            f'Another {model._meta.verbose_name} now uses the slug "{slug}"; rename it '
            "first."
        )
    record = _write_graph(model, revision.data, user=user)
    Revision.objects.filter(
        content_type=revision.content_type, object_id=revision.object_id
    ).update(object_id=record.pk)
    _new_revision(
        record,
        action=RevisionAction.UNDELETE,
        state=RevisionState.APPLIED,
        data=record_content(record),
        base_data={},
        user=user,
        comment="Brought back as a draft.",
    )
    return record


# --------------------------------------------------------------------------- imports


@transaction.atomic
def source_create(*, data: dict[str, Any], user: User = None) -> Source:
    """Create a draft Source from its canonical dict (a pasted reference, see importers)."""
    if Source.objects.filter(slug=data.get("slug")).exists():
        raise ValidationError(f'A source with the slug "{data.get("slug")}" exists.')
    return write_record(model=Source, data=data, user=user).record


@transaction.atomic
def records_import(
    *,
    model: type[KnowledgeRecord],
    rows: Iterable[tuple[int, dict[str, Any]]],
    user: User = None,
) -> dict[str, int]:
    """Write many records from canonical dicts, all or nothing: [(row number, dict)].

    Every row is checked; if any is wrong nothing is saved and ValidationError lists each
    problem as "Row 3, column year: ...". Published records a curator changes become
    proposals for review. Returns {"created": n, "updated": n, "proposed": n, ...}."""
    problems: list[str] = []
    outcome: dict[str, int] = {}
    for number, data in rows:
        try:
            with transaction.atomic():
                result = write_record(model=model, data=data, user=user).outcome
        except (DatasetError, ValidationError) as exc:
            # The writer's lines name the column; a refusal by the rules is a sentence.
            found = (
                exc.problems if isinstance(exc, DatasetError | RecordInvalid) else []
            ) or cast(ValidationError, exc).messages
            for problem in found:
                match = PROBLEM_LINE.search(problem)
                if match:
                    where = f", column {match.group(1)}: {match.group(2)}"
                else:
                    where = f": {problem}"
                problems.append(f"Row {number}{where}")
        except PermissionDenied as exc:
            problems.append(f"Row {number}: {exc}")
        else:
            outcome[result] = outcome.get(result, 0) + 1
    if problems:
        raise ValidationError(problems)
    return outcome
