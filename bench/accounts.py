"""The bench's logins: the district's administrator, a street's, and a village station."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from apps.accounts.models import DeviceToken, User
from apps.members.models import Member
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped


@dataclass(frozen=True)
class Accounts:
    """The bench's logins: the district's administrator, a street's, and a village station."""

    district: User
    street: User
    village: User


def bench_accounts() -> Accounts:
    """The bench's three logins (made once), each with an API token.

    The street is the one with the most people; the village is the one of median size, so its
    page is a typical village's.
    """
    district = Organization.objects.get(depth=1, kind=Kind.DISTRICT)
    counts = {
        organization_id: count
        for organization_id, count in Member.objects.alive()
        .values_list("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    }
    villages = sorted(
        (counts.get(v.pk, 0), v.path, v)
        for v in Organization.objects.filter(kind=Kind.VILLAGE, closed_on=None)
    )
    village = villages[len(villages) // 2][2]
    by_street = defaultdict(int)
    for count, _path, place in villages:
        by_street[place.street_id] += count
    street = Organization.objects.get(pk=max(by_street, key=lambda pk: (by_street[pk], -pk)))
    return Accounts(
        district=_account("bench_district", Role.DISTRICT_ADMIN, district),
        street=_account("bench_street", Role.DISTRICT_ADMIN, street),
        village=_account("bench_village", Role.STATION_OPERATOR, village),
    )


def described(accounts: Accounts) -> list[str]:
    """Where each login sits and how many living people its list holds."""
    lines = []
    for label, user in vars(accounts).items():
        people = scoped(Member.objects.alive(), user).count()
        lines.append(
            f"the {label} login ({user.get_role_display()}) sits in "
            f"{user.organization.name}: {people:,} living people in its list"
        )
    return lines


def _account(username: str, role: str, organization: Organization) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username, None, name=username, role=role, organization=organization
        )
    elif (user.organization_id, user.role) != (organization.pk, role):  # the data was made again
        user.organization, user.role = organization, role
        user.save(update_fields=["organization", "role"])
    return user


def token(user: User) -> str:
    """A new key each call, as a device signing in gets (only a hash is stored)."""
    return DeviceToken.objects.create(user=user, device="bench")[1]
