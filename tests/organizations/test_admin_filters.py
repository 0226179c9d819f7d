"""The admin's own list filters answer their page (they were 400s: Django asks lookup_allowed
about every parameter, our own filters' included)."""

import datetime

import pytest

from apps.core.actors import SYSTEM
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/admin/members/appointment/?current=yes", {"现任"}),
        ("/admin/members/appointment/?current=no", {"往任"}),
    ],
)
def test_the_current_filter_of_appointments_answers(tree, user_in, browser_as, url, shown):
    person = make_member(tree.village_a1)
    services.appointment_create(
        by=SYSTEM,
        member=person,
        organization=tree.village_a1,
        role="volunteer",
        started_on=datetime.date(2020, 1, 1),
        note="现任",
    )
    services.appointment_create(
        by=SYSTEM,
        member=person,
        organization=tree.village_a1,
        role="executive",
        started_on=datetime.date(2019, 1, 1),
        ended_on=datetime.date(2019, 12, 31),
        note="往任",
    )

    page = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN)).get(url)

    assert page.status_code == 200
    assert {row.note for row in page.context["cl"].result_list} == shown


def test_the_open_filter_of_organizations_answers(tree, user_in, browser_as):
    tree.village_a2.closed_on = datetime.date(2020, 1, 1)
    tree.village_a2.save()
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))

    open_ = client.get("/admin/organizations/organization/?open=yes")
    dissolved = client.get("/admin/organizations/organization/?open=no")

    assert (open_.status_code, dissolved.status_code) == (200, 200)
    assert [o.name for o in dissolved.context["cl"].result_list] == ["甲二社区妇联"]
    assert "甲二社区妇联" not in {o.name for o in open_.context["cl"].result_list}


def test_a_field_lookup_the_list_does_not_offer_is_still_refused(tree, user_in, browser_as):
    page = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN)).get(
        "/admin/members/member/?id_number__startswith=11"
    )

    assert page.status_code == 400
