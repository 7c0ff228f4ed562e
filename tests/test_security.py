"""Secure by default: deploy checks, headers, CSP, cookies, lockout, tokens, limits, Markdown."""

import base64
import hashlib
import html
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from apps.core.markdown import render
from tests.core.public_urls import fill
from tests.core.public_urls import public_routes
from tests.core.public_urls import sample_records

ROOT = Path(django_settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://example.org,https://www.example.org",
}


def run_python(code, env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args] if args else [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """API throttling counts in the cache: each test starts with a clean slate."""
    cache.clear()


# ------------------------------------------------------------------ production settings


def test_deploy_check_reports_no_issues():
    result = run_python(
        None,
        PRODUCTION_ENV,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV, DJANGO_SECRET_KEY="")
    result = run_python(None, env, "manage.py", "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_are_hardened():
    code = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "proxy_header": list(s.SECURE_PROXY_SSL_HEADER),
    "hsts": s.SECURE_HSTS_SECONDS,
    "session_secure": s.SESSION_COOKIE_SECURE,
    "session_httponly": s.SESSION_COOKIE_HTTPONLY,
    "csrf_secure": s.CSRF_COOKIE_SECURE,
    "csrf_httponly": s.CSRF_COOKIE_HTTPONLY,
    "csrf_origins": s.CSRF_TRUSTED_ORIGINS,
    "nosniff": s.SECURE_CONTENT_TYPE_NOSNIFF,
    "referrer": s.SECURE_REFERRER_POLICY,
    "validators": len(s.AUTH_PASSWORD_VALIDATORS),
    "storage": s.STORAGES["staticfiles"]["BACKEND"],
}))
"""
    env = dict(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="config.settings")
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout)
    assert values == {
        "debug": False,
        "ssl_redirect": True,
        "proxy_header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "hsts": 31536000,
        "session_secure": True,
        "session_httponly": True,
        "csrf_secure": True,
        "csrf_httponly": True,
        "csrf_origins": ["https://example.org", "https://www.example.org"],
        "nosniff": True,
        "referrer": "same-origin",
        "validators": 4,
        "storage": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


@pytest.fixture
def production_like(settings):
    """The production toggles inside the test process (the test client speaks HTTP)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_and_the_proxy_header_is_trusted(production_like):
    client = Client()
    response = client.get("/missions/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/missions/?page=2"
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_cookies_are_secure_and_http_only(production_like):
    response = Client().get("/admin/login/", secure=True)
    assert response.status_code == 200
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    assert csrf["samesite"] == "Lax"


# ------------------------------------------------------------------ Content-Security-Policy

STRICT_CSP = {
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
}
INLINE = [
    (
        re.compile(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>",
            re.I,
        ),
        "inline script",
    ),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def csp_directives(response):
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


@pytest.mark.django_db
def test_every_public_page_is_served_under_the_strict_policy_and_needs_nothing_inline(
    client,
):
    records = sample_records()
    checked = 0
    for name, groups in public_routes():
        path = fill(name, groups, records)
        if path is None or name.startswith("api:") or name in ("healthz", "readyz"):
            continue
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get(
            "Content-Type", ""
        ):
            continue
        _assert_nothing_inline(path, response)
        checked += 1
    assert checked >= 10, f"only {checked} HTML pages were found"


def _assert_nothing_inline(path, response):
    assert csp_directives(response) >= STRICT_CSP, path
    body = response.content.decode()
    for pattern, what in INLINE:
        match = pattern.search(body)
        assert match is None, f"{path} has an {what}: {match and match.group(0)}"


def _assert_admin_page_needs_nothing_inline(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    _assert_nothing_inline(path, response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/knowledge/mission/",
        "/admin/authtoken/tokenproxy/",
    ],
)
def test_admin_pages_need_nothing_inline(admin_client_logged, path):
    _assert_admin_page_needs_nothing_inline(admin_client_logged, path)


@pytest.mark.django_db
def test_knowledge_admin_forms_need_nothing_inline(admin_client_logged):
    mission = sample_records()["mission"]
    for path in (
        "/admin/knowledge/mission/add/",
        f"/admin/knowledge/mission/{mission.pk}/change/",
    ):
        _assert_admin_page_needs_nothing_inline(admin_client_logged, path)


@pytest.mark.django_db
def test_the_api_docs_get_exactly_what_swagger_ui_needs(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    directives = csp_directives(response)
    (style,) = [d for d in directives if d.startswith("style-src")]
    (img,) = [d for d in directives if d.startswith("img-src")]
    assert re.fullmatch(r"style-src 'self' 'sha256-[A-Za-z0-9+/=]{44}'", style)
    assert img == "img-src 'self' data:"
    assert {
        "script-src 'self'",
        "default-src 'none'",
        "connect-src 'self'",
    } <= directives
    # The hash is that of the page's one <style> block; its script is a separate file.
    body = response.content.decode()
    (block,) = re.findall(r"<style>(.*?)</style>", body, re.S)
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in style
    assert not INLINE[0][0].search(body)
    # Other pages keep the strict policy.
    assert csp_directives(client.get("/")) >= STRICT_CSP


# ------------------------------------------------------------------ logins and tokens


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures(curator):
    client = Client(REMOTE_ADDR="203.0.113.9")
    url = reverse("admin:login")
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "curator", "password": "guess"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post(url, {"username": "curator", "password": "guess"})
    assert response.status_code == 429  # the last allowed failure locks
    response = client.post(url, {"username": "curator", "password": "pw-curator-1"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same user from elsewhere, and others from here, are unaffected.
    other = Client(REMOTE_ADDR="198.51.100.4")
    response = other.post(url, {"username": "curator", "password": "pw-curator-1"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_api_token_endpoint_shares_the_lockout(curator):
    """Guessing through the API's password-for-token exchange is counted the same way."""
    client = Client(REMOTE_ADDR="203.0.113.11")
    url = reverse("api:token")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        response = client.post(url, {"username": "curator", "password": "guess"})
        assert response.status_code in (400, 401, 403, 429)
    response = client.post(url, {"username": "curator", "password": "pw-curator-1"})
    assert response.status_code != 200
    assert not Token.objects.filter(user=curator).exists()
    # The admin login from the same address is locked as well.
    response = client.post(
        reverse("admin:login"), {"username": "curator", "password": "pw-curator-1"}
    )
    assert response.status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["api:token", "admin:login"])
def test_a_user_name_with_a_nul_byte_is_refused_not_a_500(client, curator, route):
    """PostgreSQL refuses NUL in text: the lockout's count of failures for such a name
    made the token endpoint answer 500 (a login fails like any other instead)."""
    response = client.post(
        reverse(route), {"username": "curator\x00", "password": "pw-curator-1"}
    )
    assert response.status_code in (200, 400)
    assert not Token.objects.filter(user=curator).exists()


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(curator):
    client = Client(REMOTE_ADDR="203.0.113.10")
    url = reverse("admin:login")
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "curator", "password": "guess"})
    assert (
        client.post(
            url, {"username": "curator", "password": "pw-curator-1"}
        ).status_code
        == 302
    )
    client.logout()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post(url, {"username": "curator", "password": "guess"}).status_code
            == 200
        )


@pytest.mark.parametrize("weak", ["password", "12345678", "short", "curator123"])
@pytest.mark.django_db
def test_weak_passwords_are_refused(weak, curator):
    with pytest.raises(ValidationError):
        validate_password(weak, user=curator)


@pytest.mark.django_db
def test_api_tokens_are_listed_in_the_admin_and_revocable(admin_client_logged, curator):
    token = Token.objects.create(user=curator)
    changelist = reverse("admin:authtoken_tokenproxy_changelist")
    response = admin_client_logged.get(changelist)
    assert response.status_code == 200
    assert curator.username in response.content.decode()
    assert TokenAuthentication().authenticate_credentials(token.key)[0] == curator
    delete = reverse("admin:authtoken_tokenproxy_delete", args=[token.user_id])
    response = admin_client_logged.post(delete, {"post": "yes"})
    assert response.status_code == 302
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(token.key)


# ------------------------------------------------------------------ request limits


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/v1/missions/", "/search/"])
def test_oversized_bodies_are_refused_before_parsing(client, path):
    body = b"{" + b'"x": "' + b"a" * (django_settings.MAX_REQUEST_BODY_BYTES) + b'"}'
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 413


@pytest.mark.django_db
def test_form_bodies_within_the_limit_are_still_bounded_in_field_count(client):
    fields = "&".join(
        f"f{i}=1" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    )
    response = client.post(
        "/admin/login/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_nul_bytes_in_query_strings_are_a_bad_request(client):
    assert client.get("/missions/?q=a%00b").status_code == 400
    assert client.get("/missions/", {"q": "a\x00b"}).status_code == 400


@pytest.mark.django_db
def test_nul_bytes_in_the_path_are_a_bad_request(client):
    """Found by tests/test_fuzz_routes.py: /api/v1/export/a%00b/ reached a lookup and
    PostgreSQL answered 500 ("text fields cannot contain NUL")."""
    response = client.get("/api/v1/export/a%00b/")
    assert response.status_code == 400
    assert response.json()["detail"] == "NUL bytes are not allowed in the path."
    response = client.get("/missions/a%00b/")
    assert response.status_code == 400
    assert b"NUL bytes" in response.content


# ------------------------------------------------------------------ Markdown

HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](%6A%61%76%61script:alert(1))",
    "[x]: javascript:alert(1)\n\n[click][x]",
    "<a href='&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)'>x</a>",
    "<a href=' javascript:alert(1)'>x</a>",
    '<a href="java\nscript:alert(1)">x</a>',
    "<a href='vbscript:msgbox(1)'>x</a>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+)",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<div><p><b><i><script>alert(1)</script></i></b></p></div>",
    "<iframe src='https://evil.example'></iframe>",
    "<object data='x.swf'></object><embed src='x'>",
    "<form action='https://evil.example'><input name=x></form>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
    "<base href='https://evil.example/'>",
    "<link rel=stylesheet href='https://evil.example/x.css'>",
    "<style>body{display:none}</style>",
    '<p onclick="steal()">hi</p>',
    "<details open ontoggle=alert(1)>",
    "<a href='https://ok.example' style='position:fixed;inset:0'>x</a>",
    "<img src=x onerror=alert(1)//",
    "<unknown-tag>x</unknown-tag><custom onmouseover=alert(1)>y</custom>",
]
ALLOWED_SCHEMES = {"", "http", "https", "mailto"}


@pytest.mark.parametrize("hostile", HOSTILE_MARKDOWN)
def test_hostile_markdown_is_sanitised(hostile):
    out = str(render(hostile))
    lowered = out.lower()
    for needle in (
        "<script",
        "<style",
        "<iframe",
        "<svg",
        "<math",
        "<object",
        "<embed",
        "<form",
        "<meta",
        "<base",
        "<link",
        "<img",
        "<unknown",
        "<custom",
        "style=",
        "javascript:",
        "vbscript:",
        "data:",
    ):
        assert needle not in lowered, (needle, out)
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", lowered), out
    for href in re.findall(r'href="([^"]*)"', out):
        decoded = html.unescape(href)
        assert urllib.parse.urlsplit(decoded).scheme.lower() in ALLOWED_SCHEMES, href


def test_links_gain_rel_noopener_and_ordinary_markdown_survives():
    out = str(
        render("A [link](https://www.un.org/) and `code`, **bold**.\n\n- one\n- two")
    )
    assert 'href="https://www.un.org/"' in out
    assert 'rel="noopener noreferrer"' in out
    assert "<code>code</code>" in out and "<strong>bold</strong>" in out
    assert "<li>one</li>" in out


# ------------------------------------------------------------------ client addresses


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_rotating_x_forwarded_for_does_not_escape_the_api_throttle(settings, proxies):
    settings.TRUSTED_PROXIES = proxies
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "1000/minute"},
    }
    client = Client(REMOTE_ADDR="203.0.113.20")
    codes = [
        # Behind one proxy the last address is the proxy's view of the client; what the
        # client wrote before it changes each time and must not count.
        client.get(
            "/api/v1/norms/",
            HTTP_X_FORWARDED_FOR=f"10.0.{i}.1, 198.51.100.7"
            if proxies
            else f"10.0.{i}.1",
        ).status_code
        for i in range(6)
    ]
    assert codes == [200, 200, 200, 429, 429, 429]
    # Another client (behind the proxy: another address the proxy saw) is its own count.
    other = Client(REMOTE_ADDR="203.0.113.21" if not proxies else "203.0.113.20")
    extra = {"HTTP_X_FORWARDED_FOR": "198.51.100.8"} if proxies else {}
    assert other.get("/api/v1/norms/", **extra).status_code == 200


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_login_lockout(settings, curator):
    settings.TRUSTED_PROXIES = 1
    client = Client(REMOTE_ADDR="10.0.0.2")  # the proxy
    url = reverse("admin:login")
    for i in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(
            url,
            {"username": "curator", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.30",
        )
    response = client.post(
        url,
        {"username": "curator", "password": "pw-curator-1"},
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.30",
    )
    assert response.status_code == 429
    # The same proxy forwarding another client: not locked.
    response = client.post(
        url,
        {"username": "curator", "password": "pw-curator-1"},
        HTTP_X_FORWARDED_FOR="203.0.113.31",
    )
    assert response.status_code == 302
