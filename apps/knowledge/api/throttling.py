"""Request rates per client, told in X-RateLimit-* headers on every API answer; a 304
(the client's copy was current) is not counted."""

import math

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

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if self.rate is not None and getattr(self, "key", None):
            # Remembered on the Django request, for RateLimitHeadersMiddleware.
            request = getattr(request, "_request", request)
            request.rate_limits = [*getattr(request, "rate_limits", []), self]
        return allowed

    def remaining(self):
        return max(self.num_requests - len(self.history), 0)

    def headers(self):
        remaining = self.remaining()
        oldest = self.history[-1] if self.history else self.now
        reset = max(math.ceil(self.duration - (self.now - oldest)), 0)
        return {
            "X-RateLimit-Limit": str(self.num_requests),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
        }

    def forget(self):
        """Take this request back out of the count (it was answered 304)."""
        history = self.cache.get(self.key, [])
        if self.now in history:
            history.remove(self.now)
            self.cache.set(self.key, history, self.duration)
        if self.now in self.history:
            self.history.remove(self.now)


class AnonRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    """Anonymous clients, per IP address (`DJANGO_API_ANON_RATE`)."""


class UserRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    """Authenticated clients, per user (`DJANGO_API_USER_RATE`)."""


class RateLimitHeadersMiddleware:
    """X-RateLimit-Limit, -Remaining and -Reset (seconds until a request slot frees up)
    on every API answer that a throttle counted, from the throttle nearest its limit; a
    304 is given back its slot."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        throttles = getattr(request, "rate_limits", [])
        if response.status_code == 304:
            for throttle in throttles:
                throttle.forget()
        if throttles:  # the one that will refuse first
            nearest = min(throttles, key=lambda throttle: throttle.remaining())
            for name, value in nearest.headers().items():
                response[name] = value
        return response
