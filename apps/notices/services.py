"""Every write of notices (docs/notices.md): sending them to an organization's accounts of some
roles, and marking one read. Knows no domain: what a notice says is the sender's business."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.notices.models import Notice


@transaction.atomic
def notice_send(*, by, organization, roles, title: str, body: str = "", link: str = ""):
    """A notice to every active account of ``organization`` (that organization only, not its
    subtree) holding one of ``roles``; e-mailed too, after the commit, where e-mail is set up
    (``NOTICES_EMAIL``) and the account has an address. Returns the notices made.

    Every recipient reads the whole notice: the sender writes nothing a recipient's role may
    not read (a case's number, category, risk and age; never a narrative or a name)."""
    accounts = list(
        get_user_model()
        .objects.filter(organization=organization, role__in=list(roles), is_active=True)
        .order_by("pk")
    )
    notices = [Notice(account=account, title=title, body=body, link=link) for account in accounts]
    for notice in notices:
        notice.full_clean(exclude=["account"])
    Notice.objects.bulk_create(notices)
    field = get_user_model().get_email_field_name()
    addresses = [address for account in accounts if (address := getattr(account, field, ""))]
    if settings.NOTICES_EMAIL and addresses:
        transaction.on_commit(lambda: _mail(title, body, link, addresses))
    return notices


def _mail(title: str, body: str, link: str, addresses: list[str]) -> None:
    text = "\n\n".join(part for part in (body, link) if part)
    for address in addresses:  # one each: recipients never see each other's addresses
        send_mail(title, text, None, [address], fail_silently=True)


@transaction.atomic
def notice_read(*, by, notice: Notice) -> Notice:
    """Mark ``notice`` read by its own account (once: reading again keeps the first time)."""
    if notice.account_id != by.pk:
        raise PermissionDenied  # a notice is read by its own account only
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice
