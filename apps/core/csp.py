"""Per-view loosening of the site's strict Content-Security-Policy.

The site itself needs nothing inline (tests/test_security.py holds it). Swagger UI, served
from drf-spectacular-sidecar at /api/v1/docs/, needs exactly two things more: the one
`<style>` block in drf-spectacular's page template (allowed by its hash, computed from the
installed template so that an upgrade cannot silently widen it) and `data:` images for
its icons. `ApiDocsCSPMiddleware` adds those two, on that view only.
"""

import base64
import hashlib
import re
from pathlib import Path

import drf_spectacular

DOCS_VIEWS = {"api:docs"}


def _hash_source(text):
    return (
        f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"
    )


def _inline_style_hashes(template):
    text = template.read_text(encoding="utf-8")
    return [
        _hash_source(block) for block in re.findall(r"<style>(.*?)</style>", text, re.S)
    ]


SWAGGER_UI_TEMPLATE = (
    Path(drf_spectacular.__file__).parent
    / "templates"
    / "drf_spectacular"
    / "swagger_ui.html"
)
SWAGGER_UI_CSP = {
    "style-src": _inline_style_hashes(SWAGGER_UI_TEMPLATE),
    "img-src": ["data:"],
}


class ApiDocsCSPMiddleware:
    """Placed after csp.middleware.CSPMiddleware, so that its update is seen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.view_name in DOCS_VIEWS:
            response._csp_update = SWAGGER_UI_CSP
        return response
