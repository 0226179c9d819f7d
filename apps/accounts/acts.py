"""What others did to an account, kept in its history and shown to its owner at the next sign-in
(docs/roles.md, Account rules): set-password links issued, passwords set through them, tokens
made on the command line or revoked by an admin."""

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.core.actors import SYSTEM
from apps.core.history import history_note
from apps.organizations.roles import Role
from apps.organizations.scoping import in_scope

CASE_WORKERS_BY_ROOT = gettext_lazy(
    "Only the district's own administrators may manage case-worker accounts."
)
# The newest acts a sign-in shows; older ones stay in the account's history page.
NOTICES_SHOWN = 20


def record_act(account: User, *, by, reason: str) -> None:
    """A history row of ``account`` naming ``by`` and what was done, with nothing else changed."""
    history_note(account, by=by, reason=reason)
    account.save(update_fields=["name"])  # the name as it is: the row is what this save is for


def may_manage(by, role: str) -> bool:
    """Case-worker accounts are made and reset by the district's own admins only; every other
    role by any admin in whose subtree the account is (the caller checks the subtree)."""
    return role != Role.CASE_WORKER or by is SYSTEM or by.sees_whole_tree


def set_password_path(account: User) -> str:
    """The path of a one-time link that sets ``account``'s password: it stops working once the
    password is set (or changed otherwise) and after PASSWORD_RESET_TIMEOUT."""
    uidb64 = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    return reverse("set-password", kwargs={"uidb64": uidb64, "token": token})


@transaction.atomic
def issue_set_password_link(account: User, *, by) -> str:
    """Reset ``account`` to a new set-password link: its password stops working, the link is
    returned to show once, and the act goes in the account's history."""
    if not in_scope(account, by) or not may_manage(by, account.role):
        raise PermissionDenied(CASE_WORKERS_BY_ROOT)
    account.set_unusable_password()
    history_note(account, by=by, reason=_("Set-password link issued"))
    account.save(update_fields=["password", "name"])
    return set_password_path(account)


def take_notices(account: User) -> list[str]:
    """What others did to the account since its owner last saw it, newest first; then seen."""
    # Rows by nobody and without a reason are the sign-ins' own (last_login): not news.
    by_others = (Q(history_user__isnull=False) & ~Q(history_user_id=account.pk)) | Q(
        history_change_reason__gt=""
    )
    rows = account.history.filter(by_others).select_related("history_user")
    if account.notices_seen_at is not None:
        rows = rows.filter(history_date__gt=account.notices_seen_at)
    notices = [_notice(row) for row in rows.order_by("-history_date")[:NOTICES_SHOWN]]
    User.objects.filter(pk=account.pk).update(notices_seen_at=timezone.now())  # no history row
    return notices


def _notice(row) -> str:
    when = date_format(timezone.localtime(row.history_date), "Y-m-d H:i")
    who = str(row.history_user) if row.history_user else _("the system")
    what = row.history_change_reason or (
        _("Account created") if row.history_type == "+" else _("Account changed")
    )
    return f"{when} {who}: {what}"


def tell_at_login(sender, request, user, **kwargs):
    """``user_logged_in``: the admin's next page lists what others did to the account (a
    device's sign-in answers its notices in the body instead, apps/accounts/api.py)."""
    if request is None or not hasattr(request, "_messages"):
        return
    for notice in take_notices(user):
        messages.warning(request, _("Since your last sign-in: %(notice)s") % {"notice": notice})
