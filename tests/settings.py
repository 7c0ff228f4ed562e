"""Settings for the test suite (pytest's DJANGO_SETTINGS_MODULE): the project's own,
read with a test environment, plus what a test client needs.

config/settings.py reads everything from the environment; the tests give it theirs for
the import only (a variable already set wins), so subprocesses that tests start see the
caller's environment, not this one.
"""

import os
from unittest import mock

TEST_ENVIRONMENT = {
    # Never a production secret; the base settings refuse to start without a key.
    "DJANGO_SECRET_KEY": "insecure-test-key-never-use-in-production",
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,[::1],testserver",
    # Plain http from the test client: no redirect to https.
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    # Whole-page, facet and record block caches would carry pages from one test into the next; the
    # tests that exercise them switch them on themselves.
    "DJANGO_PAGE_CACHE": "0",
    "DJANGO_FACET_CACHE": "0",
    "DJANGO_BLOCK_CACHE": "0",
    # No background thread re-rendering pages after a publish (test_warmup.py switches
    # it on).
    "DJANGO_PAGE_WARMUP": "0",
    # No dataset version stored after every factory's commit (test_api_versions.py
    # switches it on).
    "PKB_DATASET_VERSIONS_ON_COMMIT": "0",
}

with mock.patch.dict(
    os.environ, {k: os.environ.get(k) or v for k, v in TEST_ENVIRONMENT.items()}
):
    from config.settings import *  # noqa: F403
    from config.settings import STORAGES

# The test client speaks http: cookies marked Secure would never come back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Pages render without `collectstatic` (the manifest storage needs its hashed files).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
