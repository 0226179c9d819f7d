"""Every read of notices: an account's own, from ``scoped()`` (docs/notices.md)."""

from django.db.models import QuerySet

from apps.notices.models import Notice
from apps.organizations.scoping import scoped


def notice_list(*, user, unread: bool | None = None) -> QuerySet[Notice]:
    """``user``'s own notices, newest first; only the unread (or the read) ones if asked."""
    if user is None or not user.is_authenticated:
        return Notice.objects.none()
    notices = scoped(Notice.objects.all(), user).filter(account=user)
    if unread is not None:
        notices = notices.filter(read_at__isnull=unread)
    return notices.order_by("-created_at", "-id")


def unread_notices(*, user, shown: int = 10) -> dict:
    """For the admin's first page: how many are unread, and the newest ``shown`` of them."""
    unread = notice_list(user=user, unread=True)
    newest = list(unread[: shown + 1])
    count = len(newest) if len(newest) <= shown else unread.count()
    return {"count": count, "newest": newest[:shown]}
