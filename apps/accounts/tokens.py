"""API tokens of devices (django-rest-knox): made when a device signs in (or by the operator's
``drf_create_token``), shown once, revoked by the device or an admin (docs/api.md, Signing in)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.acts import record_act
from apps.accounts.models import DeviceToken, User


@transaction.atomic
def make_token(account: User, *, device: str) -> tuple[DeviceToken, str]:
    """A new token for ``device`` (the one it had before is revoked): the key, to show once.
    The account's expired tokens go too (the token check skips them without deleting)."""
    tokens = DeviceToken.objects.filter(user=account)
    tokens.filter(expiry__lte=timezone.now()).delete()
    tokens.filter(device=device).delete()  # one token per device
    return DeviceToken.objects.create(user=account, device=device)


def operator_token(account: User, *, device: str) -> str:
    """``manage.py drf_create_token``: a key made by whoever runs commands on the server, which
    the account's owner is told of at the next sign-in."""
    with transaction.atomic():
        token, key = make_token(account, device=device)
        record_act(
            account, by=None, reason=_("API token %(token)s made on the server") % {"token": token}
        )
    return key


@transaction.atomic
def revoke_token(token: DeviceToken, *, by) -> None:
    """Revoke a token. An admin's revoking goes in the account's history; a device's own
    signing out does not need to."""
    account = token.user
    description = str(token)
    token.delete()
    if by is not None and by.pk != account.pk:
        record_act(account, by=by, reason=_("API token %(token)s revoked") % {"token": description})
