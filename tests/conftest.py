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
