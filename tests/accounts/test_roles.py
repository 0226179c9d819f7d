"""Rights come from the role and nothing else."""

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from tests import roles_table
from tests.roles_table import PERMISSION_NAMES, RIGHTS, ROLES

pytestmark = pytest.mark.django_db

CASES = [
    (resource, action, role)
    for resource, actions in RIGHTS.items()
    for action in ("view", "add", "change", "delete")
    for role in ROLES
]


@pytest.mark.parametrize(("resource", "action", "role"), CASES)
def test_each_role_holds_exactly_the_rights_of_the_roles_table(
    tree, user_in, resource, action, role
):
    account = user_in(tree.district, role)
    perm = PERMISSION_NAMES[resource].format(action=action)

    expected = role in RIGHTS[resource].get(action, set())

    assert account.has_perm(perm) is expected


@pytest.mark.parametrize("role", ROLES)
def test_only_district_staff_work_in_the_admin(tree, user_in, role):
    account = user_in(tree.district, role)

    assert account.is_staff is (role in roles_table.ADMIN_SITE)


def test_an_inactive_account_has_no_rights(tree, user_in):
    account = user_in(tree.district, roles_table.DISTRICT_ADMIN, is_active=False)

    assert account.has_perm("organizations.view_organization") is False
    assert account.is_staff is False


def test_no_account_is_ever_a_superuser(tree, user_in):
    account = user_in(tree.district, roles_table.DISTRICT_ADMIN)

    assert account.is_superuser is False
    assert not hasattr(User, "groups")
    assert "is_superuser" not in {field.name for field in User._meta.get_fields()}


def test_createsuperuser_makes_a_district_admin_not_a_superuser(tree, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-password")
    call_command(
        "createsuperuser",
        interactive=False,
        username="root",
        name="管理员",
        organization=tree.district.pk,
        role="leadership",
        verbosity=0,
    )

    account = User.objects.get(username="root")
    assert account.role == roles_table.DISTRICT_ADMIN
    assert account.organization == tree.district
    assert account.is_superuser is False
