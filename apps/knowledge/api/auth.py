"""API tokens: obtain one with a user name and password, revoke it with DELETE."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions
from rest_framework import permissions
from rest_framework import serializers
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings

from apps.core.auth import lockout_username


class TokenView(ObtainAuthToken):
    """POST a user name and password for your token; DELETE (with the token) revokes it.
    Staff can also see and revoke tokens in the admin."""

    # DRF's view lists its own parsers; ours bound JSON bodies like every other view's.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # type: ignore[assignment]

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return []

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # After too many failures even the right password is refused: say so,
            # rather than repeat "unable to log in" to someone who now has it right.
            username = lockout_username(request)  # the name axes counts against
            credentials = {"username": username} if username else None
            if AxesProxyHandler.is_locked(request, credentials):
                hours = settings.AXES_COOLOFF_TIME
                raise exceptions.Throttled(
                    wait=hours * 3600,
                    detail="Too many failed logins: this account is locked from your "
                    f"address for {hours} hour(s). Try again later.",
                ) from None
            raise

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
