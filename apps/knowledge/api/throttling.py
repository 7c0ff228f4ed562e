from rest_framework import throttling
from rest_framework.settings import api_settings

from apps.core.auth import client_ip


class _RatesFromSettings:
    """Read the rate when asked, not at import, so deployments and tests can change it.
    Clients are told apart by the address the login lockout uses too (client_ip)."""

    def get_ident(self, request):
        return client_ip(request)

    def get_rate(self):
        # "off" switches a scope off (the benchmark measures the API, not its throttle).
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate in (None, "", "off") else rate


class AnonRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    """Anonymous clients, per IP address (`DJANGO_API_ANON_RATE`)."""


class UserRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    """Authenticated clients, per user (`DJANGO_API_USER_RATE`)."""
