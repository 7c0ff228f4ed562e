import pytest


@pytest.fixture(autouse=True, scope="session")
def _fast_tests(django_test_environment):
    """Fast password hashing and plain static storage for the whole run."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache. Test writes never commit, so they do not bump
    the content generation that invalidates cached fragments in production."""
    from django.core.cache import cache

    from apps.core.cache import ResilientRedisCache

    ResilientRedisCache.reset_breaker()
    cache.clear()


@pytest.fixture(autouse=True)
def dataset_builds(monkeypatch):
    """The background dataset builds a test started, counted, not run: another thread's
    connection does not see the test's transaction (and would store a version outside
    it). Tests that need a version build it with export.store_current_version();
    test_api_versions.py runs real threads in committing tests."""
    from apps.knowledge.api import export

    started = []
    monkeypatch.setattr(export, "start_building", lambda: started.append(True))
    return started


@pytest.fixture
def page_cache(settings):
    """The public cache as production has it (off in the test suite, whose transactions
    never commit): whole anonymous pages (the middleware), anonymous API answers and
    the rendered blocks of record pages, from an empty cache."""
    from django.core.cache import cache

    middleware = "apps.core.pagecache.PublicPageCacheMiddleware"
    if middleware not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, middleware]
    settings.PAGE_CACHE = True
    settings.BLOCK_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_superuser(
        "curator", "c@example.org", "pw-curator-1"
    )


@pytest.fixture
def admin_client_logged(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture(scope="module")
def curated(request, django_db_setup, django_db_blocker):
    """The curated data/ loaded once for a module (about 25 s a load), in a transaction
    rolled back after the module's last test; each test's own writes roll back to it
    (pytest-django's `db` nests a savepoint). Yields the load's report.

    Every test of the module that uses the database must ask for it (the others would
    see the data too) and none may be transactional (it would flush the data)."""
    from pathlib import Path

    from django.conf import settings
    from django.db import transaction

    from apps.knowledge.dataset import load_dataset

    def uses_db(item):
        return item.get_closest_marker("django_db") or "db" in item.fixturenames

    module = [item for item in request.session.items if item.module is request.module]
    others = [i.name for i in module if uses_db(i) and "curated" not in i.fixturenames]
    assert not others, f"these tests use the database without `curated`: {others}"
    unsaved = [i.name for i in module if "curated" in i.fixturenames and not uses_db(i)]
    assert not unsaved, f"these tests need the `db` fixture to roll back: {unsaved}"
    transactional = [
        i.name
        for i in module
        if (mark := i.get_closest_marker("django_db"))
        and mark.kwargs.get("transaction")
    ]
    assert not transactional, (
        f"a transactional test would flush the data: {transactional}"
    )
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_dataset(Path(settings.BASE_DIR) / "data")
        transaction.set_rollback(True)
