"""Login lockout (django-axes) for every password login that comes with a request, and
the client address that the lockout and the API throttles count by."""

from collections.abc import Mapping

from axes.backends import AxesStandaloneBackend
from django.conf import settings


def client_ip(request):
    """The address of the client, as far as it can be trusted.

    With no proxy in front (TRUSTED_PROXIES = 0, the default) it is the connection's own
    address: an X-Forwarded-For header is the client's say-so and is ignored, or a client
    could rotate it to escape the throttles and the lockout. Behind N proxies that each
    append the address they saw, it is the N-th address from the right: the one the
    outermost trusted proxy saw; whatever the client put further left is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXIES
    if count <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    return addresses[-min(count, len(addresses))]


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check, placed before ModelBackend.

    Every web login (admin form, DRF token view) passes the request and is counted;
    `authenticate()` without a request (Django's test client, scripts) has no client to
    lock out and falls through to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_username(request, credentials=None):
    """The user name axes counts failures against, cut to its column's 255 characters
    and without NUL characters.

    Django user names have at most 150, so a longer one cannot belong to anyone; uncut,
    it made PostgreSQL refuse axes' row and the login page answer 500. PostgreSQL refuses
    NUL in any text, so a name with one made the token endpoint answer 500.
    """
    if credentials:
        username = credentials.get("username")
    else:
        data = getattr(request, "data", request.POST)
        # An API body may be any JSON (a list, a string): only an object names a user.
        username = data.get("username") if isinstance(data, Mapping) else None
    return None if username is None else str(username).replace("\x00", "")[:255]
