"""How API clients prove who they are (kept apart from the token view: DRF imports
authentication classes while its views module loads)."""

from rest_framework import authentication
from rest_framework import exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, or `Bearer <key>` as many generated clients send it.
    Any other scheme is a 401, never a silent anonymous read."""

    schemes = (b"token", b"bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        scheme = header[0].lower()
        if scheme == b"bearer":
            self.keyword = "Bearer"
        elif scheme not in self.schemes:
            raise exceptions.AuthenticationFailed(
                "Unsupported authorization scheme: send `Authorization: Token <key>` "
                "(or `Bearer <key>`)."
            )
        return super().authenticate(request)
