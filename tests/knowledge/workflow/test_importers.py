"""Bringing sources and rows in: the paste-in readers and the CSV import, with good and
malformed input, and the admin pages around them."""

import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from apps.core.models import Status
from apps.knowledge import importers
from apps.knowledge.models import Norm
from apps.knowledge.models import Revision
from apps.knowledge.models import Source
from tests.factories import NormFactory
from tests.factories import SourceFactory

BIBTEX = r"""
@article{flynn1999,
  author  = {Flynn, Gregory and Farrell, Henry},
  title   = {Piecing Together the Democratic Peace: The {CSCE}, Norms, and the
             ``Construction'' of Security in Post-Cold War Europe},
  journal = {International Organization},
  volume  = 53,
  number  = {3},
  pages   = {505--535},
  month   = jun,
  year    = {1999},
  doi     = {10.1162/002081899551020},
}
"""

RIS = """TY  - CHAP
AU  - Bellamy, Alex J.
AU  - Williams, Paul
A2  - Griffin, Stuart
TI  - Understanding Peacekeeping
T2  - Peace Operations
PB  - Polity
CY  - Cambridge
PY  - 2004/01/01
SP  - 1
EP  - 30
ER  -
"""

CSL = json.dumps(
    [
        {
            "type": "report",
            "title": "An Agenda for Peace",
            "author": [{"literal": "United Nations Secretary-General"}],
            "publisher": "United Nations",
            "issued": {"date-parts": [[1992, 6]]},
            "URL": "https://example.org/agenda",
        }
    ]
)


def test_bibtex_entry_becomes_a_source_dict():
    data = importers.parse_bibtex(BIBTEX)
    assert data["kind"] == "article"
    assert data["title"] == "Piecing Together the Democratic Peace"
    assert data["subtitle"].startswith("The CSCE, Norms, and the")
    assert data["authors"] == [
        {"family": "Flynn", "given": "Gregory"},
        {"family": "Farrell", "given": "Henry"},
    ]
    assert (data["volume"], data["issue"], data["pages"]) == ("53", "3", "505-535")
    assert (data["year"], data["month"]) == (1999, 6)
    assert data["doi"] == "10.1162/002081899551020"


def test_ris_entry_becomes_a_source_dict():
    data = importers.parse_reference(RIS)
    assert data["kind"] == "chapter"
    assert data["container_title"] == "Peace Operations"
    assert data["authors"][0] == {"family": "Bellamy", "given": "Alex J."}
    assert data["editors"] == [{"family": "Griffin", "given": "Stuart"}]
    assert (data["year"], data["month"], data["pages"]) == (2004, 1, "1-30")
    assert (data["publisher"], data["place"]) == ("Polity", "Cambridge")


def test_csl_json_entry_becomes_a_source_dict():
    data = importers.parse_reference(CSL)
    assert data["kind"] == "report"
    assert data["authors"] == [{"family": "United Nations Secretary-General"}]
    assert (data["year"], data["month"]) == (1992, 6)
    assert data["url"] == "https://example.org/agenda"


def test_bibtex_values_joined_quoted_and_as_macros_read_as_written():
    data = importers.parse_bibtex(
        '@report(k, title = "Keeping " # {the {Peace}} # ": A Study",'
        " author = {{United Nations} and Jo Roe}, date = {1995-03},"
        " month = mar, journaltitle = {}, booktitle = {Annual Review},"
        r' institution = {UN}, location = {Geneva}, issue = 4, note = "a \\"q\\"")'
    )
    assert data["kind"] == "report"
    assert (data["title"], data["subtitle"]) == ("Keeping the Peace", "A Study")
    assert data["authors"] == [
        {"family": "United Nations"},
        {"family": "Roe", "given": "Jo"},
    ]
    assert (data["year"], data["month"], data["issue"]) == (1995, 3, "4")
    assert data["container_title"] == "Annual Review"
    assert (data["publisher"], data["place"]) == ("UN", "Geneva")


def test_ris_continuation_lines_and_fallback_tags_are_read():
    data = importers.parse_ris(
        "TY  - JOUR\nT1  - A long title\n  that goes on\nA1  - Roe, Jo\n"
        "ED  - Poe\nJF  - Journal\nY1  - 2001/13/02\nSP  - 7\nEP  - 7\nER  -\n"
    )
    assert data["title"] == "A long title that goes on"
    assert data["authors"] == [{"family": "Roe", "given": "Jo"}]
    assert data["editors"] == [{"family": "Poe"}]
    assert data["container_title"] == "Journal"
    assert (data["year"], data.get("month")) == (2001, None)  # no 13th month
    assert data["pages"] == "7"  # one page, not 7-7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste a BibTeX"),
        ("hello", "Not recognised"),
        ("@article{key, title = {Unclosed", "unbalanced braces"),
        ('@book{key, title = "open', "not closed"),
        ("@article{key, = {x}}", "expected field = value"),
        ("@article{key, year = {1999}}", "no title"),
        ("@article{a, title={A}}\n@book{b, title={B}}", "2 entries were pasted"),
        ("@article{key, title = {A}", "not closed with '}'"),
        ("@article{key, title = {A} # ", "ends inside a field value"),
        ("@article{key, title = !A}", "unexpected '!'"),
        ("TY  - JOUR\nTY  - BOOK\nER  - ", "line 2: paste one entry"),
        ("TY  - JOUR\nTI  - No end\n", "does not end"),
        ("TY  - JOUR\nnonsense line\nER  - ", None),
        ("TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\n", None),
        ('{"type": "book", "title": ', "CSL-JSON line 1"),
        ("[1, 2]", "one entry at a time"),
        ('{"type": "book", "title": 5.5, "author": "X"}', "must be a list"),
        ('{"type": "book", "title": "T", "author": [{"given": "A"}]}', "no family"),
        ("x" * (importers.MAX_PASTE + 1), "more than"),
    ],
)
def test_malformed_references_are_refused_with_a_reason(text, message):
    with pytest.raises(importers.ImportProblem) as exc:
        importers.parse_reference(text)
    if message:
        assert message in str(exc.value)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_no_input_crashes_the_readers(text):
    for prefix in ("@article{k,", "TY  - JOUR\n", "{", ""):
        try:
            data = importers.parse_reference(prefix + text)
        except importers.ImportProblem:
            continue
        assert data["title"]


@settings(max_examples=100, deadline=None)
@given(
    title=st.text(
        alphabet=st.characters(
            categories=["L", "N", "Zs"], include_characters=".,;:!?'()-"
        ),
        min_size=1,
        max_size=80,
    ).filter(lambda t: t.strip() and "--" not in t),
    family=st.from_regex(r"[A-Z][a-z]{1,12}", fullmatch=True),
    year=st.integers(1600, 2099),
)
def test_what_a_reference_manager_writes_reads_back(title, family, year):
    entry = (
        f"@book{{k, title = {{{title}}}, author = {{{family}, Ann}}, year = {year}}}"
    )
    data = importers.parse_reference(entry)
    assert data["kind"] == "book"
    assert data["authors"] == [{"family": family, "given": "Ann"}]
    assert data["year"] == year
    read = ": ".join(filter(None, [data["title"], data.get("subtitle")]))
    assert read == " ".join(title.split())


# --------------------------------------------------------------------------- admin: paste


@pytest.mark.django_db
def test_paste_previews_then_creates_a_draft_source(curator_client):
    url = reverse("admin:knowledge_source_paste")
    preview = curator_client.post(url, {"text": BIBTEX, "_preview": "1"})
    html = preview.content.decode()
    assert "Piecing Together the Democratic Peace" in html
    assert "Flynn, Gregory" in html
    assert not Source.objects.exists()
    created = curator_client.post(url, {"text": BIBTEX, "_create": "1"})
    source = Source.objects.get()
    assert created.url == reverse("admin:knowledge_source_change", args=[source.pk])
    assert source.status == Status.DRAFT
    assert source.slug == "flynn-farrell-1999-piecing"
    assert [c.family for c in source.authors()] == ["Flynn", "Farrell"]
    assert (source.page_first, source.page_last) == (505, 535)
    assert Revision.objects.for_record(source).get().action == "create"


@pytest.mark.django_db
def test_paste_warns_of_a_duplicate_before_creating(curator_client):
    existing = SourceFactory(doi="10.1162/002081899551020")
    url = reverse("admin:knowledge_source_paste")
    response = curator_client.post(url, {"text": BIBTEX, "_create": "1"})
    assert response.status_code == 200
    assert "looks like a source we already have" in response.content.decode()
    assert list(Source.objects.all()) == [existing]
    curator_client.post(url, {"text": BIBTEX, "_create": "1", "_create_anyway": "1"})
    assert Source.objects.count() == 2


@pytest.mark.django_db
def test_paste_shows_what_is_wrong(curator_client):
    response = curator_client.post(
        reverse("admin:knowledge_source_paste"), {"text": "TY  - JOUR\nTI  - x\n"}
    )
    assert "does not end with" in response.content.decode()


@pytest.mark.django_db
def test_paste_needs_the_add_permission(reader):
    from django.test import Client

    client = Client()
    client.force_login(reader)
    assert client.get(reverse("admin:knowledge_source_paste")).status_code == 403


# --------------------------------------------------------------------------- admin: CSV


def upload(text, name="norms.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_csv_export_then_import_round_trips(editor_client):
    norm = NormFactory(slug="consent", name="Consent", summary="Agreement. Of parties.")
    response = editor_client.post(
        reverse("admin:knowledge_norm_changelist"),
        {"action": "export_csv", "_selected_action": [norm.pk]},
    )
    text = response.content.decode()
    assert (
        text.splitlines()[0]
        == "slug,name,conception,related,summary,caveat,curator_note,wikidata"
    )
    assert "consent,Consent,westphalian" in text
    edited = text.replace("Agreement. Of parties.", "Agreement of the parties. Always.")
    edited += "impartiality,Impartiality,westphalian,consent,Even-handed. Always.,,,\n"
    result = editor_client.post(
        reverse("admin:knowledge_norm_import_csv"),
        {"file": upload(edited)},
        follow=True,
    )
    assert "1 created, 1 updated" in result.content.decode()
    norm.refresh_from_db()
    assert norm.summary == "Agreement of the parties. Always."
    assert norm.citations.count() == 1  # left alone
    new = Norm.objects.get(slug="impartiality")
    assert new.status == Status.DRAFT
    assert list(new.related.all()) == [norm]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("slug,colour\nx,red\n", "Row 1, column 2: unknown column &#x27;colour&#x27;"),
        ("name\nConsent\n", "needs a &#x27;slug&#x27; column"),
        ("slug,name,conception\nbad,Bad,nonsense\n", "Row 2, column conception"),
        ("slug,name,conception\nok,Ok,westphalian\nx,X\n", "Row 3: 2 cells"),
        (
            "slug,name,conception,related\nok,Ok,westphalian,ghost-norm\n",
            "Row 2, column related: &quot;ghost-norm&quot; is not a known norm slug",
        ),
        ("", "file is empty"),
    ],
)
def test_csv_import_reports_row_and_column_and_saves_nothing(
    editor_client, csv_text, message
):
    response = editor_client.post(
        reverse("admin:knowledge_norm_import_csv"), {"file": upload(csv_text)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html[
        html.find("errornote") - 50 : html.find("errornote") + 600
    ]
    assert not Norm.objects.exists()


@pytest.mark.django_db
def test_one_bad_row_keeps_the_good_rows_out_too(editor_client):
    text = "slug,name,conception\ngood,Good,westphalian\nbad,Bad,nonsense\n"
    editor_client.post(
        reverse("admin:knowledge_norm_import_csv"), {"file": upload(text)}
    )
    assert not Norm.objects.exists()


@pytest.mark.django_db
def test_csv_upload_is_size_limited(editor_client):
    big = "slug,name\n" + "x,y\n" * (importers.MAX_CSV_BYTES // 4 + 10)
    response = editor_client.post(
        reverse("admin:knowledge_norm_import_csv"), {"file": upload(big)}
    )
    assert "larger than" in response.content.decode()


@pytest.mark.django_db
def test_curators_csv_change_to_a_published_record_goes_to_review(curator_client):
    norm = NormFactory(slug="consent", name="Consent")
    text = "slug,name\nconsent,Consent of the parties\n"
    curator_client.post(
        reverse("admin:knowledge_norm_import_csv"), {"file": upload(text)}
    )
    norm.refresh_from_db()
    assert norm.name == "Consent"
    proposal = Revision.objects.pending().get()
    assert proposal.data["name"] == "Consent of the parties"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_no_upload_crashes_the_csv_reader(raw):
    from apps.knowledge.canonical import record_type_for

    record_type = record_type_for(Norm)
    for prefix in (b"", b"slug,name\n"):
        try:
            rows = importers.read_csv(record_type, prefix + raw)
        except importers.ImportProblem:
            continue
        for number, row in rows:
            assert number >= 2
            assert set(row) <= set(importers.csv_columns(record_type))


def test_csv_export_defuses_spreadsheet_formulas_and_import_restores_them():
    from apps.knowledge.canonical import record_type_for

    record_type = record_type_for(Norm)
    text = importers.write_csv(
        record_type, [{"slug": "x", "name": "=HYPERLINK(1)", "summary": "-ish. Yes."}]
    )
    assert "'=HYPERLINK(1)" in text and "'-ish. Yes." in text
    ((_number, row),) = importers.read_csv(record_type, text.encode())
    data = importers.apply_csv_row(record_type, {}, row)
    assert (data["name"], data["summary"]) == ("=HYPERLINK(1)", "-ish. Yes.")


@pytest.mark.django_db
def test_csv_cannot_leave_a_published_record_breaking_the_rules(editor_client):
    norm = NormFactory(slug="consent", name="Consent", summary="Live. Summary.")
    text = "slug,summary\nconsent,\n"
    response = editor_client.post(
        reverse("admin:knowledge_norm_import_csv"), {"file": upload(text)}
    )
    assert (
        "Row 2: Consent cannot be kept published with this change: It has no summary."
        in (response.content.decode())
    )
    norm.refresh_from_db()
    assert norm.summary == "Live. Summary."


# --------------------------------------------------------------------------- hostile input

HOSTILE_REFERENCES = {
    "superscript-month": "@article{a,\n title = {T},\n year = {1999},\n month = {²}\n}",
    "superscript-year": "@article{a,\n title = {T},\n year = {¹⁹⁹⁹}\n}",
    "huge-number": "@article{a,\n title = {T},\n year = {" + "9" * 5000 + "},\n"
    " pages = {" + "1" * 5000 + "--" + "2" * 5000 + "}\n}",
    "huge-ris": "TY  - JOUR\nTI  - T\nPY  - "
    + "9" * 5000
    + "\nSP  - "
    + "1" * 5000
    + "\nER  - \n",
    "deep-csl": "[" * 50_000 + "]" * 50_000,
    "deep-csl-object": '{"title": ' + '{"a": ' * 5000 + "1" + "}" * 5001,
    "csl-huge-year": '{"type": "book", "title": "T", "issued": {"date-parts": [['
    + "9" * 5000
    + "]]}}",
    "csl-odd-date": json.dumps(
        {"type": "book", "title": "T", "issued": {"date-parts": [["x", {}, []]]}}
    ),
    "lone-surrogate": "@article{a,\n title = {T\ud800},\n year = {1999}\n}",
    "csl-surrogate": '{"type": "book", "title": "T\\ud800"}',
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE_REFERENCES)
def test_hostile_pasted_references_get_a_form_answer(curator_client, name):
    url = reverse("admin:knowledge_source_paste")
    for action in ("_preview", "_create"):
        # As a browser would send it (a lone surrogate as its raw UTF-8-like bytes).
        body = urlencode(
            {"text": HOSTILE_REFERENCES[name], action: "1"}, errors="surrogatepass"
        )
        response = curator_client.post(
            url, body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (200, 302), name
    for source in Source.objects.all():
        source.full_title.encode()  # whatever was saved is valid text


HOSTILE_CSV = {
    "huge-number": "slug,name,start\nx,X," + "9" * 5000 + "\n",
    "superscript": "slug,name,start\nx,X,¹⁹⁹⁹\n",
    "surrogate": "slug,name,conception\nx,X\ud800,westphalian\n",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE_CSV)
@pytest.mark.parametrize("model", ["norm", "mission", "source"])
def test_hostile_csv_rows_get_a_form_answer(editor_client, name, model):
    data = HOSTILE_CSV[name].encode("utf-8", "surrogatepass")
    response = editor_client.post(
        reverse(f"admin:knowledge_{model}_import_csv"),
        {"file": SimpleUploadedFile("x.csv", data, content_type="text/csv")},
    )
    assert response.status_code in (200, 302), response.content[:300]
