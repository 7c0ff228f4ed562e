"""Issue 17: after a publish commits, the most read pages are rendered again in a
background thread, never in the editor's request and never failing it."""

import pytest

from apps.core import pagecache
from apps.knowledge import warmup
from tests import factories

pytestmark = pytest.mark.django_db


class FakeThread:
    """Records the thread the warm-up would start instead of starting it: the test's
    transaction is not visible to another connection."""

    started = []

    def __init__(self, target, args, **kwargs):
        self.target, self.args = target, args

    def start(self):
        FakeThread.started.append(self)


@pytest.fixture
def warm_on(settings, monkeypatch, page_cache):
    settings.PAGE_WARMUP = True
    monkeypatch.setattr(warmup.threading, "Thread", FakeThread)
    FakeThread.started = []


def test_a_publish_warms_home_the_list_the_page_and_compare_after_the_commit(
    warm_on, client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    mission = factories.MissionFactory(draft=True, name="Newly published")
    # The set-up (a published source for the citations) is in the test's own
    # transaction, which never commits: start from a fresh batch as a request would.
    warmup._pending.batch = None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mission.status = "published"
        mission.save()
        source = mission.citations.first().source
        factories.CitationFactory(target=mission, source=source)  # same batch
        assert FakeThread.started == []  # nothing before the commit
    assert callbacks
    (thread,) = FakeThread.started  # one thread per transaction, after the commit
    assert thread.target is warmup._background
    urls, _origin = thread.args
    assert urls == ["/", "/missions/", mission.get_absolute_url(), "/compare/"]

    statuses = warmup.warm(urls, ("testserver", False))
    assert set(statuses.values()) == {200}
    # A reader now gets the page from the cache, rendered for the new generation.
    with django_assert_num_queries(0):
        response = client.get(mission.get_absolute_url())
    assert "Newly published" in response.content.decode()


def test_no_warm_up_for_what_the_public_cannot_see(
    warm_on, django_capture_on_commit_callbacks
):
    draft = factories.MissionFactory(draft=True, cited=False, classified=False)
    warmup._pending.batch = None
    with django_capture_on_commit_callbacks(execute=True):
        draft.name = "Still a draft"
        draft.save()
    assert FakeThread.started == []


def test_a_failing_page_does_not_stop_the_others_or_raise(warm_on, monkeypatch):
    from django.test import Client

    real_get = Client.get

    def get(self, path, *args, **kwargs):
        if path == "/broken/":
            raise RuntimeError("boom")
        return real_get(self, path, *args, **kwargs)

    monkeypatch.setattr(Client, "get", get)
    statuses = warmup.warm(["/broken/", "/"], ("testserver", False))
    assert statuses == {"/broken/": None, "/": 200}


def test_it_is_off_unless_asked(settings, django_capture_on_commit_callbacks):
    settings.PAGE_WARMUP = False
    generation = pagecache.current_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        factories.MissionFactory()
    assert all(
        getattr(callback, "__self__", None).__class__ is not warmup._Batch
        for callback in callbacks
    )
    assert pagecache.current_generation() > generation


def test_pages_for_lists_each_address_once_and_skips_unpublished_records():
    missions = factories.MissionFactory.create_batch(2)
    draft = factories.CaseFactory(draft=True)
    urls = warmup.pages_for([*missions, draft, missions[0]])
    assert urls == [
        "/",
        "/missions/",
        missions[0].get_absolute_url(),
        missions[1].get_absolute_url(),
        "/cases/",
        "/compare/",
    ]
