"""Property-based tests (Hypothesis): validation and the dataset loader never fail badly.

Whatever a curator or a file supplies, the model validation answers with a
ValidationError (never another exception), and the loader with a DatasetError that
leaves the database as it was.
"""

import datetime
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from apps.core import fuzzydate
from apps.knowledge.dataset import DatasetError
from apps.knowledge.dataset import load_dataset
from apps.knowledge.models import Citation
from apps.knowledge.models import Mission
from apps.knowledge.models import Source
from apps.knowledge.models.choices import LocatorType
from tests.knowledge.test_dataset import TINY_BASICS
from tests.knowledge.test_dataset import write
from tests.test_resilience import snapshot

# No example database on disk; a bounded number of examples keeps the suite fast.
FAST = settings(max_examples=150, deadline=None, database=None, print_blob=True)
SLOW = settings(
    max_examples=40,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# Text that YAML and databases can hold: no surrogates.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
precisions = st.sampled_from(list(fuzzydate.DatePrecision))
dates = st.dates(
    min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)
)


# ------------------------------------------------------------------ fuzzy dates


@FAST
@given(dates, precisions)
def test_fuzzy_dates_round_trip_through_their_text(date, precision):
    parsed, parsed_precision = fuzzydate.parse(fuzzydate.to_text(date, precision))
    assert parsed_precision == precision
    assert fuzzydate.to_text(parsed, parsed_precision) == fuzzydate.to_text(
        date, precision
    )
    assert parsed <= date <= fuzzydate.latest(parsed, parsed_precision)


@FAST
@given(st.one_of(text, st.from_regex(r"\A-?\d{1,5}(-\d{1,3}){0,3}\s*\Z")))
def test_fuzzy_date_parsing_fails_only_with_value_error(raw):
    try:
        date, precision = fuzzydate.parse(raw)
    except ValueError:
        return
    assert fuzzydate.latest(date, precision) >= date
    assert fuzzydate.display(date, precision)


@FAST
@given(dates, precisions, dates, precisions)
def test_record_dates_validate_only_with_validation_error(start, sp, end, ep):
    mission = Mission(
        slug="m",
        name="M",
        start_date=start,
        start_precision=sp,
        end_date=end,
        end_precision=ep,
    )
    try:
        mission.clean()
    except ValidationError as exc:
        assert "end_date" in exc.message_dict
        assert fuzzydate.latest(end, ep) < start
    else:
        assert fuzzydate.latest(end, ep) >= start


# ------------------------------------------------------------------ page locators

locators = st.one_of(
    text,
    st.from_regex(r"\A\s*\d{1,6}\s*([-\u2013]\s*\d{1,6})?\s*\Z"),
    st.builds(lambda a, b: f"{a}-{b}", st.integers(-5, 10**6), st.integers(-5, 10**6)),
)


@FAST
@given(locators, st.sampled_from(list(LocatorType)))
def test_citation_locators_validate_only_with_validation_error(locator, kind):
    citation = Citation(locator_type=kind, locator=locator)
    try:
        citation.clean()
    except ValidationError as exc:
        assert set(exc.message_dict) == {"locator"}
        return
    assert citation.locator == citation.locator.strip() != ""
    if kind == LocatorType.PAGES:
        assert 0 <= citation.page_start <= citation.page_end <= 99999
    else:
        assert citation.page_start is None


@FAST
@given(locators, st.integers(1, 2000), st.integers(0, 2000))
def test_page_locators_stay_within_the_source(locator, first, length):
    source = Source(pk=1, page_first=first, page_last=first + length)
    citation = Citation(locator_type=LocatorType.PAGES, locator=locator)
    citation.source = source
    try:
        citation.clean()
    except ValidationError:
        return
    assert first <= citation.page_start <= citation.page_end <= first + length


# ------------------------------------------------------------------ the dataset loader

TINY = {
    **TINY_BASICS,
    "cases/suez.yaml": """\
        slug: suez
        name: Suez Crisis
        countries: [EG]
        start: "1956-10"
        conflict_type: inter_state
        summary: A crisis.
        citations: [{source: ff, claim: summary, pages: "512-513"}]
        """,
}
MISSION_KEYS = [
    "name",
    "acronym",
    "mission_type",
    "start",
    "end",
    "cases",
    "mandate_tasks",
    "host_consent",
    "use_of_force",
    "organisations",
    "lead_state",
    "predecessor",
    "summary",
    "status",
    "last_reviewed",
    "wikidata",
    "citations",
    "classifications",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False),
    text,
    st.sampled_from(
        ["suez", "ff", "EG", "interposition", "1956-11", "512", "westphalian"]
    ),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(text, st.sampled_from(["source", "pages", "claim", "value"])),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=8,
)
mission_mappings = st.dictionaries(
    st.one_of(st.sampled_from(MISSION_KEYS), text), values, max_size=8
).map(lambda d: {**d, "slug": "fuzz"})


def _tiny_dataset():
    root = Path(tempfile.mkdtemp(prefix="pkb-fuzz-"))
    for name, body in TINY.items():
        write(root, name, body)
    (root / "missions").mkdir()
    return root


def _load_and_check(root, before):
    """Load inside a savepoint; on error nothing may have changed. Always roll back."""
    with transaction.atomic():
        try:
            load_dataset(root)
        except DatasetError as exc:
            assert exc.problems
            assert snapshot() == before
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def dataset_dir():
    root = _tiny_dataset()
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.django_db
def test_random_mission_files_raise_only_dataset_errors_and_leave_nothing(dataset_dir):
    load_dataset(dataset_dir)
    before = snapshot()

    valid = {"slug": "fuzz", "name": "F", "cases": ["suez"], "start": "1956-11"}

    @SLOW
    @given(mission_mappings)
    @example({**valid, "cases": [[]]})  # found by Hypothesis: a list where a slug goes
    @example({**valid, "cases": [{"a": 1}], "lead_state": ["x"]})
    @example({**valid, "name": "a\x00b"})  # PostgreSQL cannot store NUL
    @example(
        {**valid, "summary": "ok", "citations": [{"source": "ff", "pages": "\x00"}]}
    )
    @example({**valid, "acronym": "A" * 500, "start": 1956, "end": [1967]})
    def check(mapping):
        path = dataset_dir / "missions" / "fuzz.yaml"
        path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
        _load_and_check(dataset_dir, before)

    try:
        check()
    finally:
        (dataset_dir / "missions" / "fuzz.yaml").unlink(missing_ok=True)


@pytest.mark.django_db
def test_random_file_contents_raise_only_dataset_errors(dataset_dir):
    load_dataset(dataset_dir)
    before = snapshot()

    laughs = "slug: fuzz\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )

    @SLOW
    @given(
        st.one_of(
            st.binary(max_size=200),
            text.map(lambda t: ("slug: fuzz\n" + t).encode()),
            st.sampled_from(
                [
                    "slug: fuzz\nname: [unclosed\n",
                    "slug: fuzz\nname: !!python/object/apply:os.system ['true']\n",
                    "- just\n- a list\n",
                    "slug: fuzz\n" + "  " * 200 + "deep: 1\n",
                    'slug: fuzz\nname: "a\\0b"\n',  # an escaped NUL
                    laughs,  # the "billion laughs": nine levels of aliases
                ]
            ).map(str.encode),
            st.just(b"slug: fuzz\nname: caf\xe9\n"),  # Latin-1, not UTF-8
            st.just(b"slug: fuzz\nsummary: " + b"x" * (1024 * 1024) + b"\n"),
        )
    )
    def check(raw):
        path = dataset_dir / "missions" / "fuzz.yaml"
        path.write_bytes(raw)
        _load_and_check(dataset_dir, before)

    try:
        check()
    finally:
        (dataset_dir / "missions" / "fuzz.yaml").unlink(missing_ok=True)
