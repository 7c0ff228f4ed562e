"""Trigram indexes on the names, on PostgreSQL only, for searches with typos.

"Kosvo" or "peacekeping" match no lexeme; search then looks for names whose words are
close to the query (pg_trgm's word similarity, `<%`), which these GIN indexes answer
without reading every name. On SQLite, which compares names in Python, nothing happens.
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
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, fields in NAMES.items():
        for field in fields:
            schema_editor.execute(
                f"CREATE INDEX {table}_{field}_trgm_idx ON {table} "
                f"USING gin (lower({field}::text) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in NAMES.items():
        for field in fields:
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{field}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0011_comparison_disagreement_section")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
