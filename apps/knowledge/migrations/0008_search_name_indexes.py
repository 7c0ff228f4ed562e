"""Indexes on the upper-cased names, on PostgreSQL only, for stop-word searches.

A query made only of stop words ("WHO", "US") has no lexemes, so search compares it
with the names instead (exact, or the start of a name; apps/knowledge/search.py).
Without these indexes that compared every name of every table (0.3 s at 100x the data).
text_pattern_ops serves both `=` and `LIKE 'WHO %'`. On SQLite, which searches with a
simpler fallback, the migration does nothing.
"""

from django.db import migrations

# The name fields of each searched table (Target.a in apps/knowledge/search.py).
NAMES = {
    "knowledge_mission": ("acronym", "name"),
    "knowledge_case": ("name",),
    "knowledge_norm": ("name",),
    "knowledge_document": ("short_title", "title", "symbol"),
    "knowledge_organisation": ("acronym", "name"),
    "knowledge_concept": ("term",),
    "knowledge_source": ("title", "subtitle"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in NAMES.items():
        for field in fields:
            schema_editor.execute(
                f"CREATE INDEX {table}_{field}_upper_idx ON {table} "
                f"(upper({field}::text) text_pattern_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in NAMES.items():
        for field in fields:
            schema_editor.execute(f"DROP INDEX {table}_{field}_upper_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0007_search_vectors"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
