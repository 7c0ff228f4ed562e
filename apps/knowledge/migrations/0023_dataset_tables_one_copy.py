"""Store each dataset version once, as its tables.

Until 0022 the current version was stored twice: whole (`body`, and `links` for its
citation and classification tables) and again table by table (DatasetTable, each with the
same stamp). From here a version is its tables, in the order of its file, with the stamp
once on the version; the whole file is put back together from them, byte for byte.

Forward, the version that has `links` (the current one) is split into its tables (those
stored already are cut again from its text) and loses its body and links, once its tables
are checked to give back its body's very bytes; `stored_bytes` then counts its tables.
Past versions keep their body (they are read as before). Backward, a version stored as
tables gets its body back (and its links if it is the current one, whose tables get the
stamp again); only the current version keeps tables, as 0022 did.
"""

import gzip
import re

from django.db import migrations, models

LINK_TABLES = ("citations", "classifications")
TOP_KEY = re.compile(rb'\n "([^"]+)": ')


def _cut(text, key):
    """The value of a top-level `key` of an indent=1 JSON dump, as its text
    (apps/knowledge/api/export.py)."""
    start = text.index(b'\n "' + key + b'": ') + len(key) + 6
    closing = b"]" if text[start : start + 1] == b"[" else b"}"
    if text[start + 1 : start + 2] == closing:
        return text[start : start + 2]
    return text[start : text.index(b"\n " + closing, start) + 3]


def _tables(text):
    return [
        (key.decode(), _cut(text, key))
        for key in TOP_KEY.findall(text)
        if key != b"dataset"
    ]


def _assemble(meta, tables):
    parts = [b'{\n "dataset": ' + meta]
    parts += [b'\n "' + name.encode() + b'": ' + text for name, text in tables]
    return b",".join(parts) + b"\n}\n"


def _constraints_now(schema_editor):
    """PostgreSQL checks the rows' deferred foreign keys at once: it alters no table
    with pending trigger events, and the tables are altered next, in this transaction."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def split(apps, schema_editor):
    Snapshot = apps.get_model("knowledge", "DatasetSnapshot")
    Table = apps.get_model("knowledge", "DatasetTable")
    for snapshot in Snapshot.objects.exclude(links=None):
        Table.objects.filter(snapshot=snapshot).delete()
        if snapshot.body is None:  # dropped by the storage bound: the build redoes it
            snapshot.links = None
            snapshot.save(update_fields=["links"])
            continue
        text = gzip.decompress(snapshot.body)
        meta = _cut(text, b"dataset")
        records = _tables(text)
        tables = records + _tables(gzip.decompress(snapshot.links))
        rows = [
            Table(snapshot=snapshot, name=name, body=gzip.compress(value, mtime=0))
            for name, value in tables
        ]
        Table.objects.bulk_create(rows)
        snapshot.meta = meta.decode()
        snapshot.has_links = True
        if _assemble(meta, records) == text:
            snapshot.body = None
            snapshot.stored_bytes = sum(len(row.body) for row in rows)
        snapshot.save(update_fields=["meta", "has_links", "body", "stored_bytes"])
    _constraints_now(schema_editor)


def join(apps, schema_editor):
    Snapshot = apps.get_model("knowledge", "DatasetSnapshot")
    Table = apps.get_model("knowledge", "DatasetTable")
    for snapshot in Snapshot.objects.filter(
        models.Q(body=None) | models.Q(has_links=True)
    ):
        rows = list(
            Table.objects.filter(snapshot=snapshot)
            .order_by("pk")
            .values_list("name", "body")
        )
        if not rows:
            continue
        tables = [(name, gzip.decompress(body)) for name, body in rows]
        meta = snapshot.meta.encode()
        if snapshot.body is None:
            text = _assemble(meta, [t for t in tables if t[0] not in LINK_TABLES])
            snapshot.body = gzip.compress(text, mtime=0)
            snapshot.stored_bytes = len(snapshot.body)
        if snapshot.has_links:
            links = _assemble(meta, [t for t in tables if t[0] in LINK_TABLES])
            snapshot.links = gzip.compress(links, mtime=0)
            Table.objects.filter(snapshot=snapshot).update(meta=snapshot.meta)
        else:
            Table.objects.filter(snapshot=snapshot).delete()
        snapshot.save(update_fields=["body", "stored_bytes", "links"])
    _constraints_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0022_dataset_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="datasetsnapshot",
            name="has_links",
            field=models.BooleanField(
                default=False,
                help_text="Its citation and classification tables are stored (the "
                "current version).",
            ),
        ),
        migrations.AddField(
            model_name="datasetsnapshot",
            name="meta",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AlterField(
            model_name="datasetsnapshot",
            name="stored_bytes",
            field=models.PositiveBigIntegerField(
                default=0,
                help_text="Compressed bytes stored: the body or the tables; 0 once "
                "dropped.",
            ),
        ),
        # A default, so that migrating back adds the column to the rows there are
        # (join() then fills it).
        migrations.AlterField(
            model_name="datasettable",
            name="meta",
            field=models.TextField(default=""),
        ),
        migrations.RunPython(split, join),
        migrations.RemoveField(model_name="datasettable", name="meta"),
        migrations.RemoveField(model_name="datasetsnapshot", name="links"),
    ]
