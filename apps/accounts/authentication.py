"""How an API client proves who it is: a device's token (django-rest-knox), checked hashed."""

from hmac import compare_digest
from string import hexdigits

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from apps.accounts.models import DeviceToken

INVALID = _("Invalid token.")


class DeviceTokenAuthentication(TokenAuthentication):
    """knox's check in one query: the token with its account and the account's organization
    (every request needs it: it is the scope of everything the account reads and writes).

    An expired token is not found; knox would also delete the account's other expired
    tokens on every request (a query each time), which sign-in does instead
    (apps/accounts/services.py). The expiry moves on with use, at most once an hour
    (``MIN_REFRESH_INTERVAL``): a busy device does not write on every request.
    """

    def authenticate_credentials(self, token: bytes):
        try:
            key = token.decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        if not is_a_key(key):
            raise exceptions.AuthenticationFailed(INVALID)
        candidates = DeviceToken.objects.select_related("user__organization").filter(
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], expiry__gt=timezone.now()
        )
        digest = hash_token(key)
        for device_token in candidates:
            if compare_digest(digest, device_token.digest):
                self.renew_token(device_token)
                return self.validate_user(device_token)
        raise exceptions.AuthenticationFailed(INVALID)


def is_a_key(text: str) -> bool:
    """Whether ``text`` has a key's form (hex, knox's length): nothing else is looked up."""
    return len(text) == knox_settings.AUTH_TOKEN_CHARACTER_LENGTH and all(
        c in hexdigits for c in text
    )


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for it, as when tokens were DRF's: ``Authorization: Token <key>``."""

    target_class = DeviceTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
