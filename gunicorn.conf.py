"""gunicorn reads this file from the working directory on its own (the image, compose,
`make loadtest` and the tests all start gunicorn here): its own lines, start-up and worker
messages, become JSON objects on stdout like the app's (DJANGO_LOG_FORMAT=text for plain).

The app logs every request itself, with its id, so gunicorn's access log stays off.
"""

import os

from apps.core.logs import stdout_logging

_format = os.environ.get("DJANGO_LOG_FORMAT", "json")

logconfig_dict = stdout_logging(
    _format if _format in ("json", "text") else "json",
    request_filter=False,
    loggers={
        "gunicorn.error": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
        "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": False},
    },
)
