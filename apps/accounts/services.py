"""Every write to accounts goes through here: the admin and the sheet import share it."""

import secrets

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.acts import CASE_WORKERS_BY_ROOT, may_manage, set_password_path
from apps.accounts.models import User
from apps.core.imports import Column, Importer, ImportReport, Row, choice_value, write_records
from apps.organizations.imports import ORGANIZATION, organizations_by_code, place, unknown_code
from apps.organizations.models import Organization
from apps.organizations.roles import Role

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105


def initial_password() -> str:
    """A random first password, easy to read out (no 0/O, 1/l/I)."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def account_guard_update(*, account: User, by: User, role: str, organization: Organization) -> None:
    """Nobody changes their own role or organization: nobody raises themselves."""
    if account.pk == by.pk and (role != account.role or organization.pk != account.organization_id):
        raise PermissionDenied(_("You cannot change your own role or organization."))


def _read_account(row: Row) -> None:
    cells = row.cells
    role = choice_value(Role, cells["role"].text)
    row.record = User(username=cells["username"].text, name=cells["name"].text, role=role or "")


def _check_accounts(rows: list[Row], by: User) -> None:
    """Every problem of each row, in the columns' order; the model's rules only for a row
    that has none of these."""
    organizations = organizations_by_code(rows, by)
    usernames = [row.record.username for row in rows]
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    seen: dict[str, int] = {}
    for row in rows:
        account: User = row.record
        username, code = account.username, row.cells["organization"].text
        if not username:
            row.problems.append(_("the username is empty"))
        elif username in taken:
            row.problems.append(
                _("an account with username %(username)s already exists") % {"username": username}
            )
        elif username in seen:
            row.problems.append(
                _("username %(username)s is already on row %(row)d")
                % {"username": username, "row": seen[username]}
            )
        if not account.name:
            row.problems.append(_("the name is empty"))
        if not code:
            row.problems.append(unknown_code("—"))
        place(row, organizations)
        if not account.role:
            role = row.cells["role"].text or "—"
            row.problems.append(_("unknown role %(role)s") % {"role": role})
        elif not may_manage(by, account.role):
            row.problems.append(str(CASE_WORKERS_BY_ROOT))
        if not row.problems:
            _full_clean(row)
        seen.setdefault(username, row.number)


def _full_clean(row: Row) -> None:
    try:
        # The organization and the role were checked above, set-wise: a query per row for
        # each (the foreign key, the role's check constraint) would cost 4 per row.
        row.record.full_clean(
            exclude=["password", "username", "organization"],
            validate_unique=False,
            validate_constraints=False,
        )
        User._meta.get_field("username").run_validators(row.record.username)
    except ValidationError as exc:
        row.problems.extend(exc.messages)


def _create_accounts(accounts: list[User], *, by: User, progress) -> list[tuple[User, str, str]]:
    """Each account with a random first password, or, for a role that reads cases in full, a
    one-time set-password link (docs/roles.md, Account rules): (account, password, link), one
    of the two empty. The report shows each once."""
    passwords = ["" if account.reads_cases_in_full else initial_password() for account in accounts]
    for account, password in zip(accounts, passwords, strict=True):
        account.password = make_password(password or None)  # None: a password that never works
    saved = write_records(User, accounts, by=by, progress=progress)
    return [
        (account, password, "" if password else set_password_path(account))
        for account, password in zip(saved, passwords, strict=True)
    ]


ACCOUNTS = Importer(
    model=User,
    columns=[
        Column("username", "用户名", {"username", "账号"}),
        Column("name", "姓名", {"name"}),
        ORGANIZATION,
        Column("role", "角色", {"role"}),
    ],
    read_row=_read_account,
    check_rows=_check_accounts,
    done=gettext_lazy("%(count)d accounts were created."),
    create=_create_accounts,
    conflict=gettext_lazy("Another account with one of these usernames was just made."),
)


def accounts_import(*, data: bytes, by: User, dry_run: bool) -> ImportReport:
    """Create accounts from a sheet (username, name, organization code, role): all or none.

    The organization must lie in ``by``'s subtree; case workers only by the district's own
    admins. Each account gets a random first password or, if it reads cases in full, a
    set-password link, shown once in the report (``created``: (account, password, link)).
    """
    return ACCOUNTS.run(data=data, by=by, dry_run=dry_run)
