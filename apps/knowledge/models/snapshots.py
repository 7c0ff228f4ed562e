"""Every published dataset version, kept so that it stays downloadable.

A snapshot is the whole published dataset (`/api/v1/export/dataset.json` as it was) under
its dataset version, gzip-compressed. It is built in a background thread after the commit of any change to
public content and, failing that, when a request finds the current version missing
(apps/knowledge/api/export.py); it is never rewritten, so a version answers the same bytes for as long as it is
kept. Storage is bounded by `PKB_DATASET_ARCHIVE_MB`: past it, the oldest bodies are
dropped and their versions answer 410 Gone (the row, with its checksum, stays).

The per-type export files (`missions.csv`, ...) are cut from the current version's
snapshot: the record tables from its body, the citation and classification tables (not
in dataset.json) from `links`, which only the newest version keeps. The newest version
also keeps each of those tables on its own (DatasetTable), so that a per-type file reads
its table, not the whole dataset.
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
    # gzip of the JSON body; null once dropped by the storage bound.
    body = models.BinaryField(null=True, editable=False)
    stored_bytes = models.PositiveBigIntegerField(default=0)
    # gzip of {"dataset": ..., "citations": [...], "classifications": [...]}, built with
    # the body; null for past versions (only the current one's export files use it).
    links = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.version


class DatasetTable(models.Model):
    """One table of a stored version (`missions`, ..., `citations`), stored on its own for
    the per-type export files: only the newest version keeps them."""

    snapshot = models.ForeignKey(
        DatasetSnapshot, on_delete=models.CASCADE, related_name="tables"
    )
    name = models.CharField(max_length=64)
    # The stamp the table was built with, as JSON text (the `dataset` of its file).
    meta = models.TextField()
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
