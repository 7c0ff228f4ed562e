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
