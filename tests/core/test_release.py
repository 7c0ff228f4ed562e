"""A deploy that changes code, a template or a static file never serves pages cached by
the previous release: the shared cache's keys carry the release."""

import os
import subprocess
import sys
from pathlib import Path

from apps.core.release import RENDERED_FROM
from apps.core.release import release_id

ROOT = Path(__file__).resolve().parents[2]


def _tree(root: Path, page: str = "<h1>{{ title }}</h1>") -> Path:
    for folder in RENDERED_FROM:
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "templates" / "page.html").write_text(page)
    (root / "apps" / "views.py").write_text("def view(): ...\n")
    return root


def test_the_release_changes_with_a_template_and_not_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("PKB_RELEASE", raising=False)
    before = release_id(_tree(tmp_path / "a"))
    assert release_id(_tree(tmp_path / "b")) == before  # same files, same release
    assert release_id(_tree(tmp_path / "c", page="<h2>{{ title }}</h2>")) != before
    (tmp_path / "a" / "apps" / "__pycache__").mkdir()
    (tmp_path / "a" / "apps" / "__pycache__" / "views.pyc").write_bytes(b"\0")
    assert release_id(tmp_path / "a") == before  # compiled files are not the release


def test_a_named_release_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("PKB_RELEASE", "4f2a9c1")
    assert release_id(_tree(tmp_path)) == "4f2a9c1"


def _key_prefix(release: str) -> str:
    env = {
        **os.environ,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PKB_RELEASE": release,
        "DJANGO_SECRET_KEY": "release-test-key-never-used-for-anything-else-xxxxxxxx",
        "DJANGO_DEBUG": "0",
    }
    code = "import config.settings as s; print(s.CACHES['default']['KEY_PREFIX'])"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


def test_two_releases_never_share_cached_pages():
    assert _key_prefix("4f2a9c1") == "pkb:4f2a9c1"
    assert _key_prefix("4f2a9c1") != _key_prefix("9b0e77d")
