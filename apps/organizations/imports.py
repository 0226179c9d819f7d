"""The organization column of the sheet imports (apps/core/imports.py): people, appointments,
accounts."""

from django.utils.translation import gettext as _

from apps.core.imports import Column, Row
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped

ORGANIZATION = Column(
    "organization", "组织代码", {"organization", "organization_code", "organization code"}
)


def organizations_by_code(rows: list[Row], by) -> dict[str, Organization]:
    """The organizations the rows' codes name, by code: one query.

    Only within ``by``'s subtree (``SYSTEM``, a command, sees the whole tree): a code outside
    it reads as one that does not exist.
    """
    codes = {row.cells[ORGANIZATION.key].text for row in rows} - {""}
    found = scoped(Organization.objects.filter(code__in=codes), by)
    return {organization.code: organization for organization in found}


def unknown_code(code: str) -> str:
    # The same words for a code outside the subtree: it does not exist for the importer.
    return _("organization code %(code)s does not exist") % {"code": code}


def place(row: Row, organizations: dict[str, Organization]) -> None:
    """Put the row's record in the organization its code names, or say the code is unknown.

    An empty code is the importer's to refuse.
    """
    code = row.cells[ORGANIZATION.key].text
    if code in organizations:
        row.record.organization = organizations[code]
    elif code:
        row.problems.append(unknown_code(code))
