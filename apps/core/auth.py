"""Login lockout (django-axes) for every password login that comes with a request."""

from axes.backends import AxesStandaloneBackend


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
    """The user name axes counts failures against, cut to its column's 255 characters.

    Django user names have at most 150, so a longer one cannot belong to anyone; uncut,
    it made PostgreSQL refuse axes' row and the login page answer 500.
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return None if username is None else str(username)[:255]
