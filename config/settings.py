"""Settings for the Peacekeeping Knowledge Base.

One file, driven by the environment: production differs from development by toggles,
not by code paths. Every variable is documented in `.env.example`.
"""

import os
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

from apps.core.logs import stdout_logging
from apps.core.release import release_id

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The test suite reads these settings through tests/settings.py, with an environment of
# its own: nothing here asks whether it runs under a test runner.

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see .env.example)."
        )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",  # apnumber: "at most four", from limits.COMPARE_MAX
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "apps.core",
    "apps.knowledge",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id; probes skip host checks.
    "apps.core.logs.RequestIDMiddleware",
    "apps.core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what it is given last: public answers only (see the class).
    "apps.core.middleware.PublicGZipMiddleware",
    "apps.core.middleware.RequestLimitsMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.core.csp.ApiDocsCSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "apps.knowledge.api.throttling.RateLimitHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.knowledge.warmup.RequestOriginMiddleware",
]
# Whole-page cache for anonymous readers, invalidated by any committed content change
# (apps/core/pagecache.py). On in production; off in development and in the test suite,
# whose transactions never commit (tests/core/test_pagecache.py switches it on).
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", not DEBUG)
if PAGE_CACHE:
    MIDDLEWARE.append("apps.core.pagecache.PublicPageCacheMiddleware")
# Facet counts and totals of the list pages, cached per content generation and filter
# parameters (apps/knowledge/views/facets.py): every page number, sort order and the timeline
# share them. Off in development and tests for the same reason as the page cache.
FACET_CACHE = env_bool("DJANGO_FACET_CACHE", not DEBUG)
# The rendered heading and main column of a record's page, cached while the versions
# they show hold (apps/knowledge/views/details.py, Fragments). Off in development and
# tests for the same reason.
BLOCK_CACHE = env_bool("DJANGO_BLOCK_CACHE", not DEBUG)
# After a publish, a background thread renders home, the changed records' lists and pages
# and /compare/ again, so that no reader pays the cold cost (apps/knowledge/warmup.py).
PAGE_WARMUP = env_bool("DJANGO_PAGE_WARMUP", not DEBUG)
MIDDLEWARE += [
    # Last, as django-axes asks: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite file by default so that `make run` needs nothing installed; PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# A database that accepts connections but never answers must not hold a web process until
# gunicorn kills it (30 s): give up connecting after DJANGO_DB_CONNECT_TIMEOUT seconds and
# cancel any statement (a lock wait included) after DJANGO_DB_STATEMENT_TIMEOUT ms; the
# error page is then a 503 (apps/core/errors.py), well within gunicorn's timeout.
DB_CONNECT_TIMEOUT = int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "2"))
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT", "5000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DB_CONNECT_TIMEOUT,
        options=f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
        # Prepare a statement the first time a server-binding cursor runs it. Only the
        # search opens one (apps/knowledge/search.py); Django's cursors bind on the
        # client and never prepare. No pooler in front (docker-compose.yml) to break it.
        prepare_threshold=0,
    )

# Where readers send corrections (shown on /about/); empty shows the steps without a link.
CORRECTIONS_EMAIL = os.environ.get("DJANGO_CORRECTIONS_EMAIL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
# Seconds; Redis on the same network answers in about a millisecond.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.1"))
REDIS_RETRY_AFTER = float(os.environ.get("REDIS_RETRY_AFTER", "30"))
if REDIS_URL:
    RELEASE = release_id()
    CACHES = {
        "default": {
            # django-redis; a Redis outage makes it a miss, not a 500, and a circuit
            # breaker keeps a hanging Redis from slowing every call.
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # A new release starts with an empty cache (apps/core/release.py).
            "KEY_PREFIX": f"pkb:{RELEASE}",
            # A cache that does not answer fails fast (and /readyz says so) instead of
            # holding every request that touches it; after a failure the cache is skipped
            # for REDIS_RETRY_AFTER seconds (apps/core/cache.py).
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password guessing: after 5 failures for one user name from one address, that pair is
# locked out for an hour (django-axes, counted in the database so all web processes agree).
AUTHENTICATION_BACKENDS = [
    "apps.core.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "apps.core.auth.lockout_username"
AXES_VERBOSE = False
# How many proxies in front of the app append to X-Forwarded-For (0: none, the header is
# ignored). The login lockout and the API throttles count by the address this leaves
# (apps/core/auth.client_ip).
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "apps.core.auth.client_ip"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Request bodies: generous for curators' forms, bounded for everyone.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Any body, whatever parses it (DRF's JSON parser reads the stream past the limit above).
# The site accepts no file uploads; put the same limit on the proxy in front.
MAX_REQUEST_BODY_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "apps.knowledge.api.schema.AutoSchema",
    # Token first, so that an anonymous write is answered 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.knowledge.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": ["apps.knowledge.api.filters.FilterBackend"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": (
        "apps.knowledge.api.renderers.StrictContentNegotiation"
    ),
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "apps.knowledge.api.renderers.RawFormBrowsableAPIRenderer",
    ],
    # JSON bodies are checked for depth and size before they are parsed (parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "apps.knowledge.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.knowledge.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "apps.knowledge.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.knowledge.api.throttling.AnonRateThrottle",
        "apps.knowledge.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("DJANGO_API_ANON_RATE", "120/minute"),
        "user": os.environ.get("DJANGO_API_USER_RATE", "600/minute"),
    },
}

# Browser apps anywhere may read the API; writes need a token and are not cross-origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Conditional requests from browsers too (If-None-Match gives a cheap 304).
CORS_ALLOW_HEADERS = [
    *default_headers,
    "if-none-match",
    "if-modified-since",
]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Link",
    "Retry-After",
    "X-Dataset-Version",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]

SPECTACULAR_SETTINGS = {
    "TITLE": "Peacekeeping Knowledge Base API",
    "DESCRIPTION": (
        "Cases, missions, norms, documents and sources on Westphalian and "
        "post-Westphalian intervention, with page-located citations."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Requests take slugs where responses show {slug, name, url} summaries.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.knowledge.api.schema.postprocess",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "apps.core.models.Status",
        "ConceptionEnum": "apps.knowledge.models.choices.Conception",
        "NormConceptionEnum": "apps.knowledge.models.choices.NormConception",
        "SourceKindEnum": "apps.knowledge.models.choices.SourceKind",
        "OrganisationKindEnum": "apps.knowledge.models.choices.OrganisationKind",
        "DocumentKindEnum": "apps.knowledge.models.choices.DocumentKind",
        "ConflictTypeEnum": "apps.knowledge.models.choices.ConflictType",
        "MissionTypeEnum": "apps.knowledge.models.choices.MissionType",
        "HostConsentEnum": "apps.knowledge.models.choices.HostConsent",
        "UseOfForceEnum": "apps.knowledge.models.choices.UseOfForce",
        "ImpartialityEnum": "apps.knowledge.models.choices.Impartiality",
        "LegalBasisEnum": "apps.knowledge.models.choices.LegalBasis",
        "RegionEnum": "apps.knowledge.models.choices.Region",
        "ClaimEnum": "apps.knowledge.models.choices.Claim",
        "LocatorTypeEnum": "apps.knowledge.models.choices.LocatorType",
        "ComparisonSectionEnum": "apps.knowledge.models.choices.ComparisonSection",
        "CreatorRoleEnum": "apps.knowledge.models.choices.CreatorRole",
        "BasisEnum": "apps.knowledge.codebook.Basis",
        "RuleEnum": "apps.knowledge.codebook.RULE_CHOICES",
    },
}

# Production hardening: on unless DEBUG, each overridable for unusual proxies.
# `DJANGO_DEBUG=0 ... manage.py check --deploy` reports no issues (CI and tests hold it).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no page script reads it; forms carry the token
# A POST to a page that only reads: 405 with the methods it takes (apps/core/errors.py).
CSRF_FAILURE_VIEW = "apps.core.errors.csrf_failure"
SECURE_HSTS_SECONDS = int(
    os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only this origin's own files; no inline script or
# style anywhere on the site. The API docs page loosens exactly what Swagger UI needs,
# on that view only (apps/core/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    },
}

# Logs: one JSON object per line on stdout, each with the request id (apps/core/logs.py);
# DJANGO_LOG_FORMAT=text for people reading a terminal (the default in development).
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = stdout_logging(
    LOG_FORMAT,
    root={
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
    # Django's own console and mail_admins handlers give way to the root handler.
    loggers={"django": {"handlers": [], "level": "INFO", "propagate": True}},
)

# `make bench` only: serves the minimal /bench/hello/ view that every figure is compared with.
BENCHMARK = env_bool("PKB_BENCHMARK", False)

# Every published dataset version is stored, gzip-compressed, for /api/v1/export/<version>/
# (about 0.3 MB each today). Past this many megabytes the oldest versions' files are
# dropped (they answer 410 Gone; the newest is always kept).
PKB_DATASET_ARCHIVE_MB = int(os.environ.get("PKB_DATASET_ARCHIVE_MB", "1024"))
# Build the version a change makes in a background thread as soon as it commits (the
# editor's request only starts the thread). Off in the tests (tests/settings.py), where
# factories commit record by record; a request that finds the current version missing
# starts its build too.
PKB_DATASET_VERSIONS_ON_COMMIT = env_bool("PKB_DATASET_VERSIONS_ON_COMMIT", True)
# Build it in a detached `manage.py store_dataset_version` process rather than a thread of
# the web worker (a build at 100x takes minutes and gigabytes), killed after
# PKB_DATASET_BUILD_TIMEOUT seconds. Off: a thread (runserver, the tests).
PKB_DATASET_BUILD_PROCESS = env_bool("PKB_DATASET_BUILD_PROCESS", False)
PKB_DATASET_BUILD_TIMEOUT = int(os.environ.get("PKB_DATASET_BUILD_TIMEOUT", "1800"))

# Shown on /about/ and stamped into exports.
SITE_NAME = "Peacekeeping Knowledge Base"
