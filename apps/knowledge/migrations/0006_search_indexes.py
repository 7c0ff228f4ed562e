"""GIN indexes for full-text search, on PostgreSQL only.

Each index is on exactly the weighted tsvector expression that apps/knowledge/search.py
builds (Target.vector_sql), so the planner can use it; the expressions are copied here so
that this migration keeps meaning what it meant when it was written. On SQLite, which
searches with a simpler fallback, the migration does nothing.
"""

from django.db import migrations

VECTORS = {
    "knowledge_mission": (
        "setweight(to_tsvector('english'::regconfig, coalesce(acronym, '') || ' ' || coalesce(name, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(mandate_summary, '')), 'C')"
    ),
    "knowledge_case": (
        "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')"
    ),
    "knowledge_norm": (
        "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')"
    ),
    "knowledge_document": (
        "setweight(to_tsvector('english'::regconfig, coalesce(short_title, '') || ' ' || coalesce(title, '') || ' ' || coalesce(symbol, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')"
    ),
    "knowledge_organisation": (
        "setweight(to_tsvector('english'::regconfig, coalesce(acronym, '') || ' ' || coalesce(name, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')"
    ),
    "knowledge_concept": (
        "setweight(to_tsvector('english'::regconfig, coalesce(term, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')"
    ),
    "knowledge_source": (
        "setweight(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(subtitle, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(container_title, '') || ' ' || coalesce(publisher, '')), 'C')"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, vector in VECTORS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_idx ON {table} "
            f"USING gin (({vector}))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in VECTORS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0005_editorial_groups"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
