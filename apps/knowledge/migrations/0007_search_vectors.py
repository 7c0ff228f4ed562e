"""A stored search vector per searched table, on PostgreSQL only.

Migration 0006 indexed the weighted tsvector expression, so every search still built each
matching row's vector to rank it (a second a search at 100x the data). Here each table gets
a generated column `search_vector` holding that same expression, kept up to date by
PostgreSQL itself, with a GIN index on it; the expression indexes of 0006 go. Django's
models do not declare the column (SQLite has no tsvector), so no ORM query reads or writes
it; apps/knowledge/search.py names it in SQL. On SQLite the migration does nothing.
"""

import importlib

from django.db import migrations

# The expressions 0006 indexed; this migration stores exactly those.
search_indexes = importlib.import_module("apps.knowledge.migrations.0006_search_indexes")
VECTORS = search_indexes.VECTORS


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, vector in VECTORS.items():
        # STORAGE MAIN keeps the vector in the row (compressed if need be): left to
        # the default, most vectors went out of line to TOAST, and matching or ranking
        # a few thousand rows fetched each one from there (3x slower).
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({vector}) STORED, "
            f"ALTER COLUMN search_vector SET STORAGE MAIN"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_search_vector_idx ON {table} "
            f"USING gin (search_vector)"
        )
    search_indexes.drop_indexes(apps, schema_editor)


def remove_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    search_indexes.create_indexes(apps, schema_editor)
    for table in VECTORS:
        # Dropping the column drops its index too.
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0006_search_indexes"),
    ]

    operations = [
        migrations.RunPython(add_vectors, remove_vectors, elidable=False),
    ]
