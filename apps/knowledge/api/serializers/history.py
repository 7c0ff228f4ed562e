"""A record's published versions for the API (`/api/v1/<type>/<slug>/history/`), read from
the one history (Revision): each version the public saw, with its number, when it went
live, who made and approved it, and the whole record as it was then, so that a fact can
be cited at a version ("UNEF I, version 412 of 2026-12-06").

What the public never sees stays out: the curators' internal note, and links and
citations to records that are not published now (a draft's slug is not public).
"""

from django.contrib.auth.models import Group
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.models import PublishableModel

from ... import canonical
from ...models import Source

# Never public in a past version: internal notes.
PRIVATE_KEYS = ("curator_note",)


def _published_slugs(model, slugs):
    if not issubclass(model, PublishableModel):
        return set(slugs)  # countries: no drafts
    return set(
        model.objects.published().filter(slug__in=slugs).values_list("slug", flat=True)
    )


def _public_citations(citations, sources):
    return [c for c in citations or [] if c.get("source") in sources]


def public_version(model, data):
    """The canonical dict of a past version without what the public may not read."""
    record_type = canonical.record_type_for(model)
    data = {k: v for k, v in data.items() if k not in PRIVATE_KEYS}
    _keep_public_citations(data)
    _keep_public_links(record_type, data)
    return data


def _keep_public_citations(data):
    """Citations (also a classification's) only to sources the public can read now."""
    cited = {c.get("source") for c in data.get("citations", [])}
    for classification in data.get("classifications", []):
        cited |= {c.get("source") for c in classification.get("citations", [])}
    sources = _published_slugs(Source, cited)
    data["citations"] = _public_citations(data.get("citations"), sources)
    if "classifications" in data:
        data["classifications"] = [
            {**c, "citations": _public_citations(c.get("citations"), sources)}
            for c in data["classifications"]
        ]


def _keep_public_links(record_type, data):
    """Links (one, many, a concept's related) only to records published now."""
    for key, target in record_type.foreign_keys.items():
        if data.get(key) and not _published_slugs(target, [data[key]]):
            data[key] = None
    for key, target in record_type.many.items():
        if data.get(key):
            data[key] = _published_only(target, data[key])
    if isinstance(data.get("related"), dict):
        data["related"] = {
            key: _published_only(canonical.CONCEPT_RELATED[key][1], slugs)
            for key, slugs in data["related"].items()
        }


def _published_only(model, slugs):
    keep = _published_slugs(model, slugs)
    return [slug for slug in slugs if slug in keep]


def person(user):
    """Who, as the public may read it: a person's full name if they gave one, else
    their role. Never a login name (half of a credential)."""
    if user is None:
        return "the system (data loading)"
    name = user.get_full_name().strip()
    if name:
        return name
    roles = set(Group.objects.filter(user=user).values_list("name", flat=True)) | set(
        ["editor"] if user.is_superuser else []
    )
    if any("editor" in role.lower() for role in roles):
        return "an editor"
    return "a curator"


class HistoryVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        source="pk",
        help_text="The version's number, the same in the admin's history; cite it with "
        "the date.",
    )
    date = serializers.DateTimeField(
        source="published_at", help_text="When the public began to see this version."
    )
    action = serializers.CharField(
        source="get_action_display",
        help_text="What made this version: Published, Edited, Restored...",
    )
    author = serializers.SerializerMethodField(
        help_text="Who made the change: a full name, or a role."
    )
    approved_by = serializers.SerializerMethodField(
        help_text="The editor who approved it, if it was reviewed; else null."
    )
    # A field named like one of Serializer's own attributes: the stubs object.
    data = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="The whole record as it was in this version, in the form of the "
        "dataset's files (fields, links by slug, citations, classifications). Links "
        "and citations to records that are not published now are left out."
    )

    def get_author(self, revision) -> str:
        return person(revision.author)

    def get_approved_by(self, revision) -> str | None:
        return person(revision.reviewer) if revision.reviewer_id else None

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_data(self, revision):
        return public_version(revision.model, revision.data)
