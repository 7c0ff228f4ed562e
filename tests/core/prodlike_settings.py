"""Production settings for a server started by a test: only the static files differ.

The real ones need `collectstatic` (a hashed manifest) before any page renders; tests that
start gunicorn use plain storage instead, so that they need no build step.
"""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
