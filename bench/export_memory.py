"""Peak Python memory (tracemalloc) of one download of the whole dataset: dataset.json
(a miss of its cache) and a stored version's address, each read to its end as a server
would send it, on the database in DATABASE_URL, its current version stored first.

Usage: DJANGO_DEBUG=1 DATABASE_URL=... [REDIS_URL=...] python bench/export_memory.py
(after `manage.py load_knowledge` and, for 10x, `manage.py generate_synthetic --scale 10`).
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_API_ANON_RATE", "100000/minute")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402

from apps.knowledge.api import export  # noqa: E402


def peak(client, path):
    """(bytes sent, peak MiB, seconds) of one GET of `path`, its body read piece by
    piece (the seconds without tracemalloc, which slows allocations down)."""
    cache.clear()  # dataset.json's cached copy, if the code keeps one
    tracemalloc.start()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    sent = sum(len(piece) for piece in response)
    response.close()
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    cache.clear()
    start = time.perf_counter()
    response = client.get(path)
    sum(len(piece) for piece in response)
    return sent, top / 2**20, time.perf_counter() - start


def main():
    snapshot = export.store_current_version()
    client = Client(HTTP_HOST="127.0.0.1")
    for path in ("/api/v1/export/dataset.json", f"/api/v1/export/{snapshot.version}/"):
        sent, mib, seconds = peak(client, path)
        print(
            f"{path}: {sent / 2**20:.1f} MiB sent, peak {mib:.1f} MiB, {seconds:.2f} s"
        )


if __name__ == "__main__":
    main()
