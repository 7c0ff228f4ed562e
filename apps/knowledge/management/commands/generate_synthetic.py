"""Grow the database to N times the curated size with synthetic records, for benchmarks.

Each synthetic record copies a curated one (its coded dimensions, relations, citations and
classifications), so pages and queries see realistic shapes. Synthetic slugs start with
`synthetic-`; `--clear` removes them all. Never run against a production database.
"""

import itertools

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import transaction

from apps.core import versions
from apps.core.models import Status
from apps.knowledge.invalidation import VOCABULARY
from apps.knowledge.models import Case
from apps.knowledge.models import Citation
from apps.knowledge.models import Classification
from apps.knowledge.models import Concept
from apps.knowledge.models import Document
from apps.knowledge.models import Mission
from apps.knowledge.models import Norm
from apps.knowledge.models.base import LOCATOR_FIELDS

PREFIX = "synthetic-"
COPIED_FIELDS = {
    Norm: ["name", "conception", "summary"],
    Document: [
        "title",
        "short_title",
        "kind",
        "issuer_id",
        "date",
        "date_precision",
        "summary",
    ],
    Case: [
        "name",
        "conflict_type",
        "start_date",
        "start_precision",
        "end_date",
        "end_precision",
        "summary",
    ],
    Mission: [
        "name",
        "acronym",
        "mission_type",
        "start_date",
        "start_precision",
        "end_date",
        "end_precision",
        "mandate_summary",
        "host_consent",
        "use_of_force",
        "impartiality",
        "legal_basis",
        "authorising_body_id",
        "lead_state_id",
        "summary",
    ],
    Concept: ["term", "summary"],
}
# Many-to-many relations copied as they are (their targets are curated records).
COPIED_M2M = {
    Document: ["norms"],
    Case: ["countries", "norms"],
    Mission: ["organisations", "authorised_by", "mandate_tasks", "norms"],
    Concept: ["norms"],
}
LABEL_FIELD = {
    Norm: "name",
    Document: "title",
    Case: "name",
    Mission: "name",
    Concept: "term",
}


CITATION_FIELDS = ["source_id", *LOCATOR_FIELDS, "note", "position"]


def _copy_citation(citation, content_type, object_id):
    """The same citation, attached to another record."""
    values = {name: getattr(citation, name) for name in CITATION_FIELDS}
    return Citation(content_type=content_type, object_id=object_id, **values)


class Command(BaseCommand):
    help = "Add synthetic records so the database is --scale times the curated size."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=10, help="Target multiple (>= 1)."
        )
        parser.add_argument(
            "--clear", action="store_true", help="Remove synthetic records."
        )

    def handle(self, *args, scale, clear, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        with transaction.atomic():
            self.clear()
            # Bulk inserts and deletes send no signals: every page shows the vocabulary.
            versions.bump_after_commit([VOCABULARY])
            if clear:
                self.stdout.write("Removed synthetic records.")
                return
            copies = scale - 1
            created = {}
            for model in (Norm, Document, Case, Mission, Concept):
                created[model] = self.copy_model(model, copies)
            self.link_missions_to_cases(created[Mission], created[Case])
        counts = ", ".join(f"{m.__name__}: {m.objects.count()}" for m in created)
        self.stdout.write(
            f"Scale {scale}: {counts}, citations: {Citation.objects.count()}"
        )

    def clear(self):
        for model in (Mission, Case, Concept, Document, Norm):
            content_type = ContentType.objects.get_for_model(model)
            ids = list(
                model.objects.filter(slug__startswith=PREFIX).values_list(
                    "id", flat=True
                )
            )
            classification_ids = Classification.objects.filter(
                content_type=content_type, object_id__in=ids
            ).values_list("id", flat=True)
            Citation.objects.filter(
                content_type=ContentType.objects.get_for_model(Classification),
                object_id__in=list(classification_ids),
            ).delete()
            Classification.objects.filter(
                content_type=content_type, object_id__in=ids
            ).delete()
            Citation.objects.filter(
                content_type=content_type, object_id__in=ids
            ).delete()
            model.objects.filter(id__in=ids).delete()

    def copy_model(self, model, copies):
        templates = list(
            model.objects.published()
            .exclude(slug__startswith=PREFIX)
            .prefetch_related(
                "citations",
                *COPIED_M2M.get(model, []),
                *(["cases"] if model is Mission else []),
            )
        )
        if not templates or copies == 0:
            return []
        label = LABEL_FIELD[model]
        new = []
        for copy_number, template in itertools.product(range(1, copies + 1), templates):
            values = {name: getattr(template, name) for name in COPIED_FIELDS[model]}
            values[label] = f"{values[label]} (synthetic {copy_number})"
            record = model(
                slug=f"{PREFIX}{copy_number}-{template.slug}",
                status=Status.PUBLISHED,
                **values,
            )
            record._template = template
            new.append(record)
        model.objects.bulk_create(new, batch_size=1000)
        # bulk_create sets primary keys on PostgreSQL and SQLite 3.35+; re-read to be safe.
        by_slug = dict(
            model.objects.filter(slug__startswith=PREFIX).values_list("slug", "id")
        )
        for record in new:
            record.pk = record.id = by_slug[record.slug]
        self.copy_relations(model, new)
        self.copy_citations(model, new)
        if model in (Case, Mission):
            self.copy_classifications(model, new)
        return new

    def copy_relations(self, model, records):
        for name in COPIED_M2M.get(model, []):
            through = getattr(model, name).through
            source_column = f"{model._meta.model_name}_id"
            target_column = next(
                f.attname
                for f in through._meta.fields
                if f.is_relation and f.attname not in ("id", source_column)
            )
            rows = [
                through(**{source_column: record.pk, target_column: target.pk})
                for record in records
                for target in getattr(record._template, name).all()
            ]
            through.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)

    def copy_citations(self, model, records):
        content_type = ContentType.objects.get_for_model(model)
        rows = [
            _copy_citation(c, content_type, record.pk)
            for record in records
            for c in record._template.citations.all()
        ]
        Citation.objects.bulk_create(rows, batch_size=5000)

    def copy_classifications(self, model, records):
        content_type = ContentType.objects.get_for_model(model)
        classification_type = ContentType.objects.get_for_model(Classification)
        templates = {r._template.pk for r in records}
        originals = {}
        for c in Classification.objects.filter(
            content_type=content_type, object_id__in=templates
        ).prefetch_related("citations"):
            originals.setdefault(c.object_id, []).append(c)
        pairs = []
        for record in records:
            for original in originals.get(record._template.pk, []):
                pairs.append(
                    (
                        original,
                        Classification(
                            content_type=content_type,
                            object_id=record.pk,
                            value=original.value,
                            preferred=original.preferred,
                            period_start=original.period_start,
                            period_end=original.period_end,
                            rationale=original.rationale,
                            position=original.position,
                        ),
                    )
                )
        Classification.objects.bulk_create([new for _, new in pairs], batch_size=5000)
        if pairs and pairs[0][1].pk is None:
            raise CommandError(
                "This database does not return primary keys from bulk inserts."
            )
        Citation.objects.bulk_create(
            [
                _copy_citation(c, classification_type, new.pk)
                for original, new in pairs
                for c in original.citations.all()
            ],
            batch_size=5000,
        )

    def link_missions_to_cases(self, missions, cases):
        """A synthetic mission belongs to the synthetic copy of its template's cases."""
        case_ids = {case.slug: case.pk for case in cases}
        through = Mission.cases.through
        rows = []
        for mission in missions:
            copy_number = mission.slug[len(PREFIX) :].split("-", 1)[0]
            for case in mission._template.cases.all():
                target = case_ids.get(f"{PREFIX}{copy_number}-{case.slug}", case.pk)
                rows.append(through(mission_id=mission.pk, case_id=target))
        through.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
