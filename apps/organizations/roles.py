"""The roles of docs/roles.md and what each may do: the one rights table.

An account has exactly one role. Rights are granted here, per permission
name (``app_label.codename``), by each app in its ``AppConfig.ready()``;
``User.has_perm`` reads nothing else: there are no per-user permissions,
no groups and no superusers.
"""

from collections import defaultdict

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    STAFF = "staff", _("Staff")
    CASE_WORKER = "case_worker", _("Case worker")
    STATION_OPERATOR = "station_operator", _("Station operator")
    LEADERSHIP = "leadership", _("Leadership")


ALL_ROLES = frozenset(Role.values)
# Roles that work in the Django admin; stations use the API, leadership the reports.
ADMIN_SITE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.STAFF, Role.CASE_WORKER})
# Roles that read the records of their subtree (leadership reads reports only).
RECORD_READERS = ALL_ROLES - {Role.LEADERSHIP}

_granted: dict[str, set[str]] = defaultdict(set)


def grant(roles, *perms: str) -> None:
    """Let every role in ``roles`` hold each of ``perms`` (``"app_label.codename"``)."""
    for perm in perms:
        _granted[perm].update(str(role) for role in roles)


def role_has_perm(role: str, perm: str) -> bool:
    return role in _granted.get(perm, ())


def role_perms(role: str) -> set[str]:
    return {perm for perm, roles in _granted.items() if role in roles}


def model_perms(app_label: str, model_name: str, *actions: str) -> list[str]:
    return [f"{app_label}.{action}_{model_name}" for action in actions]
