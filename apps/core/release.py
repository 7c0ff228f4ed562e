"""The release a process serves: part of the shared cache's key prefix (config/settings.py).

A cached page or block is rendered by code, templates and static file names as well as by
data. Content versions (versions.py) track the data; the release tracks the rest, so a
deploy that changes any of them starts from an empty cache instead of serving the previous
release's pages until they expire (versions.TIMEOUT).
"""

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Everything a rendered page or API answer depends on besides the database.
RENDERED_FROM = ("apps", "config", "templates", "static")


def release_id(root: Path = ROOT) -> str:
    """PKB_RELEASE when the deployment names its release (a commit id, say); otherwise a
    digest of the files in RENDERED_FROM, the same in every process of one release."""
    named = os.environ.get("PKB_RELEASE", "").strip()
    if named:
        return named
    digest = hashlib.sha256()
    for folder in RENDERED_FROM:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
