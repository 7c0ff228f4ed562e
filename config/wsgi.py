import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def without_head_bodies(app):
    """Send no body bytes for HEAD. Django leaves that to the server: runserver strips
    them, gunicorn sends nothing but warns on every HEAD request. The headers, including
    Content-Length, stay those of the GET."""

    def wrapped(environ, start_response):
        body = app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return body
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return []

    return wrapped


application = without_head_bodies(get_wsgi_application())
