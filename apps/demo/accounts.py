"""Demo accounts: every role, in several places of the tree."""

from random import Random

from apps.accounts.models import User
from apps.demo.names import GIVEN, SURNAMES
from apps.demo.organizations import Tree
from apps.organizations.roles import Role

DEMO_PASSWORD = "yunxi-demo-2026"  # noqa: S105 - printed for the demo logins, nothing else


def _person(rng: Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def build_accounts(rng: Random, tree: Tree, legal_center=None) -> list[User]:
    """The demo logins, made once; a second run leaves them (and their passwords) as they are.
    The legal service center's case worker reads its own subtree: the center (docs/scoping.md)."""
    open_villages = [village for village in tree.villages if village.is_open]
    street_a, street_b = tree.streets[0], tree.streets[7]
    village_a = next(v for v in open_villages if v.parent_id == street_a.pk)
    village_b = next(v for v in open_villages if v.parent_id == street_b.pk)
    plan = [
        ("qu_admin", Role.DISTRICT_ADMIN, tree.district),
        ("qu_staff", Role.STAFF, tree.district),
        ("qu_weiquan", Role.CASE_WORKER, tree.district),
        ("qu_lingdao", Role.LEADERSHIP, tree.district),
        ("chengguan_admin", Role.DISTRICT_ADMIN, street_a),
        ("chengguan_staff", Role.STAFF, street_a),
        ("chengguan_weiquan", Role.CASE_WORKER, street_a),
        ("chengguan_lingdao", Role.LEADERSHIP, street_a),
        ("meilin_staff", Role.STAFF, street_b),
        ("meilin_weiquan", Role.CASE_WORKER, street_b),
        ("zhandian_a", Role.STATION_OPERATOR, village_a),
        ("zhandian_b", Role.STATION_OPERATOR, village_b),
    ]
    if legal_center is not None:
        plan.append(("fazhi_weiquan", Role.CASE_WORKER, legal_center))
    accounts = []
    for username, role, organization in plan:
        name = _person(rng)
        account = User.objects.filter(username=username).first()
        if account is None:
            account = User.objects.create_user(
                username, DEMO_PASSWORD, name=name, role=role, organization=organization
            )
        accounts.append(account)
    return accounts
