"""Every write to accounts goes through here: the admin and the sheet import share it."""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from apps.accounts.models import User
from apps.core.xlsx import read_sheet
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105

IMPORT_COLUMNS = {
    "username": {"用户名", "username", "账号"},
    "name": {"姓名", "name"},
    "organization": {"组织代码", "organization", "organization_code", "organization code"},
    "role": {"角色", "role"},
}


def initial_password() -> str:
    """A random first password, easy to read out (no 0/O, 1/l/I)."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def account_guard_update(*, account: User, by: User, role: str, organization: Organization) -> None:
    """Nobody changes their own role or organization: nobody raises themselves."""
    if account.pk == by.pk and (role != account.role or organization.pk != account.organization_id):
        raise PermissionDenied(_("You cannot change your own role or organization."))


def _role_from_text(text: str) -> str | None:
    text = text.strip()
    for role in Role:
        if text in (role.value, str(role.label)):
            return role.value
    return None


@dataclass
class ImportReport:
    """What an import found: every bad row with its reason, and the accounts it made."""

    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[tuple[User, str]] = field(default_factory=list)


def accounts_import(*, data: bytes, by: User, dry_run: bool) -> ImportReport:
    """Create accounts from a sheet (username, name, organization code, role): all or none.

    Every row is checked before anything is written; a dry run stops there.
    The organization must lie in ``by``'s subtree. Each account gets a random
    first password, shown once in the report.
    """
    rows = read_sheet(data, IMPORT_COLUMNS)
    report = ImportReport(rows=len(rows))
    codes = {cells["organization"].text for _, cells in rows}
    organizations = {
        org.code: org for org in scoped(Organization.objects.filter(code__in=codes), by)
    }
    usernames = [cells["username"].text for _, cells in rows]
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    seen: dict[str, int] = {}
    accounts = []
    for number, cells in rows:
        username, name = cells["username"].text, cells["name"].text
        code, role = cells["organization"].text, _role_from_text(cells["role"].text)
        problems = []
        if not username:
            problems.append(_("the username is empty"))
        elif username in taken:
            problems.append(
                _("an account with username %(username)s already exists") % {"username": username}
            )
        elif username in seen:
            problems.append(
                _("username %(username)s is already on row %(row)d")
                % {"username": username, "row": seen[username]}
            )
        if not name:
            problems.append(_("the name is empty"))
        if code not in organizations:
            problems.append(_("organization code %(code)s does not exist") % {"code": code or "—"})
        if role is None:
            problems.append(_("unknown role %(role)s") % {"role": cells["role"].text or "—"})
        account = User(
            username=username, name=name, organization=organizations.get(code), role=role or ""
        )
        if not problems:
            try:
                # The organization and the role were checked above, set-wise: a query per row
                # for each (the foreign key, the role's check constraint) would cost 4 per row.
                account.full_clean(
                    exclude=["password", "username", "organization"],
                    validate_unique=False,
                    validate_constraints=False,
                )
                User._meta.get_field("username").run_validators(username)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            report.errors.append((number, "；".join(str(p) for p in problems)))
        seen.setdefault(username, number)
        accounts.append(account)
    if report.errors or dry_run:
        return report
    passwords = [initial_password() for _ in accounts]
    for account, password in zip(accounts, passwords, strict=True):
        account.password = make_password(password)
    try:
        with transaction.atomic():
            saved = bulk_create_with_history(accounts, User, default_user=by)
    except IntegrityError:
        report.errors.append((0, _("Another account with one of these usernames was just made.")))
        return report
    report.created = list(zip(saved, passwords, strict=True))
    return report
