"""Throttles that read their rate from the settings at request time.

DRF's own classes copy the rates once at import; reading them per request
lets the test suite and an operator (``API_THROTTLE_RATE``) change them.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AccountRateThrottle(UserRateThrottle):
    """Requests per account (a station's token or a staff session)."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES["account"]


class AnonymousRateThrottle(AnonRateThrottle):
    """Requests without credentials, per address: enough for a login screen, not for guessing."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES["anonymous"]
