"""/api/v1/rights/stations/ and /api/v1/rights/station-staff/, and the coverage action."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.actors import SYSTEM
from apps.organizations.roles import Role
from apps.rights.models import Station, StationStaff
from apps.rights.services import stations as services
from tests.factories.members import make_member
from tests.registry import make_station, make_station_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/rights/stations/"
STAFF_URL = "/api/v1/rights/station-staff/"
COVERAGE_URL = f"{URL}coverage/"
D = datetime.date


@pytest.fixture
def street_staff(tree, user_in, api_as):
    return api_as(user_in(tree.street_a, Role.STAFF))


def body(organization, **fields) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "organization": organization.pk,
        "kind": "station",
        "name": "甲一社区维权服务站",
        "opened_on": "2024-03-08",
        "contact": "李调解",
        "phone": "138 0013 8000",
        "address": "甲一社区1号",
        **fields,
    }


def test_staff_open_a_station_stored_normalized(tree, street_staff):
    response = street_staff.post(URL, body(tree.village_a1), format="json")

    assert response.status_code == 201, response.content
    station = Station.objects.get()
    assert (station.organization, station.phone) == (tree.village_a1, "+8613800138000")
    assert response.json()["organization"] == {"id": tree.village_a1.pk, "name": "甲一社区妇联"}
    assert station.history.latest().history_type == "+"


def test_a_station_of_a_street_is_a_400_in_chinese_and_nothing_written(tree, street_staff):
    response = street_staff.post(URL, body(tree.street_a), format="json")

    assert response.status_code == 400
    assert "村（社区）" in response.json()["organization"][0]
    assert not Station.objects.exists()


def test_closing_before_opening_and_a_landline_are_400s(tree, street_staff):
    early = street_staff.post(URL, body(tree.village_a1, closed_on="2024-01-01"), format="json")
    landline = street_staff.post(URL, body(tree.village_a1, phone="0571-88886666"), format="json")

    assert early.status_code == 400 and "撤销日期" in early.json()["closed_on"][0]
    assert landline.status_code == 400 and "手机" in landline.json()["phone"][0]
    assert not Station.objects.exists()


def test_a_station_is_closed_by_a_patch_with_its_version(tree, street_staff):
    station = make_station(tree.village_a1)
    staff = make_station_staff(tree.village_a1, station=station)

    response = street_staff.patch(
        f"{URL}{station.pk}/", {"closed_on": "2024-12-31", "version": 1}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["closed_on"] == "2024-12-31"
    staff.refresh_from_db()
    assert staff.ended_on == D(2024, 12, 31)


def test_a_station_operator_reads_her_own_and_writes_none(tree, user_in, api_as):
    mine = make_station(tree.village_a1)
    make_station(tree.village_a2)
    operator = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    listed = operator.get(URL).json()["results"]
    created = operator.post(URL, body(tree.village_a1), format="json")
    changed = operator.patch(f"{URL}{mine.pk}/", {"name": "改名", "version": 1}, format="json")

    assert [row["id"] for row in listed] == [mine.pk]
    assert (created.status_code, changed.status_code) == (403, 403)


def test_filters_by_kind_subtree_and_the_day_open(tree, street_staff):
    early = make_station(tree.village_a1, opened_on=D(2023, 1, 1))
    later = make_station(tree.village_a2, kind="post", opened_on=D(2024, 6, 1))
    point = make_station(tree.street_a)  # a collection point, opened 2024-01-01
    services.station_close(by=SYSTEM, station=point, closed_on=D(2024, 3, 31))

    def ids(**query):
        return {row["id"] for row in street_staff.get(URL, query).json()["results"]}

    assert ids(kind="post") == {later.pk}
    assert ids(organization=tree.village_a1.pk) == {early.pk}
    assert ids(open_on="2024-03-31") == {early.pk, point.pk}
    assert ids(open_on="2024-07-01") == {early.pk, later.pk}
    assert street_staff.get(URL, {"open_on": "昨天"}).status_code == 400
    assert street_staff.get(URL, {"organization": tree.village_b1.pk}).status_code == 400


def test_a_list_is_a_constant_number_of_queries(tree, street_staff):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert street_staff.get(URL, {"page_size": 1}).status_code == 200
        return len(captured)

    make_station(tree.village_a1)
    make_station(tree.village_a2)
    few = queries()
    for n in range(5):
        make_station(tree.village_a1, name=f"站{n}")

    assert queries() == few == 4  # token with the user's organization, throttle, count, page


def test_staff_list_is_a_constant_number_of_queries(tree, street_staff):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert street_staff.get(STAFF_URL, {"page_size": 50}).status_code == 200
        return len(captured)

    make_station_staff(tree.village_a1)
    few = queries()
    for _ in range(5):
        make_station_staff(tree.village_a2)

    # Token, throttle, the page with station, person and organization joined (all rows on one
    # page: no count).
    assert queries() == few == 3


def test_staff_are_added_and_their_term_ended(tree, street_staff):
    station = make_station(tree.village_a1)
    person = make_member(tree.village_a1, name="周调解")
    response = street_staff.post(
        STAFF_URL,
        {
            "client_id": str(uuid.uuid4()),
            "station": station.pk,
            "member": person.pk,
            "role": "mediator",
            "started_on": "2024-02-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["organization"] == {"id": tree.village_a1.pk, "name": "甲一社区妇联"}
    assert row["member"] == {"id": person.pk, "name": "周调解"}

    ended = street_staff.patch(
        f"{STAFF_URL}{row['id']}/", {"ended_on": "2024-01-15", "version": 1}, format="json"
    )
    assert ended.status_code == 400 and ended.json()["ended_on"]
    ended = street_staff.patch(
        f"{STAFF_URL}{row['id']}/", {"ended_on": "2024-12-31", "version": 1}, format="json"
    )
    assert ended.status_code == 200, ended.content
    assert StationStaff.objects.get().ended_on == D(2024, 12, 31)


def test_a_person_of_another_village_is_refused_in_chinese(tree, street_staff):
    station = make_station(tree.village_a1)
    neighbour = make_member(tree.village_a2, name="邻村人")
    response = street_staff.post(
        STAFF_URL,
        {
            "client_id": str(uuid.uuid4()),
            "station": station.pk,
            "member": neighbour.pk,
            "role": "mediator",
            "started_on": "2024-02-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "甲一社区妇联" in response.json()["member"][0]
    assert not StationStaff.objects.exists()


def test_coverage_answers_the_share_and_the_villages_without(tree, street_staff):
    make_station(tree.village_a1, opened_on=D(2024, 3, 1))
    make_station(tree.village_b1, opened_on=D(2024, 1, 1))  # outside the street's subtree

    answer = street_staff.get(COVERAGE_URL, {"on": "2024-06-01"})
    earlier = street_staff.get(
        COVERAGE_URL, {"on": "2024-02-01", "organization": tree.village_a1.pk}
    )

    assert answer.status_code == 200
    assert answer.json() == {
        "on": "2024-06-01",
        "villages": 2,
        "covered": 1,
        "share": 0.5,
        "without": [{"id": tree.village_a2.pk, "name": "甲二社区妇联"}],
    }
    assert earlier.json()["without"] == [{"id": tree.village_a1.pk, "name": "甲一社区妇联"}]


def test_coverage_of_an_organization_outside_the_subtree_or_a_bad_day_is_a_400(tree, street_staff):
    outside = street_staff.get(COVERAGE_URL, {"organization": tree.village_b1.pk})
    bad_day = street_staff.get(COVERAGE_URL, {"on": "2024-13-01"})

    assert outside.status_code == 400 and "organization" in outside.json()
    assert bad_day.status_code == 400 and "on" in bad_day.json()


def test_leadership_may_not_ask_for_coverage(tree, user_in, api_as):
    leadership = api_as(user_in(tree.district, Role.LEADERSHIP))
    assert leadership.get(COVERAGE_URL).status_code == 403


def test_staff_filters_by_station_role_and_the_day_working(tree, street_staff):
    first = make_station_staff(tree.village_a1)  # a mediator since 2024-01-01
    other = make_station_staff(tree.village_a2, role="volunteer")
    services.station_staff_end(by=SYSTEM, staff=other, ended_on=D(2024, 3, 31))

    def ids(**query):
        return {row["id"] for row in street_staff.get(STAFF_URL, query).json()["results"]}

    assert ids(station=first.station_id) == {first.pk}
    assert ids(role="volunteer") == {other.pk}
    assert ids(open_on="2024-03-31") == {first.pk, other.pk}
    assert ids(open_on="2024-04-01") == {first.pk}
