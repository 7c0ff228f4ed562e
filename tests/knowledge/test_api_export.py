"""Bulk data and citation exports: what harvesters and reference managers download."""

import csv
import datetime
import gzip
import hashlib
import io
import json
import re
import shlex
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.knowledge.api import export
from apps.knowledge.api import pages
from apps.knowledge.dataset import load_dataset
from apps.knowledge.models import Norm
from apps.knowledge.models import Organisation
from apps.knowledge.models import SourceCreator
from apps.knowledge.models.choices import Conception
from apps.knowledge.models.choices import HostConsent
from tests import factories
from tests.knowledge.citation_parsers import parse_bibtex
from tests.knowledge.citation_parsers import parse_ris

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_cache_cleared")]


@pytest.fixture
def dataset():
    source = factories.SourceFactory(
        slug="flynn-farrell-1999", title="Piecing Together the Democratic Peace"
    )
    SourceCreator.objects.create(source=source, family="Flynn", given="Gregory")
    un = factories.OrganisationFactory(slug="un", name="United Nations")
    mission = factories.MissionFactory(slug="unef-i", name="UNEF I", acronym="")
    mission.organisations.add(un)
    # In the /api/ examples.
    factories.OrganisationFactory(slug="osce", name="OSCE", cited=False)
    factories.CitationFactory(target=mission, source=source, locator="515")
    factories.MissionFactory(slug="secret", draft=True)
    factories.NormFactory(slug="consent")
    export.store_current_version()  # as the background build after a publish would
    return {"mission": mission, "source": source}


# --------------------------------------------------------------------------- citations


def test_source_citation_in_three_formats(api, dataset):
    url = reverse("api:source-cite", kwargs={"slug": "flynn-farrell-1999"})
    bibtex = api.get(url + "?format=bibtex")
    assert bibtex.status_code == 200
    assert bibtex["Content-Type"].startswith("application/x-bibtex")
    assert 'filename="flynn-farrell-1999.bib"' in bibtex["Content-Disposition"]
    (entry,) = parse_bibtex(bibtex.content.decode())
    assert entry["key"] == "flynn-farrell-1999"
    assert entry["author"] == "Flynn, Gregory"
    ris = api.get(url + "?format=ris")
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    (record,) = parse_ris(ris.content.decode())
    assert record["TY"] == ["JOUR"]
    csl = api.get(url)  # CSL-JSON is the default
    assert csl["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    (item,) = json.loads(csl.content)
    assert item["title"] == "Piecing Together the Democratic Peace"
    assert item["author"] == [{"family": "Flynn", "given": "Gregory"}]
    # Accept works as well as ?format=.
    accepted = api.get(url, HTTP_ACCEPT="application/x-bibtex")
    assert accepted.content == bibtex.content


def test_a_record_page_is_citable_and_its_references_exportable(api, dataset):
    base = reverse("api:mission-detail", kwargs={"slug": "unef-i"})
    (entry,) = parse_bibtex(api.get(base + "cite/?format=bibtex").content.decode())
    assert entry["url"] == "http://testserver/missions/unef-i/"
    assert entry["title"] == "{UNEF I}"
    references = parse_ris(api.get(base + "references/?format=ris").content.decode())
    titles = {r["TI"][0] for r in references}
    assert "Piecing Together the Democratic Peace" in titles
    # Sources cited by the classification count too.
    assert len(references) == 3


def test_whole_bibliography_respects_filters_and_drafts(api, dataset):
    factories.SourceFactory(slug="hidden", draft=True)
    factories.SourceFactory(slug="old", year=1950)
    entries = parse_bibtex(
        api.get("/api/v1/sources/cite/?format=bibtex").content.decode()
    )
    keys = {entry["key"] for entry in entries}
    assert "flynn-farrell-1999" in keys
    assert "hidden" not in keys
    old = parse_bibtex(
        api.get("/api/v1/sources/cite/?format=bibtex&decade=1950").content.decode()
    )
    assert [entry["key"] for entry in old] == ["old"]


def test_citation_export_of_a_draft_is_a_json_404(api, dataset):
    response = api.get("/api/v1/missions/secret/cite/?format=bibtex")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


# --------------------------------------------------------------------------- bulk export


def test_export_index_lists_every_file_with_version(api, dataset):
    data = api.get("/api/v1/export/").json()
    stamp = data["dataset"]
    assert stamp["version"]
    assert "generated_at" not in stamp  # the index's ETag holds for the version
    names = {(f["name"], f["format"]) for f in data["files"]}
    assert ("dataset", "json") in names
    for table in ["missions", "norms", "sources", "citations", "classifications"]:
        assert (table, "json") in names
        assert (table, "csv") in names
    assert ("codebook", "csv") in names
    counts = {f["name"]: f["count"] for f in data["files"] if f["format"] == "csv"}
    assert counts["missions"] == 1
    for file in data["files"]:
        assert api.get(file["url"]).status_code == 200, file


def test_dataset_json_has_published_records_only(api, dataset):
    response = api.get("/api/v1/export/dataset.json")
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    text = served(response).decode()  # streamed: read once
    body = json.loads(text)
    assert body["dataset"]["version"] == response["X-Dataset-Version"]
    assert [m["slug"] for m in body["missions"]] == ["unef-i"]
    assert body["missions"][0]["organisations"][0]["slug"] == "un"
    assert "secret" not in text
    assert "curator_note" not in text


def test_dataset_json_is_never_built_in_the_request(api, dataset, monkeypatch):
    """It serves the stored current version (a build takes minutes at 100 times
    today's data), with the same absolute addresses as every other API answer."""
    stamp = export.dataset_stamp()
    built_here = json.loads(export.build("dataset", "json", None, stamp))

    def no_build(*args):
        raise AssertionError("dataset.json was built in the request")

    monkeypatch.setattr(export, "build", no_build)
    response = api.get("/api/v1/export/dataset.json")
    assert response.status_code == 200
    body = json.loads(served(response))
    assert body["dataset"]["version"] == stamp.version
    mission = body["missions"][0]
    assert mission["url"] == "http://testserver/api/v1/missions/unef-i/"
    assert mission["html_url"] == "http://testserver/missions/unef-i/"
    assert built_here["missions"][0]["url"] == "/api/v1/missions/unef-i/"
    assert mission["name"] == built_here["missions"][0]["name"]
    again = api.get("/api/v1/export/dataset.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_dataset_json_says_building_until_the_version_is_stored(
    api, dataset, dataset_builds, monkeypatch
):
    monkeypatch.setattr(export, "build", mock.Mock(side_effect=AssertionError))
    norm = Norm.objects.get(slug="consent")
    norm.name = "Consent, renamed"
    norm.save()  # a new version, not stored yet
    cache.clear()
    response = api.get("/api/v1/export/dataset.json")
    assert response.status_code == 503
    assert response["Retry-After"] == str(export.RETRY_AFTER)
    assert response.json()["code"] == "building"
    assert dataset_builds  # the build was started in the background
    assert api.get("/api/v1/export/latest/").status_code == 200  # the stored one


def test_export_dates_are_written_as_the_rest_of_the_api_writes_them(api, dataset):
    index = api.get("/api/v1/export/").json()
    stamped = index["dataset"]["last_modified"]
    assert stamped == index["versions"][0]["last_modified"]
    assert stamped.endswith("Z")
    body = api.get("/api/v1/export/missions.json").json()
    assert body["dataset"]["last_modified"] == stamped
    assert body["dataset"]["generated_at"].endswith("Z")


def test_type_csv_flattens_relations_to_slugs(api, dataset):
    response = api.get("/api/v1/export/missions.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["slug"] for row in rows] == ["unef-i"]
    assert rows[0]["organisations"] == "un"
    assert rows[0]["conception"] == "westphalian"
    assert "citations" not in rows[0]
    citations = list(
        csv.DictReader(
            io.StringIO(api.get("/api/v1/export/citations.csv").content.decode())
        )
    )
    records = {row["record"] for row in citations}
    assert records == {"mission:unef-i", "norm:consent", "organisation:un"}
    assert "flynn-farrell-1999" in {row["source"] for row in citations}


def test_csv_cells_cannot_run_as_spreadsheet_formulas(api, dataset):
    factories.NormFactory(slug="formula", name='=HYPERLINK("http://x.example","x")')
    store_new_version()
    rows = list(
        csv.DictReader(
            io.StringIO(api.get("/api/v1/export/norms.csv").content.decode())
        )
    )
    names = {row["slug"]: row["name"] for row in rows}
    assert names["formula"] == '\'=HYPERLINK("http://x.example","x")'
    # JSON keeps the value as it is.
    body = json.loads(api.get("/api/v1/export/norms.json").content)
    assert {r["slug"]: r["name"] for r in body["records"]}["formula"].startswith("=")


def test_dataset_version_changes_with_published_content(
    api, dataset, django_capture_on_commit_callbacks
):
    first = api.get("/api/v1/export/norms.json")
    version = first["X-Dataset-Version"]
    assert (
        api.get(
            "/api/v1/export/norms.json", HTTP_IF_NONE_MATCH=first["ETag"]
        ).status_code
        == 304
    )
    norm = Norm.objects.get(slug="consent")
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the version moves on commit
        norm.name = "Consent of the parties"
        norm.save()
    building = api.get("/api/v1/export/norms.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert building.status_code == 503  # until the background build stores it
    export.store_current_version()
    second = api.get("/api/v1/export/norms.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["X-Dataset-Version"] != version
    assert json.loads(second.content)["records"][0]["name"] == "Consent of the parties"


def test_a_current_copy_is_answered_304_without_reading_the_stored_version(
    api, dataset, monkeypatch
):
    first = api.get("/api/v1/export/missions.csv?organisation=un")
    assert first.status_code == 200

    def unreadable(*args):
        raise AssertionError("the stored version was read for a 304")

    monkeypatch.setattr(export, "export_body", unreadable)
    again = api.get(
        "/api/v1/export/missions.csv?organisation=un", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_unknown_export_file_is_404(api):
    assert api.get("/api/v1/export/nothing.json").status_code == 404
    assert api.get("/api/v1/export/missions.xml").status_code == 404
    assert api.get("/api/v1/export/dataset.csv").status_code == 404


def test_codebook_comes_from_the_choices_definitions(api):
    body = json.loads(api.get("/api/v1/export/codebook.json").content)
    schemes = {scheme["name"]: scheme for scheme in body["codebook"]}
    consent = schemes["HostConsent"]
    assert "mission.host_consent" in consent["fields"]
    assert consent["values"][0] == {
        "value": "all_parties",
        "label": HostConsent.ALL_PARTIES.label,
        "definition": HostConsent.DEFINITIONS["all_parties"],
    }
    assert [v["value"] for v in schemes["Conception"]["values"]] == Conception.values
    rows = list(
        csv.DictReader(
            io.StringIO(api.get("/api/v1/export/codebook.csv").content.decode())
        )
    )
    assert {"scheme", "fields", "value", "label", "definition"} == set(rows[0])


def test_data_page_offers_downloads_and_codebook(client, dataset):
    response = client.get("/data/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "/api/v1/export/dataset.json" in content
    assert "/api/v1/export/missions.csv" in content
    assert response.context["stamp"].version in content
    assert HostConsent.DEFINITIONS["all_parties"] in content
    assert "base.html" in [t.name for t in response.templates]


# --------------------------------------------------------------------------- /api/ page


def test_api_page_curl_examples_run_against_the_api(client, dataset, as_curator):
    """Every curl example on /api/ works: parsed from the page, run on the test client."""
    page = client.get("/api/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "/api/v1/docs/" in content
    commands = [item["curl"] for item in page.context["examples"]]
    assert len(commands) == len(pages.EXAMPLES)
    for command in commands:
        assert command in content.replace("&#x27;", "'").replace("&quot;", '"').replace(
            "&amp;", "&"
        )
        argv = shlex.split(command.replace("$TOKEN", "t"))
        assert argv[:2] == ["curl", "-s"]
        method, headers, data, form = "GET", {}, None, {}
        url = argv[-1]
        options = iter(argv[2:-1])
        for option in options:
            value = next(options)
            if option == "-X":
                method = value
            elif option == "-H":
                name, _, header = value.partition(": ")
                headers[name] = header
            elif option == "-d" and "Content-Type" in headers:
                data = value
            elif option == "-d":
                key, _, item = value.partition("=")
                form[key] = item
        path = url.removeprefix("http://testserver")
        if "Authorization" in headers:
            response = as_curator.generic(
                method, path, data, content_type=headers["Content-Type"]
            )
            assert response.status_code == 201, (command, response.content)
        elif form:
            assert path == "/api/v1/auth/token/"
            response = client.post(
                path, {"username": "curatrix", "password": "pw-curatrix-1"}
            )
            assert response.status_code == 200
        else:
            response = client.get(path)
            assert response.status_code == 200, (command, response.content)


def store_new_version():
    """The version a commit would make current, stored as its background build would
    (the test's transaction never commits: forget the version named before)."""
    cache.clear()
    export.store_current_version()


def store_version_for(path):
    """Export files serve the stored version: its background build's queries count."""
    if path.startswith("/api/v1/export/"):
        export.store_current_version()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/export/dataset.json", "/api/v1/export/citations.csv", "/api/v1/compare/"],
)
def test_bulk_queries_do_not_grow_with_rows(api, django_assert_max_num_queries, path):
    store_version_for(path)  # a version before: each store below drops its tables
    factories.MissionFactory.create_batch(2)
    factories.ComparisonRowFactory.create_batch(2)
    cache.clear()  # the version those make
    with django_assert_max_num_queries(80) as few:
        store_version_for(path)
        assert api.get(path).status_code == 200
    cache.clear()  # exports are cached per dataset version
    factories.MissionFactory.create_batch(10)
    factories.ComparisonRowFactory.create_batch(10)
    with django_assert_max_num_queries(80) as many:
        store_version_for(path)
        assert api.get(path).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_export_index_etag_holds_while_the_data_does(api, dataset):
    first = api.get("/api/v1/export/")
    cache.clear()  # not the stored answer: a new one, built later
    later_time = timezone.now() + datetime.timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=later_time):
        later = api.get("/api/v1/export/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert later.status_code == 304


def test_per_type_exports_take_the_list_filters(api, dataset):
    factories.MissionFactory(slug="other")
    store_new_version()
    rows = list(
        csv.DictReader(
            io.StringIO(
                api.get("/api/v1/export/missions.csv?organisation=un").content.decode()
            )
        )
    )
    assert [row["slug"] for row in rows] == ["unef-i"]
    body = api.get("/api/v1/export/missions.json?organisation=un").json()
    assert [record["slug"] for record in body["records"]] == ["unef-i"]
    assert api.get("/api/v1/export/missions.csv").content.count(b"\n") == 3
    assert api.get("/api/v1/export/missions.csv?organisaton=un").status_code == 400
    assert api.get("/api/v1/export/dataset.json?organisation=un").status_code == 400


# --------------------------------------------------------------------------- per-type files


def as_built(text):
    """A file's text without the time it was generated (a cut file carries its
    version's, a build the moment of the build)."""
    return re.sub(r'"generated_at": "[^"]*"', '"generated_at": ""', text)


@pytest.mark.parametrize(
    ("path", "slugs"),
    [
        ("missions.json?organisation=un", ["onuc", "unef-i"]),
        ("missions.csv?organisation=un", ["onuc", "unef-i"]),
        ("missions.json?q=UNEF", ["unef-i"]),
        ("missions.csv?mission_type=observation", []),  # no match
        ("missions.json?mission_type=observation", []),
        ("norms.json?conception=westphalian", ["consent"]),
        ("sources.csv?kind=book", ["doyle-sambanis-2000"]),
        ("sources.json?decade=1990&kind=book", ["doyle-sambanis-2000"]),
        ("sources.csv?decade=1950", []),
    ],
)
def test_a_filtered_file_is_the_stored_version_cut_to_its_records(
    api, dataset, rf, monkeypatch, path, slugs
):
    """The records the filter keeps, cut from the stored version (building one in the
    request took longer than a worker may take at 100 times today's data): the same
    text as a build in the request, and never a draft."""
    un = Organisation.objects.get(slug="un")
    for slug in ("secret-un", "onuc"):  # a draft of the UN's, and a published one
        mission = factories.MissionFactory(slug=slug, draft=slug == "secret-un")
        mission.organisations.add(un)
    factories.SourceFactory(slug="doyle-sambanis-2000", kind="book")
    store_new_version()
    name, _, rest = path.partition(".")
    fmt = rest.partition("?")[0]
    built = export.build(name, fmt, rf.get(path), export.dataset_stamp())
    monkeypatch.setattr(export, "build", mock.Mock(side_effect=AssertionError))
    response = api.get(f"/api/v1/export/{path}")
    assert response.status_code == 200
    text = response.content.decode()
    assert as_built(text) == as_built(built)
    if fmt == "csv":
        assert [row["slug"] for row in csv.DictReader(io.StringIO(text))] == slugs
    else:
        body = json.loads(text)
        assert [record["slug"] for record in body["records"]] == slugs
        assert body["dataset"]["count"] == len(slugs)
    assert "secret" not in text
    assert response["ETag"] != api.get(f"/api/v1/export/{name}.{fmt}")["ETag"]


@pytest.mark.parametrize(
    "path",
    [
        "missions.csv?mission_type=observation",
        "sources.csv?decade=1950",
        "organisations.csv?kind=ngo",
    ],
)
def test_a_filtered_csv_file_with_no_record_keeps_its_header(api, dataset, path):
    """Like an empty page of the list as CSV: the header row, so a reader still knows
    the columns (the file was empty, zero bytes)."""
    name = path.partition(".")[0]
    whole = api.get(f"/api/v1/export/{name}.csv").content.decode()
    empty = api.get(f"/api/v1/export/{path}")
    assert empty.status_code == 200
    assert empty.content.decode() == whole.partition("\r\n")[0] + "\r\n"


def test_a_filtered_file_changes_with_the_version_and_the_filter(api, dataset):
    first = api.get("/api/v1/export/missions.csv?organisation=un")
    assert first.status_code == 200
    same = api.get(
        "/api/v1/export/missions.csv?organisation=un", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert same.status_code == 304
    other = api.get("/api/v1/export/missions.csv?q=UNEF")
    assert other["ETag"] != first["ETag"]
    mission = dataset["mission"]
    mission.name = "UNEF I, renamed"
    mission.save()
    store_new_version()
    later = api.get(
        "/api/v1/export/missions.csv?organisation=un", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert later.status_code == 200
    assert later["X-Dataset-Version"] != first["X-Dataset-Version"]
    assert "UNEF I, renamed" in later.content.decode()


@pytest.mark.parametrize(
    "query",
    ["organisation=no-such-body", "decade=199x", "organisaton=un", "started_after=x"],
)
def test_a_bad_filter_is_a_400_even_while_the_version_is_building(
    api, dataset, dataset_builds, query
):
    norm = Norm.objects.get(slug="consent")
    norm.name = "Consent, renamed"
    norm.save()  # a new version, not stored yet
    cache.clear()
    response = api.get(f"/api/v1/export/missions.csv?{query}")
    assert response.status_code == 400
    assert response.json()["errors"]
    good = api.get("/api/v1/export/missions.csv?organisation=un")
    assert good.status_code == 503
    assert good.json()["code"] == "building"


def test_a_type_without_filters_says_so(api, dataset):
    response = api.get("/api/v1/export/comparison-rows.csv?section=x")
    assert response.status_code == 400
    assert "section" in response.json()["errors"]


@pytest.mark.parametrize("path", ["missions.csv", "missions.json", "citations.json"])
def test_per_type_files_say_building_until_the_version_is_stored(
    api, dataset_builds, monkeypatch, settings, path
):
    """Unfiltered per-type files are cut from the stored current version (built in the
    request they took longer than a worker may take at 100 times today's data)."""
    source = factories.SourceFactory(slug="bellamy-2004")
    mission = factories.MissionFactory(slug="unef-i", name="UNEF I")
    factories.CitationFactory(target=mission, source=source, locator="27")
    response = api.get(f"/api/v1/export/{path}")
    assert response.status_code == 503
    assert response["Retry-After"] == str(export.RETRY_AFTER)
    assert response.json()["code"] == "building"
    assert dataset_builds  # the build was started in the background
    export.store_current_version()
    monkeypatch.setattr(export, "build", mock.Mock(side_effect=AssertionError))
    settings.ALLOWED_HOSTS = ["kb.example.org"]
    response = api.get(f"/api/v1/export/{path}", HTTP_HOST="kb.example.org")
    assert response.status_code == 200
    text = response.content.decode()
    if path.endswith(".csv"):
        (row,) = csv.DictReader(io.StringIO(text))
        assert row["url"] == "http://kb.example.org/api/v1/missions/unef-i/"
        return
    body = json.loads(text)
    records = body["records"]
    assert body["dataset"]["count"] == len(records) >= 1
    assert all(
        row["url"].startswith("http://kb.example.org/api/v1/") for row in records
    )
    urls = {row.get("record", row)["url"] for row in records}
    assert "http://kb.example.org/api/v1/missions/unef-i/" in urls


def stored_whole():
    """Store the current version as a version stored before tables were (migration
    0023): its whole file in `body`, no table, no links."""
    snapshot = export.DatasetSnapshot.objects.get()
    packed = gzip.compress(export.version_text(snapshot), mtime=0)
    export.DatasetTable.objects.all().delete()
    export.DatasetSnapshot.objects.update(
        body=packed, stored_bytes=len(packed), has_links=False, meta=""
    )
    return snapshot


def test_a_version_is_stored_once_as_its_tables(api, dataset):
    """Each table once (gzip), the stamp once on the version, and no whole copy: the
    file is put back together from the tables, byte for byte."""
    snapshot = export.DatasetSnapshot.objects.get()
    tables = dict(export.DatasetTable.objects.values_list("name", "body"))
    assert set(tables) == {name.replace("-", "_") for name in export.TABLES}
    assert snapshot.body is None and snapshot.has_links
    assert json.loads(snapshot.meta)["version"] == snapshot.version
    assert snapshot.stored_bytes == sum(len(body) for body in tables.values())
    text = export.version_text(snapshot)
    assert (len(text), hashlib.sha256(text).hexdigest()) == (
        snapshot.size,
        snapshot.sha256,
    )


@pytest.mark.parametrize(
    "path", ["missions.csv", "norms.json", "citations.json", "classifications.csv"]
)
def test_a_version_stored_whole_serves_the_same_files(
    api, dataset, dataset_builds, path
):
    """A version stored whole before tables were (an earlier deploy) serves its record
    tables cut from its body, says "building" for its links, and its build splits it
    into tables without building it again."""
    stored = api.get(f"/api/v1/export/{path}?").content  # not the cached answer
    snapshot = stored_whole()
    cache.clear()
    served = api.get(f"/api/v1/export/{path}")
    if path.startswith(("citations", "classifications")):
        assert served.status_code == 503
    else:
        assert served.content == stored
    assert dataset_builds  # the tables are stored in the background
    assert api.get("/api/v1/export/").json()["current"]["status"] == "stored"
    real_build = export.build

    def links_only(name, *args):
        assert name == "links"
        return real_build(name, *args)

    with mock.patch.object(export, "build", side_effect=links_only):
        export.store_current_version()
    split = export.DatasetSnapshot.objects.get()
    assert export.DatasetTable.objects.count() == len(export.TABLES)
    assert split.body is None and split.has_links
    text = export.version_text(split)
    assert (split.sha256, hashlib.sha256(text).hexdigest()) == (
        snapshot.sha256,
        snapshot.sha256,
    )
    cache.clear()
    assert api.get(f"/api/v1/export/{path}").content == stored


def test_only_the_current_version_keeps_its_links(api, dataset):
    factories.NormFactory(slug="sovereignty")
    store_new_version()
    links = export.DatasetSnapshot.objects.values_list("has_links", flat=True)
    assert list(links) == [True, False]  # newest first
    current, past = export.DatasetSnapshot.objects.all()
    names = {name.replace("-", "_") for name in export.TABLES}
    assert set(current.tables.values_list("name", flat=True)) == names
    assert set(past.tables.values_list("name", flat=True)) == names - {
        "citations",
        "classifications",
    }
    # What each stores, as the storage bound counts it.
    for snapshot in (current, past):
        stored = snapshot.tables.values_list("body", flat=True)
        assert snapshot.stored_bytes == sum(len(body) for body in stored)


def test_the_storage_bound_counts_every_stored_table(api, dataset, monkeypatch):
    factories.NormFactory(slug="sovereignty")
    store_new_version()
    current, past = export.DatasetSnapshot.objects.all()
    monkeypatch.setattr(
        export, "archive_limit", lambda: current.stored_bytes + past.stored_bytes
    )
    export._drop_oldest_beyond_limit()
    assert export.DatasetSnapshot.objects.filter(stored_bytes__gt=0).count() == 2
    monkeypatch.setattr(
        export, "archive_limit", lambda: current.stored_bytes + past.stored_bytes - 1
    )
    export._drop_oldest_beyond_limit()
    past.refresh_from_db()
    assert past.stored_bytes == 0 and not past.tables.exists()
    assert api.get(f"/api/v1/export/{past.version}/").status_code == 410
    assert api.get(f"/api/v1/export/{current.version}/").status_code == 200


@pytest.mark.parametrize("path", ["missions.json", "missions.csv", "citations.csv"])
def test_a_per_type_file_takes_few_queries_whatever_the_rows(
    api, django_assert_max_num_queries, path
):
    counts = []
    for batch in (2, 10):
        for mission in factories.MissionFactory.create_batch(batch):
            factories.CitationFactory(target=mission)
        store_new_version()
        with django_assert_max_num_queries(3) as queries:
            assert api.get(f"/api/v1/export/{path}").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_a_stored_table_is_read_record_by_record(dataset, monkeypatch, chunk):
    """A per-type file reads its stored table as it decompresses it, a record at a time,
    wherever a chunk ends: the same records as the whole table split."""
    factories.MissionFactory(slug="unmik", name="UNMIK")
    store_new_version()
    monkeypatch.setattr(export, "CHUNK", chunk)
    counts = {}
    current = export.DatasetTable.objects.filter(snapshot__has_links=True)
    for name, packed in current.values_list("name", "body"):
        table = gzip.decompress(packed)
        whole = [] if table == b"[]" else export.RECORD_START.split(table[2:-3])
        assert list(export._records(packed)) == whole, name
        counts[name] = len(whole)
    assert counts["missions"] == 2 and 0 in counts.values()  # several, and none


# --------------------------------------------------------------------------- streaming


def served(response):
    """A response's bytes, streamed or not (the whole dataset is streamed)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_the_whole_dataset_serves_the_stored_bytes_on_loaded_data(api, dataset_builds):
    """On the curated data: dataset.json is the stored current version with this
    host's addresses, and a version's address its stored bytes (their checksum), byte
    for byte, whether the answer is built whole or streamed a table at a time; with
    the same headers, and a 304 for its ETag."""
    load_dataset(Path(settings.BASE_DIR) / "data")
    snapshot = export.store_current_version()
    stored = export.version_text(snapshot)
    assert hashlib.sha256(stored).hexdigest() == snapshot.sha256
    hosted = export.SITE_ADDRESS.sub(
        lambda match: match.group(1) + "http://testserver", stored.decode()
    ).encode()
    assert hosted != stored  # there are addresses to make absolute
    for old_style in (None, stored_whole):  # tables, or a body stored whole
        if old_style:
            old_style()
            snapshot = export.DatasetSnapshot.objects.get()
        cache.clear()
        for path, expected in (
            ("/api/v1/export/dataset.json", hosted),
            (f"/api/v1/export/{snapshot.version}/", stored),
            ("/api/v1/export/latest/", stored),
        ):
            response = api.get(path)
            assert response.status_code == 200, path
            assert served(response) == expected, path
            assert response["Content-Type"] == "application/json; charset=utf-8"
            assert response["X-Dataset-Version"] == snapshot.version
            assert response["Content-Disposition"] == (
                f'attachment; filename="pkb-dataset-{snapshot.version}.json"'
            )
            again = api.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
            assert (again.status_code, again.content) == (304, b""), path
            # Asked again (the cache of dataset.json may answer): the same bytes.
            assert served(api.get(path)) == expected, path
