"""The stations in the admin: the list, a station's page with its staff, the coverage page."""

import datetime

import pytest

from apps.core.actors import SYSTEM
from apps.organizations.roles import Role
from apps.rights.models import Station, StationStaff
from apps.rights.services import stations as services
from tests.factories.members import make_member
from tests.registry import make_station, make_station_staff

pytestmark = pytest.mark.django_db

LIST = "/admin/rights/station/"
COVERAGE = "/admin/rights/station/coverage/"
ADD = "/admin/rights/station/add/"
ADMIN_ROLES = [Role.DISTRICT_ADMIN, Role.STAFF, Role.CASE_WORKER]
D = datetime.date


@pytest.fixture
def stations(tree):
    return {
        "a1": make_station(tree.village_a1, name="甲一社区维权服务站", opened_on=D(2024, 1, 1)),
        "b1": make_station(tree.village_b1, name="乙一村维权服务站", opened_on=D(2024, 1, 1)),
    }


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_every_admin_role_sees_the_list_and_coverage_of_its_subtree_only(
    tree, user_in, browser_as, stations, role
):
    client = browser_as(user_in(tree.street_a, role))

    listed = client.get(LIST)
    page = client.get(f"{LIST}{stations['a1'].pk}/change/")
    sibling = client.get(f"{LIST}{stations['b1'].pk}/change/")
    covered = client.get(COVERAGE, {"on": "2024-06-01"})

    assert listed.status_code == 200
    assert "甲一社区维权服务站" in listed.content.decode()
    assert "乙一村维权服务站" not in listed.content.decode()
    assert COVERAGE in listed.content.decode()  # linked from the list
    assert page.status_code == 200
    assert sibling.status_code == 302  # Django's "does not exist" for a record outside
    body = covered.content.decode()
    assert covered.status_code == 200
    assert "甲街道妇联，2024-06-01：2个村（社区）中已覆盖1个（50.0%）" in body
    assert f'/admin/organizations/organization/{tree.village_a2.pk}/change/">甲二社区妇联' in body
    assert "乙一村妇联" not in body


def test_the_coverage_page_takes_a_day_and_an_organization(tree, user_in, browser_as, stations):
    client = browser_as(user_in(tree.district, Role.STAFF))

    before = client.get(COVERAGE, {"on": "2023-12-31", "organization": tree.street_b.pk})
    bad = client.get(COVERAGE, {"on": "昨天"})
    outside = client.get(COVERAGE, {"organization": 999999})

    assert "乙一村妇联</a>" in before.content.decode()
    assert "0.0%" in before.content.decode()
    assert bad.status_code == 200 and 'id="coverage-share"' not in bad.content.decode()
    assert outside.status_code == 200 and 'id="coverage-share"' not in outside.content.decode()


def test_the_list_filters_by_kind_open_today_and_street(tree, user_in, browser_as, stations):
    services.station_close(by=SYSTEM, station=stations["b1"], closed_on=D(2024, 6, 30))
    make_station(tree.village_a2, kind="post", name="甲二社区维权服务岗")
    client = browser_as(user_in(tree.district, Role.STAFF))

    def shown(**params):
        body = client.get(LIST, params).content.decode()
        return {
            name
            for name in ("甲一社区维权服务站", "乙一村维权服务站", "甲二社区维权服务岗")
            if name in body
        }

    assert shown(kind="post") == {"甲二社区维权服务岗"}
    assert shown(open="no") == {"乙一村维权服务站"}
    assert shown(open="yes") == {"甲一社区维权服务站", "甲二社区维权服务岗"}
    assert shown(street=tree.street_a.pk) == {"甲一社区维权服务站", "甲二社区维权服务岗"}
    assert shown(q="乙一") == {"乙一村维权服务站"}


def management(total=1, initial=0) -> dict:
    return {
        "staff-TOTAL_FORMS": str(total),
        "staff-INITIAL_FORMS": str(initial),
        "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1000",
    }


def station_form(organization, **fields) -> dict:
    return {
        "organization": organization.pk,
        "kind": "station",
        "name": "甲二社区维权服务站",
        "opened_on": "2024-03-01",
        "closed_on": "",
        "contact": "",
        "phone": "13800138000",
        "address": "",
        **fields,
    }


def test_staff_add_a_station_with_its_mediator_through_the_services(tree, user_in, browser_as):
    user = user_in(tree.street_a, Role.STAFF)
    person = make_member(tree.village_a2, name="周调解")

    response = browser_as(user).post(
        ADD,
        {
            **station_form(tree.village_a2),
            **management(),
            "staff-0-member": person.pk,
            "staff-0-role": "mediator",
            "staff-0-started_on": "2024-03-01",
            "staff-0-ended_on": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    station = Station.objects.get()
    assert station.phone == "+8613800138000"
    staff = StationStaff.objects.get()
    assert (staff.station, staff.member, staff.organization) == (station, person, tree.village_a2)
    assert staff.history.latest().history_user == user


def test_bad_input_is_a_chinese_message_on_the_page_and_nothing_saved(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))
    neighbour = make_member(tree.village_a1, name="邻村人")

    street = client.post(ADD, {**station_form(tree.street_a), **management(0)})
    staff = client.post(
        ADD,
        {
            **station_form(tree.village_a2),
            **management(),
            "staff-0-member": neighbour.pk,
            "staff-0-role": "mediator",
            "staff-0-started_on": "2024-02-01",
            "staff-0-ended_on": "",
        },
    )

    assert street.status_code == 200
    assert "维权服务站、维权服务岗只能属于村（社区）妇联" in street.content.decode()
    assert staff.status_code == 200
    body = staff.content.decode()
    assert "人员须在甲二社区妇联或其下级组织的人员名单中" in body
    assert "任职不能早于此日开始" in body
    assert not Station.objects.exists() and not StationStaff.objects.exists()


def test_closing_on_the_page_ends_the_staffs_terms(tree, user_in, browser_as):
    staff = make_station_staff(tree.village_a1)
    station = staff.station
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    response = client.post(
        f"{LIST}{station.pk}/change/",
        {
            **station_form(tree.village_a1, name=station.name, opened_on="2024-01-01"),
            "closed_on": "2024-09-30",
            **management(1, 1),
            "staff-0-id": staff.pk,
            "staff-0-station": station.pk,
            "staff-0-member": staff.member.pk,
            "staff-0-role": "mediator",
            "staff-0-started_on": "2024-01-01",
            "staff-0-ended_on": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    staff.refresh_from_db()
    assert staff.ended_on == D(2024, 9, 30)
