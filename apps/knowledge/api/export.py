"""The whole published dataset in bulk: JSON (all of it, or per type) and CSV per type,
stamped with a dataset version and the generation date, plus the codebook.

The JSON records are exactly the API's detail representations, so a harvester and an API
client read the same shapes. CSV files flatten them: related records become their slugs
joined by "; ", and citations and classifications get tables of their own.

The dataset version changes whenever anything published changes: it is read from the
content generation (apps/core/versions.py, the source every cache and ETag reads), and
named once per generation from the number of published records of each type and the
time of the latest change (a name that survives a cache flush). It is also the cache
key: an export is built once per version.

Every version stays downloadable at /api/v1/export/<version>/: the whole dataset as it
was, stored once (models/snapshots.py) and answered byte for byte ever after. Building one
takes over a minute at 100 times today's data, so no request waits for it: a background
thread builds it after the commit that made it current (or when a request finds it
missing and no build running), one build at a time across processes, and until it is
stored the index says "building" and its address answers 503 with Retry-After.

A version is stored once, as its tables (one row each, gzip): the whole file is put back
together from them, and the per-type files, filtered or not, read their own table of the
current version, which also keeps its citations and classifications (at 100 times today's
data, building missions.csv in the request took longer than a worker may take). A
filtered file keeps the records its type's FilterSet keeps (their slugs, one query).
The whole file (dataset.json, a version's address) is streamed a few records at a time
from the compressed tables, never held or cached whole (`version_pieces`).
"""

import contextlib
import csv
import gzip
import hashlib
import inspect
import io
import itertools
import json
import logging
import re
import signal
import subprocess
import sys
import threading
import uuid
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.db.models import Choices
from django.db.models import Count
from django.db.models import Max
from django.db.models import Sum
from django.db.models.functions import Length
from django.http import HttpResponse
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework import serializers
from rest_framework.response import Response

from apps.core import pagecache
from apps.core import versions as content_versions

from .. import codebook as codebook_rules
from ..importers import _defuse as defuse_formula
from ..models import DatasetSnapshot
from ..models import DatasetTable
from ..models import MandateTask
from ..models import choices as choices_module
from ..registry import RECORD_MODELS
from ..registry import RECORD_TYPES
from .exceptions import Building
from .exceptions import Gone
from .serializers import ErrorSerializer
from .serializers import ExportIndexSerializer
from .views import CitationViewSet
from .views import ClassificationViewSet
from .views import ReadOnlyAPIView
from .views import _load_records_of_classifications
from .views import citation_queryset
from .views import classification_queryset

logger = logging.getLogger(__name__)

RECORD_VIEWSETS = {t.api_path: t.viewset for t in RECORD_TYPES}
LINK_TABLES = {"citations": CitationViewSet, "classifications": ClassificationViewSet}
TABLES = [*RECORD_VIEWSETS, *LINK_TABLES]
LINK_NAMES = list(LINK_TABLES)  # the stored names of the link tables
FORMATS = {"json": "application/json", "csv": "text/csv"}


# --------------------------------------------------------------------------- version


@dataclass(frozen=True)
class Stamp:
    version: str
    last_modified: object  # datetime or None

    def as_dict(self, *, generated=True):
        """The stamp; `generated` adds the time a file was built (not in the index, whose
        ETag would otherwise change every second)."""
        stamp = {
            "name": settings.SITE_NAME,
            "version": self.version,
            "last_modified": api_datetime(self.last_modified),
        }
        if generated:
            stamp["generated_at"] = api_datetime(timezone.now().replace(microsecond=0))
        return stamp


def api_datetime(value):
    """A date and time written as the rest of the API writes them ("...Z" in UTC)."""
    return serializers.DateTimeField().to_representation(value) if value else None


def dataset_stamp() -> Stamp:
    """The dataset version of the current content generation: named once per
    generation (the aggregate queries run after each publish, not on each request)."""
    key = f"dataset-stamp:{content_versions.current_generation()}"
    stamp = cache.get(key)
    if stamp is None:
        stamp = _name_version()
        cache.set(key, stamp, content_versions.TIMEOUT)
    return stamp


def _name_version() -> Stamp:
    """The date of the latest published change and a short hash of what is published
    (one aggregate query per type)."""
    parts, latest = [], None
    for model in RECORD_MODELS:
        row = model.objects.published().aggregate(
            n=Count("pk"), latest=Max("updated_at")
        )
        parts.append(f"{model._meta.model_name}:{row['n']}:{row['latest']}")
        if row["latest"] and (latest is None or row["latest"] > latest):
            latest = row["latest"]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:8]
    day = latest.strftime("%Y-%m-%d") if latest else "empty"
    return Stamp(version=f"{day}.{digest}", last_modified=latest)


# --------------------------------------------------------------------------- versions

# The build lock, shared by every process through the cache: held for BUILD_LEASE
# seconds and renewed while the build runs, so a build that dies with its worker frees
# the lock within that time and the next trigger builds again.
BUILD_LOCK = "dataset-build"
BUILD_LEASE = 60
# While the cache is unreachable, PostgreSQL's own lock stands in for the lease: a
# session advisory lock under this key, which the server frees if its process dies.
# (SQLite serves one machine in development: there the build runs unlocked.)
DATABASE_LOCK_KEY = 0x706B62  # "pkb"
# A build that finds the content changed again when it ends builds the newer version
# too (that publish's own trigger found this build running), at most this many times.
BUILD_ROUNDS = 3
# What a client asking for a version still being built is told to wait (seconds).
RETRY_AFTER = 30
STORED, BUILDING = "stored", "building"  # the current version's status in the index


def archive_limit():
    """How many compressed bytes of past versions are kept (PKB_DATASET_ARCHIVE_MB)."""
    return settings.PKB_DATASET_ARCHIVE_MB * 1024 * 1024


def stored_snapshot(version):
    """The stored snapshot of `version` without its body, or None; `has_links` says
    whether its citation and classification tables are stored. Never builds."""
    return DatasetSnapshot.objects.defer("body").filter(version=version).first()


def store_current_version():
    """Build and store the current dataset version on this thread, unless it is stored
    (the one build: background threads, commands and tests call it). Returns it; None
    only if the published content kept changing while it was being built. Requests never
    call it: a build takes over a minute at 100 times today's data."""
    for _attempt in range(2):
        stamp = dataset_stamp()
        found = stored_snapshot(stamp.version)
        if found and found.has_links:
            return found
        # Addresses relative to the site: the same file whichever host name served it.
        # A version stored already keeps its text (never rewritten): only its links
        # are built (one whose file was dropped by the storage bound is built again).
        kept = found is not None and found.stored_bytes > 0
        body = None if kept else build("dataset", "json", None, stamp).encode()
        links = build("links", "json", None, stamp).encode()
        if dataset_stamp() == stamp:  # nothing was published meanwhile
            return _store(stamp, body, links)
    return None


def _store(stamp, body, links):
    """Store the version as its tables: the record tables cut from `body` (None: it is
    stored; a version stored whole before tables were is split), the citations and
    classifications from `links`, which only the newest version keeps."""
    try:
        with transaction.atomic():
            snapshot, records = _version_tables(stamp, body)
            rows = [
                DatasetTable(
                    snapshot=snapshot, name=name, body=gzip.compress(text, mtime=0)
                )
                for name, text in [*records, *_tables(links)]
            ]
            _drop_links(keep=snapshot)
            DatasetTable.objects.bulk_create(rows)
            snapshot.has_links = True
            snapshot.stored_bytes = _stored_bytes(snapshot)
            snapshot.save(update_fields=["has_links", "stored_bytes", "body"])
    except IntegrityError:  # another process stored this version first
        pass
    _drop_oldest_beyond_limit()
    return stored_snapshot(stamp.version)


def _version_tables(stamp, body):
    """The version's row, and its record tables still to store ([] if they are): cut
    from the built `body` (a new row), or from the body stored before tables were, which
    the tables then replace."""
    if body is not None:
        meta = _cut(body, b"dataset")
        records = _tables(body)
        _check(meta, records, body)
        snapshot, _created = DatasetSnapshot.objects.update_or_create(
            version=stamp.version,
            defaults={
                "last_modified": stamp.last_modified,
                "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
                "body": None,
                "meta": meta.decode(),
            },
        )
        DatasetTable.objects.filter(snapshot=snapshot).delete()  # a dropped file's
        return snapshot, records
    snapshot = DatasetSnapshot.objects.get(version=stamp.version)
    if snapshot.body is None:  # stored as tables: their links are added
        DatasetTable.objects.filter(snapshot=snapshot, name__in=LINK_NAMES).delete()
        return snapshot, []
    text = gzip.decompress(snapshot.body)
    meta = _cut(text, b"dataset")
    records = _tables(text)
    _check(meta, records, text)
    DatasetTable.objects.filter(snapshot=snapshot).delete()
    snapshot.body, snapshot.meta = None, meta.decode()
    snapshot.save(update_fields=["body", "meta"])
    return snapshot, records


def _check(meta, records, text):
    """The tables must give back the version's very bytes (its checksum and ETag)."""
    tables = ((name, [table]) for name, table in records)
    if b"".join(_assembled(meta, tables)) != text:
        raise ValueError("a dataset version's tables do not give back its file")


def _drop_links(*, keep):
    """Only the newest version keeps its citations and classifications."""
    for snapshot in DatasetSnapshot.objects.filter(has_links=True).exclude(pk=keep.pk):
        tables = DatasetTable.objects.filter(snapshot=snapshot)
        # Stored whole (before tables were): it keeps no table at all.
        if snapshot.body is None:
            tables = tables.filter(name__in=LINK_NAMES)
        tables.delete()
        snapshot.has_links = False
        snapshot.stored_bytes = _stored_bytes(snapshot)
        snapshot.save(update_fields=["has_links", "stored_bytes"])


def _stored_bytes(snapshot):
    """What the version really stores: its body (before tables) or its tables."""
    if snapshot.body is not None:
        return len(snapshot.body)
    tables = DatasetTable.objects.filter(snapshot=snapshot)
    return tables.aggregate(n=Sum(Length("body")))["n"] or 0


def _drop_oldest_beyond_limit():
    """Keep the newest versions within the storage bound; the oldest lose their file
    (their row, date and checksum stay, and they answer 410). The newest, and the one
    whose links are stored (the current one), are always kept."""
    kept, limit, dropped = 0, archive_limit(), []
    rows = DatasetSnapshot.objects.filter(stored_bytes__gt=0).values_list(
        "pk", "stored_bytes", "has_links"
    )
    for index, (pk, stored, current) in enumerate(rows):  # newest first
        kept += stored
        if index and kept > limit and not current:
            dropped.append(pk)
    if dropped:
        DatasetTable.objects.filter(snapshot__in=dropped).delete()
        DatasetSnapshot.objects.filter(pk__in=dropped).update(body=None, stored_bytes=0)


def building():
    """Whether a build is running in some process: under the cache's lease, or under
    the database's lock while the cache was unreachable. The cache's answer stands when
    it gives one: the database is asked only while Redis is unreachable."""
    leased = cache.has_key(BUILD_LOCK)
    if leased is None:  # what the cache answers while Redis is unreachable
        return _database_lock_taken()
    return leased


def start_building():
    """Store the current version in the background; returns at once. A background
    thread, or with PKB_DATASET_BUILD_PROCESS a detached process: either takes the build
    lock or, if another build holds it, ends."""
    try:
        if settings.PKB_DATASET_BUILD_PROCESS:
            _start_process()
        else:
            threading.Thread(
                target=_build_in_background, name="dataset-version", daemon=True
            ).start()
    except Exception:  # never fail the commit or request that asked for it
        logger.exception("could not start the dataset version build")


def _start_process():
    """`manage.py store_dataset_version` in a session of its own: the build's minutes of
    CPU and its memory are not the web worker's, and a worker that gunicorn restarts or
    times out does not take the build with it."""
    if building():  # spare a process start (the process checks the lock itself)
        return
    subprocess.Popen(
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "store_dataset_version",
            f"--timeout={settings.PKB_DATASET_BUILD_TIMEOUT}",
        ],
        cwd=settings.BASE_DIR,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def _build_in_background():
    try:
        build_under_lock()
    finally:
        connection.close()  # the thread's own connection


def build_under_lock(timeout=None):
    """The background build: store the current version holding the build lock (nothing
    if another build holds it), again if a publish made a newer one meanwhile. Failures
    are logged, never raised: the next publish or request builds again. `timeout`
    (seconds, main thread only: the command's) gives up a build that hangs."""
    if timeout:
        signal.signal(signal.SIGALRM, _timed_out)
        signal.alarm(timeout)
    try:
        for _round in range(BUILD_ROUNDS):
            with _build_lock() as held:
                if not held:
                    return  # another thread or process is building
                store_current_version()
            found = stored_snapshot(dataset_stamp().version)
            if found and found.has_links:
                return
    except Exception:
        logger.exception("could not store the published dataset version")
    finally:
        if timeout:
            signal.alarm(0)


class BuildTimeout(Exception):
    pass


def _timed_out(signum, frame):
    raise BuildTimeout("the dataset version build took longer than its timeout")


@contextlib.contextmanager
def _build_lock():
    """Hold the build lock (True) or say another build holds it (False): the cache's
    lease, which a second thread renews while the build runs, or the database's lock
    while the cache is unreachable (a Redis outage must not stop every build)."""
    token = uuid.uuid4().hex
    leased = cache.add(BUILD_LOCK, token, BUILD_LEASE)
    if leased is None:  # what the cache answers while Redis is unreachable
        with _database_lock() as held:
            yield held
        return
    if not leased:
        yield False
        return
    done = threading.Event()

    def renew():
        while not done.wait(BUILD_LEASE / 3):
            if cache.get(BUILD_LOCK) == token:
                cache.touch(BUILD_LOCK, BUILD_LEASE)

    threading.Thread(target=renew, name="dataset-build-lease", daemon=True).start()
    try:
        yield True
    finally:
        done.set()
        if cache.get(BUILD_LOCK) == token:  # not another build's, after an expiry
            cache.delete(BUILD_LOCK)


@contextlib.contextmanager
def _database_lock():
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [DATABASE_LOCK_KEY])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [DATABASE_LOCK_KEY])


def _database_lock_taken():
    """Whether some session holds the database's build lock (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        # A bigint key shows as classid (high half) and objid (low half), objsubid 1.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database"
            " WHERE datname = current_database())"
            " AND classid = 0 AND objid = %s AND objsubid = 1)",
            [DATABASE_LOCK_KEY],
        )
        return cursor.fetchone()[0]


def store_version_after_commit():
    """After the commit of a change to public content, build the version it made
    current in the background (once per transaction): the editor's request only starts
    the thread."""
    if not settings.PKB_DATASET_VERSIONS_ON_COMMIT:
        return
    waiting = transaction.get_connection().run_on_commit
    if any(func is start_building for _, func, *_ in waiting):
        return
    transaction.on_commit(start_building)


def current_version():
    """The current version and whether it is stored; if it is neither stored nor being
    built, its build starts in the background."""
    stamp = dataset_stamp()
    found = stored_snapshot(stamp.version)
    if found and found.has_links:
        return stamp, STORED
    build_in_background()
    # A version stored before its links were: its file is served while they are built.
    return stamp, STORED if found and found.stored_bytes else BUILDING


def build_in_background():
    """Start building the current version unless a build is running: for a request that
    finds it (or its links) not stored yet."""
    if not building():
        start_building()


def version_url(request, version):
    return request.build_absolute_uri(
        reverse("api:export-version", kwargs={"version": version})
    )


def versions(request):
    """Every stored version, newest first, with its address."""
    return [
        {
            "version": snapshot.version,
            "last_modified": snapshot.last_modified,
            "stored_at": snapshot.created_at,
            "size": snapshot.size,
            "sha256": snapshot.sha256,
            "available": snapshot.stored_bytes > 0,
            "url": version_url(request, snapshot.version),
        }
        for snapshot in DatasetSnapshot.objects.defer("body")
    ]


# The fields whose values are the site's addresses: relative in a stored version (built
# without a request), absolute in dataset.json as in every other answer of the API.
# (A line's start written as "\n", not "^" with re.M: a literal to search for, 1.6 times
# as fast on the 135 MB of citations at 100x.)
SITE_ADDRESS = re.compile(
    r'(\n *"(?:url|html_url|csl_json|bibtex|ris|classification|[a-z_]+_url)": ")(?=/)'
)


def current_dataset(request, stamp):
    """dataset.json: the stored current version with this host's absolute addresses,
    the same text a build in the request would give (a build takes minutes at 100 times
    today's data: longer than a worker may take), in pieces, a table at a time (see
    `version_pieces`). Building while it is not stored."""
    snapshot = DatasetSnapshot.objects.filter(version=stamp.version).first()
    pieces = version_pieces(snapshot, _host_prefix(request)) if snapshot else None
    if pieces is None:
        build_in_background()
        raise Building(wait=RETRY_AFTER)
    return pieces


def current_table(request, stamp, name, fmt, slugs=None):
    """A per-type file, cut from the stored current version: the same text as a build
    in the request (which at 100 times today's data took longer than a worker may take),
    with the version's `generated_at`. `slugs`: only those records (a filtered file).
    Building while not stored. The stored table is read record by record as it is
    decompressed: memory follows the file, not the table."""
    meta, records = _stored_records(stamp, name)
    meta = json.loads(meta)
    prefix = _host_prefix(request)
    chosen = (
        _sub_host(prefix, record.decode())
        for record in records
        if slugs is None or json.loads(RECORD_SLUG.search(record).group(1)) in slugs
    )
    if fmt == "csv":
        # Parsed one record at a time; with none, the header from the table's serializer.
        text = to_csv(json.loads(record) for record in chosen)
        return text or to_csv([], columns=columns(name, request))
    chosen = list(chosen)
    head = _json(
        {"dataset": {**meta, "type": name, "count": len(chosen)}, "records": []}
    )
    if not chosen:
        return head
    # The records of a table and of a file are both at depth 2 of an indent=1 dump.
    text = io.StringIO()
    text.write(head.removesuffix("[]\n}\n") + "[\n")
    for index, record in enumerate(chosen):
        text.write(",\n" + record if index else record)
    text.write("\n ]\n}\n")
    return text.getvalue()


# In a stored table (a list at depth 1 of an indent=1 dump), each record is an object at
# depth 2; its own `slug` is the one key at depth 3 of that name. (JSON strings hold no
# raw newline, so the indentation after one tells the depth.)
RECORD_START = re.compile(rb",\n(?=  \{\n)")
RECORD_SEPARATOR = b",\n  {\n"  # the same place, found without a regex
RECORD_SLUG = re.compile(rb'\n   "slug": ("(?:[^"\\]|\\.)*")')
# How much of a stored table is decompressed at a time.
CHUNK = 1 << 16


def _records(packed):
    """The records of a stored table (gzip of its JSON text), each as its text, one at a
    time, decompressed as they are read: at most a chunk and a record in memory."""
    unpacked = zlib.decompressobj(wbits=31)  # gzip
    pending, opened = b"", False
    for offset in range(0, len(packed) + 1, CHUNK):
        chunk = packed[offset : offset + CHUNK]
        pending += unpacked.decompress(chunk) if chunk else unpacked.flush()
        if not opened:
            if len(pending) < 2:
                continue
            if pending.startswith(b"[]"):  # no record
                return
            pending, opened = pending[2:], True  # without "[\n"
        begin, found = 0, pending.find(RECORD_SEPARATOR)
        while found >= 0:
            yield pending[begin:found]
            begin = found + 2  # the next one starts at its "  {"
            found = pending.find(RECORD_SEPARATOR, begin)
        pending = pending[begin:]
    if opened:
        yield pending.removesuffix(b"\n ]")


def _stored_records(stamp, name):
    """The stamp (JSON text) and the records (an iterator of JSON bytes) of the current
    version's table `name`: one query. A version stored whole before tables were: its
    record tables are cut from its body while its build splits it, its links are being
    built (503)."""
    key = name.replace("-", "_")
    row = (
        DatasetTable.objects.filter(snapshot__version=stamp.version, name=key)
        .values_list("snapshot__meta", "body")
        .first()
    )
    if row is not None:
        return row[0], _records(row[1])
    build_in_background()
    if name in LINK_TABLES:
        raise Building(wait=RETRY_AFTER)
    stored = _current_text(stamp)
    table = _cut(stored, key.encode())
    if table == b"[]":
        return _cut(stored, b"dataset"), iter(())
    # Without "[\n" and "\n ]".
    return _cut(stored, b"dataset"), iter(RECORD_START.split(table[2:-3]))


def _current_text(stamp):
    """The current version's whole file, or 503 building (its build started unless one
    is running)."""
    snapshot = DatasetSnapshot.objects.filter(version=stamp.version).first()
    text = version_text(snapshot) if snapshot else None
    if text is None:
        build_in_background()
        raise Building(wait=RETRY_AFTER)
    return text


def version_text(snapshot):
    """A stored version's whole file (bytes), or None once dropped."""
    pieces = version_pieces(snapshot)
    return None if pieces is None else b"".join(pieces)


def version_pieces(snapshot, prefix=None):
    """A stored version's file (bytes) in pieces, or None once dropped: its body if it
    was stored whole, else put back together from its record tables, each decompressed
    a few records at a time when its turn comes (so a streamed answer holds the
    compressed tables and a piece, never a table or the file). The tables are read here, in one query: the pieces need no
    database. `prefix`: this host's address, for the site's addresses (dataset.json);
    no address spans two pieces (each is in one table)."""
    if snapshot.body is not None:
        pieces = iter([gzip.decompress(snapshot.body)])
    elif not snapshot.stored_bytes:
        return None
    else:
        rows = snapshot.tables.exclude(name__in=LINK_NAMES).order_by("pk")
        tables = list(rows.values_list("name", "body"))
        pieces = _assembled(snapshot.meta.encode(), _unpacked(tables))
    if prefix is None:
        return pieces
    return (_sub_host_bytes(prefix.encode(), piece) for piece in pieces)


def _unpacked(tables):
    """[(name, gzip bytes)] as (name, its JSON bytes in pieces), each decompressed as it
    is read, and its compressed bytes let go once it is (the list is emptied as it is
    read)."""
    tables.reverse()
    while tables:
        name, body = tables.pop()
        yield name, _table_pieces(body)


def _table_pieces(packed):
    """A stored table's JSON text (gzip bytes) in pieces of about CHUNK bytes, whole
    records each, decompressed as they are read (`_records`): the table is never whole
    in memory, and no site address spans two pieces."""
    pending, size, separator = [b"["], 0, b"\n"
    for record in _records(packed):
        pending += [separator, record]
        separator, size = b",\n", size + len(record)
        if size >= CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    pending.append(b"]" if separator == b"\n" else b"\n ]")
    yield b"".join(pending)


# A top-level key of a stored indent=1 dump: the one indentation of a single space.
TOP_KEY = re.compile(rb'\n "([^"]+)": ')


def _tables(text):
    """The tables of a stored dump (all its top-level values but its stamp), in order:
    [(name, JSON bytes)]."""
    return [
        (key.decode(), _cut(text, key))
        for key in TOP_KEY.findall(text)
        if key != b"dataset"
    ]


def _assembled(meta, tables):
    """A stored dump's text from its stamp and tables ([(name, its JSON bytes in
    pieces)]), as the build writes it, in pieces."""
    yield b'{\n "dataset": ' + meta
    for name, pieces in tables:
        yield b',\n "' + name.encode() + b'": '
        yield from pieces
    yield b"\n}\n"


def _cut(text, key):
    """The value of a top-level `key` of a stored indent=1 JSON dump, as its text: from
    after `"key": ` to the bracket that closes it, the first one at depth 1."""
    start = text.index(b'\n "' + key + b'": ') + len(key) + 6
    closing = b"]" if text[start : start + 1] == b"[" else b"}"
    if text[start + 1 : start + 2] == closing:
        return text[start : start + 2]  # empty
    return text[start : text.index(b"\n " + closing, start) + 3]


def _host_prefix(request):
    return request.build_absolute_uri("/")[:-1]


def _sub_host(prefix, text):
    return SITE_ADDRESS.sub(lambda match: match.group(1) + prefix, text)


# The same, on the stored bytes (its pattern is ASCII: it matches where it would in text).
SITE_ADDRESS_BYTES = re.compile(SITE_ADDRESS.pattern.encode())


def _sub_host_bytes(prefix, data):
    return SITE_ADDRESS_BYTES.sub(lambda match: match.group(1) + prefix, data)


# --------------------------------------------------------------------------- records


def _context(request):
    # `whole`: every related record, not the capped lists of the API's details.
    return {"request": request, "sparse": False, "whole": True}


def filtered(viewset, params):
    """The published records of a type that match the list filters in `params` (the
    list pages' and the API lists' own parameters); a 400 for anything else."""
    queryset = viewset.model.objects.published()
    if not params:
        return queryset
    filterset_class = viewset.filterset_class
    known = filterset_class.base_filters if filterset_class else {}
    unknown = sorted(set(params) - set(known))
    if unknown:
        valid = ", ".join(sorted(known)) or "none"
        raise exceptions.ValidationError(
            {
                name: [f"Unknown parameter. Valid parameters: {valid}."]
                for name in unknown
            }
        )
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise exceptions.ValidationError(filterset.errors)
    return filterset.qs


def matching_slugs(name, params):
    """The slugs of the published records of one type that its list filters in `params`
    keep (one query): a filtered file is those records of the stored version."""
    viewset = RECORD_VIEWSETS[name]
    return set(filtered(viewset, params).values_list("slug", flat=True))


def record_rows(name, request):
    """The published records of one type, as the API's detail representations; the
    request's query filters them as the type's list would be."""
    viewset = RECORD_VIEWSETS[name]
    params = request.GET if request is not None else None
    queryset = viewset.with_detail(filtered(viewset, params), whole=True).order_by(
        "slug"
    )
    return viewset.serializer_class(queryset, many=True, context=_context(request)).data


def link_rows(name, request):
    """Citations or classifications of published records (whoever asks)."""
    if name == "citations":
        queryset = list(citation_queryset(AnonymousUser()))
        _load_records_of_classifications(queryset)
    else:
        queryset = list(classification_queryset(AnonymousUser()))
    serializer = LINK_TABLES[name].serializer_class
    return serializer(queryset, many=True, context=_context(request)).data


def columns(name, request):
    """The keys of a table's rows, as its serializer writes them: the header of a CSV
    file with no row to take it from (a filter that keeps no record)."""
    viewset = RECORD_VIEWSETS.get(name) or LINK_TABLES[name]
    serializer = viewset.serializer_class(context=_context(request))
    return [field.field_name for field in serializer._readable_fields]


def rows(name, request):
    if name in RECORD_VIEWSETS:
        return record_rows(name, request)
    return link_rows(name, request)


def _cell(value):
    """One CSV cell: summaries become slugs, lists are joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if (
            "type" in value and "slug" in value
        ):  # a citation's or classification's record
            return f"{value['type']}:{value['slug']}"
        if "slug" in value:
            return value["slug"]
        if "family" in value:
            return ", ".join(p for p in (value["family"], value.get("given")) if p)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value)
    # A spreadsheet would run "=..." as a formula: the same defusing as the admin's CSV.
    return defuse_formula(str(value))


NESTED = {"citations", "classifications", "cite"}


def to_csv(rows, columns=None):
    """Rows (any iterable, read once, a row at a time) as CSV; `columns` names the
    header when there is no row to take it from."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None and not columns:
        return ""
    keys = [key for key in (columns if first is None else first) if key not in NESTED]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(keys)
    if first is not None:
        for row in itertools.chain([first], rows):
            writer.writerow([_cell(row.get(key)) for key in keys])
    return buffer.getvalue()


# --------------------------------------------------------------------------- codebook


def _fields_using(choices):
    from django.apps import apps

    used = []
    for model in apps.get_app_config("knowledge").get_models():
        for field in model._meta.get_fields():
            if getattr(field, "choices", None) and list(field.choices) == list(
                choices.choices
            ):
                used.append(f"{model._meta.model_name}.{field.name}")
    return used


def codebook():
    """Every coded enumeration with its values, labels and definitions, from the
    TextChoices in models/choices.py, and the mandate-task vocabulary."""
    schemes = []
    for name, cls in inspect.getmembers(choices_module, inspect.isclass):
        # Vocabularies with values: not the module's empty base class or its metaclass.
        is_vocabulary = issubclass(cls, Choices) and bool(cls.choices)
        if cls.__module__ != choices_module.__name__ or not is_vocabulary:
            continue
        definitions = getattr(cls, "DEFINITIONS", {})
        schemes.append(
            {
                "name": name,
                "description": inspect.cleandoc(cls.__doc__ or "")
                if cls.__doc__ and "TextChoices" not in (cls.__doc__ or "")
                else "",
                "fields": _fields_using(cls),
                "values": [
                    {
                        "value": value,
                        "label": label,
                        "definition": definitions.get(value, ""),
                    }
                    for value, label in cls.choices
                ],
            }
        )
    tasks = [
        {
            "value": task.slug,
            "label": task.name,
            "definition": task.description,
            "conception": task.conception,
        }
        for task in MandateTask.objects.order_by("position", "name")
    ]
    schemes.append(
        {
            "name": "ClassificationBasis",
            "description": "Whose judgement a classification is "
            "(classification.basis).",
            "fields": ["classification.basis"],
            "values": [
                {"value": value, "label": label, "definition": ""}
                for value, label in codebook_rules.Basis.choices
            ],
        }
    )
    schemes.append(
        {
            "name": "DecisionRule",
            "description": "The rules curators apply when the basis is curators "
            "(classification.rule). " + codebook_rules.NOT_SIGNS,
            "fields": ["classification.rule"],
            "values": [
                {
                    "value": rule.slug,
                    "label": rule.label,
                    "definition": f"Gives {rule.value_label}. {rule.test} {rule.reading}",
                    "conception": rule.value,
                }
                for rule in codebook_rules.RULES
            ],
        }
    )
    schemes.append(
        {
            "name": "MandateTask",
            "description": "What a mission is asked to do (mission.mandate_tasks).",
            "fields": ["mission.mandate_tasks"],
            "values": tasks,
        }
    )
    return schemes


def codebook_csv(schemes):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["scheme", "fields", "value", "label", "definition"])
    for scheme in schemes:
        for value in scheme["values"]:
            writer.writerow(
                [
                    scheme["name"],
                    "; ".join(scheme["fields"]),
                    value["value"],
                    value["label"],
                    value["definition"],
                ]
            )
    return buffer.getvalue()


# --------------------------------------------------------------------------- files


def build(name, fmt, request, stamp):
    """The body of one export file, as text."""
    meta = stamp.as_dict()
    if name == "codebook":
        schemes = codebook()
        if fmt == "csv":
            return codebook_csv(schemes)
        return _json({"dataset": meta, "codebook": schemes})
    if name in ("dataset", "links"):  # stored: the whole dataset, the link tables
        body = {"dataset": meta}
        for table in RECORD_VIEWSETS if name == "dataset" else LINK_TABLES:
            body[table.replace("-", "_")] = rows(table, request)
        return _json(body)
    data = rows(name, request)
    if fmt == "csv":
        return to_csv(data, columns=None if data else columns(name, request))
    return _json(
        {"dataset": {**meta, "type": name, "count": len(data)}, "records": data}
    )


def _json(body):
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1) + "\n"


def files(request):
    """What /export/ offers: (name, format, url, count or None)."""
    counts = {
        name: viewset.model.objects.published().count()
        for name, viewset in RECORD_VIEWSETS.items()
    }
    offered = [("dataset", "json", None)]
    for name in TABLES:
        for fmt in FORMATS:
            offered.append((name, fmt, counts.get(name)))
    offered += [("codebook", "json", None), ("codebook", "csv", None)]
    return [
        {
            "name": name,
            "format": fmt,
            "url": request.build_absolute_uri(
                reverse("api:export-file", kwargs={"name": name, "fmt": fmt})
            ),
            "count": count,
        }
        for name, fmt, count in offered
    ]


class DatasetVersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    last_modified = serializers.DateTimeField(
        allow_null=True, help_text="The latest published change in this version."
    )
    stored_at = serializers.DateTimeField()
    size = serializers.IntegerField(help_text="Bytes of the JSON file.")
    sha256 = serializers.CharField(help_text="Checksum of the JSON file.")
    available = serializers.BooleanField(
        help_text="False once the file was dropped to bound storage (410 Gone)."
    )
    url = serializers.URLField()


class CurrentVersionSerializer(serializers.Serializer):
    version = serializers.CharField(
        help_text="The dataset version of what is published now."
    )
    status = serializers.ChoiceField(
        choices=[STORED, BUILDING],
        help_text="`stored`: downloadable at `url`. `building`: its file is being built "
        "in the background (a minute or more for a large dataset); until it is stored, "
        "`url` answers 503 with Retry-After and `/api/v1/export/latest/` serves the "
        "newest stored version.",
    )
    url = serializers.URLField()


class ExportCatalogueSerializer(ExportIndexSerializer):
    current = CurrentVersionSerializer(
        help_text="The current version and whether its file is stored yet."
    )
    versions = DatasetVersionSerializer(
        many=True, help_text="Every stored dataset version, newest first."
    )


class ExportIndexView(ReadOnlyAPIView):
    """What can be downloaded: every file with its address, the current dataset version
    and whether it is stored yet (its file is built in the background after a publish),
    and every stored version (the whole dataset as it was)."""

    @extend_schema(operation_id="export_index", responses=ExportCatalogueSerializer)
    def get(self, request):
        stamp, status = current_version()
        # While building, no Last-Modified: a client revalidating by date alone would
        # keep "building" once the version is stored (the ETag tells them apart).
        self.last_modified = stamp.last_modified if status == STORED else None
        return Response(
            {
                "dataset": stamp.as_dict(generated=False),
                "current": {
                    "version": stamp.version,
                    "status": status,
                    "url": version_url(request, stamp.version),
                },
                "files": files(request),
                "versions": versions(request),
            }
        )


def snapshot_responses(building):
    """The answers of an address that serves a stored version: its file, or 503 (what
    `building` says) until it is stored."""
    return {
        (200, "application/json"): OpenApiTypes.OBJECT,
        (503, "application/json"): OpenApiResponse(
            ErrorSerializer,
            description=f"{building}: try again after Retry-After seconds.",
        ),
    }


class ExportVersionView(ReadOnlyAPIView):
    """The whole published dataset as it was at one version, byte for byte the same at
    every request: cite the version and anyone can fetch what you used. The current
    version is a 503 with Retry-After until its file is built (the index says
    `building`)."""

    @extend_schema(
        operation_id="export_version",
        parameters=[
            OpenApiParameter(
                "version",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="A version from the export index, e.g. `2026-12-06.1a2b3c4d`.",
            )
        ],
        responses={
            **snapshot_responses(
                "The current version, whose file is still being built in the background"
            ),
            (404, "application/json"): ErrorSerializer,
            (410, "application/json"): ErrorSerializer,
        },
    )
    def get(self, request, version):
        snapshot = DatasetSnapshot.objects.filter(version=version).first()
        if snapshot is None and version == dataset_stamp().version:
            if current_version()[1] == BUILDING:
                raise Building(wait=RETRY_AFTER)
            snapshot = DatasetSnapshot.objects.filter(version=version).first()
        if snapshot is None:
            raise exceptions.NotFound(
                "No such dataset version: the export index lists them."
            )
        # A version never changes: caches may keep it for a year.
        return snapshot_response(
            request, snapshot, "public, max-age=31536000, immutable"
        )


class ExportLatestView(ReadOnlyAPIView):
    """The newest stored version of the whole dataset (its version in
    X-Dataset-Version): the current one once built, the one before while it is being
    built. A 503 with Retry-After only while no version at all is stored yet."""

    @extend_schema(
        operation_id="export_latest",
        responses=snapshot_responses(
            "No version is stored yet: the first is being built in the background"
        ),
    )
    def get(self, request):
        current_version()  # builds the current one in the background if it is missing
        snapshot = DatasetSnapshot.objects.filter(stored_bytes__gt=0).first()
        if snapshot is None:
            raise Building(wait=RETRY_AFTER)
        # It changes with each publish: revalidate (a 304 on the same ETag) each time.
        return snapshot_response(
            request, snapshot, "public, max-age=0, must-revalidate"
        )


def export_body(request, stamp, name, fmt, slugs):
    """An export file's text (not dataset.json, streamed): the codebook built, every
    other file cut from the stored current version (never built in a request: at 100
    times today's data that took longer than a worker may take); `slugs` (a filtered
    file): only those records."""
    if name in TABLES:
        return current_table(request, stamp, name, fmt, slugs)
    return build(name, fmt, request, stamp)


def snapshot_response(request, snapshot, cache_control):
    """A stored version's file, streamed a table at a time (`version_pieces`), or 410 if
    it was dropped to bound storage."""
    pieces = version_pieces(snapshot)
    if pieces is None:
        raise Gone(
            "This version's file was dropped to bound storage; its checksum "
            "is in the export index."
        )
    etag = f'"{snapshot.sha256[:32]}"'  # pagecache.etag(body), stored
    response = StreamingHttpResponse(
        pieces,
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="pkb-dataset-{snapshot.version}.json"'
    )
    response["X-Dataset-Version"] = snapshot.version
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    timestamp = None
    if snapshot.last_modified:
        timestamp = int(snapshot.last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    return get_conditional_response(
        request, etag=etag, last_modified=timestamp, response=response
    )


class ExportFileView(ReadOnlyAPIView):
    """One export file. `dataset.json` is everything published; `<type>.json|csv` one
    type; `citations` and `classifications` the links; `codebook.json|csv` the codes.
    Every file but the codebook comes from the stored current version, with this host's
    addresses: a 503 with Retry-After while it is being built in the background after a
    publish. A per-type file takes its type's list filters (the records they keep)."""

    @extend_schema(
        operation_id="export_file",
        parameters=[
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=["dataset", *TABLES, "codebook"],
            ),
            OpenApiParameter(
                "fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(FORMATS)
            ),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            (503, "application/json"): OpenApiResponse(
                ErrorSerializer,
                description="`dataset.json` and the per-type files: the current "
                "version, whose files are still being built in the background: "
                "try again after Retry-After seconds (or fetch `/api/v1/export/latest/`"
                " for the whole dataset's previous version).",
            ),
        },
    )
    def get(self, request, name, fmt):
        if fmt not in FORMATS or name not in {"dataset", "codebook", *TABLES}:
            raise exceptions.NotFound("No such export file.")
        if name == "dataset" and fmt != "json":
            raise exceptions.NotFound("The whole dataset is offered as JSON only.")
        if request.GET and name not in RECORD_VIEWSETS:
            raise exceptions.ValidationError(
                {"non_field_errors": ["Filters apply to the files of one record type."]}
            )
        # A bad filter is a 400 whatever the state of the stored version.
        slugs = matching_slugs(name, request.GET) if request.GET else None
        stamp = dataset_stamp()
        query = request.GET.urlencode()
        # A filtered file has its own ETag, and is cut on demand, not kept.
        etag = pagecache.etag(stamp.version, name, fmt, query)
        timestamp = (
            int(stamp.last_modified.timestamp()) if stamp.last_modified else None
        )
        response = HttpResponse(content_type=f"{FORMATS[fmt]}; charset=utf-8")
        filename = f"pkb-{name}-{stamp.version}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Dataset-Version"] = stamp.version
        response["ETag"] = etag
        if timestamp:
            response["Last-Modified"] = http_date(timestamp)
        conditional = get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )
        if conditional is not response:  # 304 or 412: cut nothing
            return conditional
        if name == "dataset":  # streamed a table at a time, never kept whole
            pieces = current_dataset(request, stamp)
            return StreamingHttpResponse(pieces, headers=response.headers)
        key = f"api-export:{stamp.version}:{request.get_host()}:{name}.{fmt}"
        body = None if query else cache.get(key)
        if body is None:
            body = export_body(request, stamp, name, fmt, slugs)
            if not query:
                cache.set(key, body, 3600)
        response.content = body
        return response
