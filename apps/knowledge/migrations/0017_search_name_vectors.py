"""A stored names-only search vector per searched table, on PostgreSQL only.

A common word ("kosovo", "peacekeeping") matches thousands of records at 100x the data,
and ranking read and scored every one. apps/knowledge/search.py now takes a capped set of
candidates first, names before the rest; this column, `name_vector`, holds the names
alone, with a GIN index, so "names holding every word of the query" is an index lookup.
Each name field has its own weight (the first A, the next B, then C), so the vector also
gives each field's own words back (`ts_filter`): ranking compares a name with the query
once both are stemmed without parsing the name again for every row.
On SQLite the migration does nothing.
"""

from django.db import migrations

# Target.name_vector_sql() in apps/knowledge/search.py builds exactly these.
NAME_VECTORS = {
    "knowledge_mission": (
        "setweight(to_tsvector('english'::regconfig, coalesce(acronym, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'B')"
    ),
    "knowledge_case": (
        "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')"
    ),
    "knowledge_norm": (
        "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')"
    ),
    "knowledge_document": (
        "setweight(to_tsvector('english'::regconfig, coalesce(short_title, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(symbol, '')), 'C')"
    ),
    "knowledge_organisation": (
        "setweight(to_tsvector('english'::regconfig, coalesce(acronym, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'B')"
    ),
    "knowledge_concept": (
        "setweight(to_tsvector('english'::regconfig, coalesce(term, '')), 'A')"
    ),
    "knowledge_source": (
        "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(subtitle, '')), 'B')"
    ),
}


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, vector in NAME_VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN name_vector tsvector "
            f"GENERATED ALWAYS AS ({vector}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_name_vector_idx ON {table} USING gin (name_vector)"
        )


def remove_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NAME_VECTORS:
        # Dropping the column drops its index too.
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN name_vector")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0016_baseline_published_versions")]

    operations = [migrations.RunPython(add_vectors, remove_vectors, elidable=False)]
