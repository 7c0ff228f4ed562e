"""Migration 0023: a dataset version stored whole (0022: `body`, and `links` for the
current one, and its tables again, each with the stamp) becomes its tables, and the
file put back together from them is the stored file, byte for byte; back to 0022, the
version is stored whole again.

Transactional: the migrations alter tables, which SQLite refuses inside the
transaction a test otherwise runs in. Only the knowledge app moves, and one migration.
"""

import gzip
import hashlib

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.knowledge.api import export
from apps.knowledge.models import DatasetSnapshot
from apps.knowledge.models import DatasetTable
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("knowledge", "0022_dataset_tables")
AFTER = ("knowledge", "0023_dataset_tables_one_copy")


def migrate(target):
    """The project's models as they were at `target`, once migrated there."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()  # what is applied now
    return executor.loader.project_state([target]).apps


def old_shape(apps, version, body, links=None):
    """A version as 0022 stored it: whole and compressed; the current one (`links`)
    also as its tables, each with the stamp of the text it was cut from."""
    snapshot = apps.get_model("knowledge", "DatasetSnapshot").objects.create(
        version=version,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        body=gzip.compress(body, mtime=0),
        stored_bytes=len(gzip.compress(body, mtime=0)),
        links=gzip.compress(links, mtime=0) if links is not None else None,
    )
    if links is None:
        return
    table = apps.get_model("knowledge", "DatasetTable")
    for text in (body, links):
        meta = export._cut(text, b"dataset").decode()
        for name, value in export._tables(text):
            table.objects.create(
                snapshot=snapshot,
                name=name,
                meta=meta,
                body=gzip.compress(value, mtime=0),
            )


def test_a_version_stored_whole_is_its_tables_after_0023_and_whole_again_before():
    cache.clear()
    factories.MissionFactory(slug="unef-i", name="UNEF I")  # cites and is classified
    factories.NormFactory(slug="consent", name="Consent")
    stamp = export.dataset_stamp()
    # The very texts the build stores (0022 stored them as they are).
    body = export.build("dataset", "json", None, stamp).encode()
    links = export.build("links", "json", None, stamp).encode()
    past = body.replace(b"UNEF I", b"UNEF 1")  # an older version, stored whole
    link_tables = dict(export._tables(links))
    assert link_tables["citations"] != b"[]"
    assert link_tables["classifications"] != b"[]"
    try:
        old = migrate(BEFORE)
        old_shape(old, "past", past)
        old_shape(old, stamp.version, body, links)

        migrate(AFTER)
        current = DatasetSnapshot.objects.get(version=stamp.version)
        assert current.body is None
        assert current.has_links
        assert export.version_text(current) == body
        assert hashlib.sha256(export.version_text(current)).hexdigest() == (
            current.sha256
        )
        tables = DatasetTable.objects.filter(snapshot=current)
        stored = {t.name: gzip.decompress(t.body) for t in tables}
        assert stored["citations"] == link_tables["citations"]
        assert stored["classifications"] == link_tables["classifications"]
        assert current.stored_bytes == sum(len(t.body) for t in tables)
        older = DatasetSnapshot.objects.get(version="past")
        assert export.version_text(older) == past  # kept whole, read as before
        assert not older.has_links
        assert not DatasetTable.objects.filter(snapshot=older).exists()

        old = migrate(BEFORE)
        snapshots = old.get_model("knowledge", "DatasetSnapshot").objects
        current = snapshots.get(version=stamp.version)
        assert gzip.decompress(current.body) == body
        assert current.stored_bytes == len(current.body)
        back = gzip.decompress(current.links)
        assert export._cut(back, b"dataset") == export._cut(body, b"dataset")
        assert dict(export._tables(back)) == link_tables
        meta = export._cut(body, b"dataset").decode()
        rows = old.get_model("knowledge", "DatasetTable").objects.filter(
            snapshot=current
        )
        assert {row.meta for row in rows} == {meta}
        assert {row.name: gzip.decompress(row.body) for row in rows} == {
            **dict(export._tables(body)),
            **link_tables,
        }
        older = snapshots.get(version="past")
        assert gzip.decompress(older.body) == past
        assert older.links is None
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
