"""Every published dataset version, kept so that it stays downloadable.

A snapshot is the whole published dataset (`/api/v1/export/dataset.json` as it was) under
its dataset version. It is built in a background thread after the commit of any change to
public content and, failing that, when a request finds the current version missing
(apps/knowledge/api/export.py); it is never rewritten, so a version answers the same bytes
for as long as it is kept.

A version is stored once, as its tables (DatasetTable, gzip each): the stamp on the
version (`meta`), each record table on its own, which the per-type export files read and
from which the whole file is put back together, byte for byte. The current version also
keeps the citation and classification tables (not in dataset.json) for its export files;
a new version drops the previous one's. A version stored before tables were (migration
0023) keeps its whole `body`, gzip-compressed, as it was stored.

Storage is bounded by `PKB_DATASET_ARCHIVE_MB`, counted over `stored_bytes` (what a
version really stores: its body or its tables): past it, the oldest versions lose their
file and answer 410 Gone (the row, with its checksum, stays).
"""

from django.db import models


class DatasetSnapshot(models.Model):
    version = models.CharField(max_length=64, unique=True)
    last_modified = models.DateTimeField(
        null=True, help_text="The latest published change the version contains."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    size = models.PositiveBigIntegerField(help_text="Uncompressed bytes.")
    sha256 = models.CharField(max_length=64, help_text="Of the uncompressed body.")
    # gzip of the JSON body of a version stored before its tables were (0023); null for
    # the versions stored as tables and once dropped by the storage bound.
    body = models.BinaryField(null=True, editable=False)
    stored_bytes = models.PositiveBigIntegerField(
        default=0,
        help_text="Compressed bytes stored: the body or the tables; 0 once dropped.",
    )
    # The stamp, as JSON text: the `dataset` of the version's files.
    meta = models.TextField(blank=True, default="", editable=False)
    has_links = models.BooleanField(
        default=False,
        help_text="Its citation and classification tables are stored (the current "
        "version).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.version


class DatasetTable(models.Model):
    """One table of a stored version (`missions`, ..., `citations`), in the order of the
    version's file; only the current version keeps its citations and classifications."""

    snapshot = models.ForeignKey(
        DatasetSnapshot, on_delete=models.CASCADE, related_name="tables"
    )
    name = models.CharField(max_length=64)
    # gzip of the table's JSON text, as it stands in the stored version.
    body = models.BinaryField(editable=False)

    class Meta:
        ordering = ["snapshot", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "name"], name="dataset_table_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.snapshot.version}: {self.name}"
