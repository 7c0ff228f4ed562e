"""The /api/ guide's pandas script and a generated client work against a live server."""

import contextlib
import html
import io
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def missions():
    factories.MissionFactory(slug="unef-i", classified="westphalian")
    states = factories.OrganisationFactory(slug="united-states", kind="state")
    factories.MissionFactory(
        slug="unmik", classified="post_westphalian", lead_state=states
    )
    factories.MissionFactory(slug="hidden", draft=True)


def test_the_pandas_example_loads_every_mission_with_its_classifications(
    client, live_server, missions
):
    pytest.importorskip("pandas")
    page = client.get("/api/").content.decode()
    (code,) = re.findall(r"<pre><code>(import json.*?)</code></pre>", page, re.S)
    code = html.unescape(code).replace("http://testserver", live_server.url)
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)  # our own page's example
    table = namespace["table"]
    assert sorted(zip(table["slug"], table["classification.value"], strict=True)) == [
        ("unef-i", "westphalian"),
        ("unmik", "post_westphalian"),
    ]


def test_a_generated_client_lists_missions_anonymously(live_server, missions, tmp_path):
    """openapi-python-client (a dev dependency) generates a client from the schema; its
    anonymous list call works against the live server, and it reads a mission with a
    lead state and one without (a nullable link)."""
    generator = shutil.which("openapi-python-client") or str(
        Path(sys.executable).with_name("openapi-python-client")
    )
    # A dev dependency (pyproject.toml): CI always has it, so this never skips.
    assert Path(generator).exists(), "openapi-python-client is not installed"
    schema = tmp_path / "schema.json"
    with urllib.request.urlopen(f"{live_server.url}/api/v1/schema/?format=json") as r:
        schema.write_bytes(r.read())
    package = tmp_path / "pkb_client"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    done = subprocess.run(
        [
            generator,
            "generate",
            *("--path", str(schema), "--output-path", str(package), "--meta", "none"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        from pkb_client import Client
        from pkb_client.api.missions import missions_list
        from pkb_client.api.missions import missions_retrieve

        client = Client(base_url=live_server.url, raise_on_unexpected_status=True)
        page = missions_list.sync(client=client)
        led = missions_retrieve.sync(slug="unmik", client=client)
        unled = missions_retrieve.sync(slug="unef-i", client=client)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("pkb_client")]:
            del sys.modules[name]
    assert page.count == 2
    assert sorted(mission.slug for mission in page.results) == ["unef-i", "unmik"]
    assert led.lead_state.slug == "united-states"
    assert unled.lead_state is None
