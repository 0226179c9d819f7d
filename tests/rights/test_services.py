"""The stations' services: where each kind belongs, dates, phones, staff (docs/rights.md)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.core.actors import SYSTEM
from apps.members.services import people as member_services
from apps.organizations.choices import Kind
from apps.rights.models import Station, StationStaff
from apps.rights.services import stations as services
from tests.factories.members import make_member
from tests.factories.organizations import make_org
from tests.registry import make_station

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def messages(excinfo) -> dict:
    return excinfo.value.message_dict


def create(organization, **fields):
    fields = {"kind": "station", "name": "维权服务站", "opened_on": D(2024, 1, 1), **fields}
    return services.station_create(by=SYSTEM, organization=organization, **fields)


def test_a_station_or_post_belongs_to_a_village_or_its_committee(tree):
    village_committee = make_org(tree.village_a1, Kind.COMMITTEE, "甲一社区妇委会", sector="organ")

    assert create(tree.village_a1).organization == tree.village_a1
    assert create(village_committee, kind="post").organization == village_committee
    for place in (tree.street_a, tree.district, tree.committee_a):  # a street's committee too
        for kind in ("station", "post"):
            with pytest.raises(ValidationError) as excinfo:
                create(place, kind=kind)
            assert "属于村（社区）" in messages(excinfo)["organization"][0], (place, kind)
    assert not Station.objects.filter(organization__kind=Kind.STREET).exists()


def test_the_legal_center_belongs_to_a_committee_and_a_collection_point_anywhere(tree):
    center = make_org(tree.district, Kind.COMMITTEE, "测试区妇女儿童法律服务中心", sector="organ")

    assert create(center, kind="legal_center").organization == center
    with pytest.raises(ValidationError) as excinfo:
        create(tree.district, kind="legal_center")
    assert "妇委会" in messages(excinfo)["organization"][0]
    for place in (tree.district, tree.street_a, tree.village_a1, center):
        assert create(place, kind="collection_point").kind == "collection_point"


def test_closing_before_opening_is_refused_in_chinese(tree):
    with pytest.raises(ValidationError) as excinfo:
        create(tree.village_a1, closed_on=D(2023, 12, 31))
    assert messages(excinfo)["closed_on"] == ["撤销日期不能早于成立日期。"]

    station = create(tree.village_a1)
    with pytest.raises(ValidationError) as excinfo:
        services.station_close(by=SYSTEM, station=station, closed_on=D(2023, 6, 1))
    assert "closed_on" in messages(excinfo)
    station.refresh_from_db()
    assert station.closed_on is None


def test_a_phone_is_stored_as_peoples_are_and_a_landline_refused(tree):
    station = create(tree.village_a1, phone="138 0013 8000")
    assert station.phone == "+8613800138000"

    with pytest.raises(ValidationError) as excinfo:
        create(tree.village_a1, phone="0571-88886666")
    assert "手机" in messages(excinfo)["phone"][0]


def test_no_station_opens_after_its_organization_was_dissolved(tree):
    village = make_org(
        tree.street_a, Kind.VILLAGE, "已撤村", opened_on=D(2010, 1, 1), closed_on=D(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        create(village, opened_on=D(2021, 1, 1))
    assert messages(excinfo)["opened_on"][0].startswith("已撤村已于")
    assert messages(excinfo)["opened_on"][0].endswith("撤销，此后不能再设立站点。")


def test_closing_ends_the_staffs_terms_and_keeps_history(tree):
    station = create(tree.village_a1)
    staff = services.station_staff_add(
        by=SYSTEM,
        station=station,
        member=make_member(tree.village_a1),
        role="mediator",
        started_on=D(2024, 2, 1),
    )

    services.station_close(by=SYSTEM, station=station, closed_on=D(2024, 6, 30))

    staff.refresh_from_db()
    assert staff.ended_on == D(2024, 6, 30)
    assert staff.history.latest().history_change_reason == "station closed"
    with pytest.raises(ValidationError) as excinfo:
        services.station_close(by=SYSTEM, station=station, closed_on=D(2024, 7, 1))
    assert "已撤销" in messages(excinfo)["closed_on"][0]


def test_dates_that_would_leave_a_term_outside_the_station_are_refused(tree):
    station = create(tree.village_a1)
    services.station_staff_add(
        by=SYSTEM,
        station=station,
        member=make_member(tree.village_a1, name="周调解"),
        role="mediator",
        started_on=D(2024, 3, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.station_update(by=SYSTEM, station=station, opened_on=D(2024, 4, 1))
    assert "周调解" in messages(excinfo)["opened_on"][0]
    station.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.station_close(by=SYSTEM, station=station, closed_on=D(2024, 2, 1))
    assert "周调解" in messages(excinfo)["closed_on"][0]
    station.refresh_from_db()
    assert (station.opened_on, station.closed_on) == (D(2024, 1, 1), None)


def test_staff_is_a_living_person_of_the_subtree_with_a_term_inside_the_stations(tree):
    station = create(tree.village_a1, closed_on=D(2024, 12, 31))
    sibling = make_member(tree.village_a2, name="邻村人")
    gone = make_member(tree.village_a1, name="已删除")
    member_services.member_delete(by=SYSTEM, member=gone)
    mine = make_member(tree.village_a1, name="本村人")

    def add(member, **fields):
        fields = {"role": "mediator", "started_on": D(2024, 2, 1), "ended_on": D(2024, 5, 1)}
        return services.station_staff_add(by=SYSTEM, station=station, member=member, **fields)

    with pytest.raises(ValidationError) as excinfo:
        add(sibling)
    assert "甲一社区妇联" in messages(excinfo)["member"][0]
    with pytest.raises(ValidationError) as excinfo:
        add(gone)
    assert "已删除或已合并" in messages(excinfo)["member"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.station_staff_add(
            by=SYSTEM, station=station, member=mine, role="mediator", started_on=D(2023, 1, 1)
        )
    assert "2024" in messages(excinfo)["started_on"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.station_staff_add(
            by=SYSTEM, station=station, member=mine, role="mediator", started_on=D(2024, 2, 1)
        )  # no end, at a station that closes
    assert "ended_on" in messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.station_staff_add(
            by=SYSTEM,
            station=station,
            member=mine,
            role="mediator",
            started_on=D(2024, 3, 1),
            ended_on=D(2024, 2, 1),
        )
    assert messages(excinfo)["ended_on"]
    assert not StationStaff.objects.exists()

    staff = add(mine)
    assert staff.organization == tree.village_a1
    ended = services.station_staff_end(by=SYSTEM, staff=staff, ended_on=D(2024, 4, 1))
    assert ended.ended_on == D(2024, 4, 1)


def test_a_person_of_a_village_may_staff_the_streets_collection_point(tree):
    point = make_station(tree.street_a)
    staff = services.station_staff_add(
        by=SYSTEM,
        station=point,
        member=make_member(tree.village_a2),
        role="volunteer",
        started_on=point.opened_on,
    )
    assert staff.organization == tree.street_a
