"""/api/v1/members/: people, and the shared machinery proven on them through real requests."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.actors import SYSTEM
from apps.members.models import Member
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.members import make_member
from tests.roles_table import IDENTITY_READERS, RIGHTS

pytestmark = pytest.mark.django_db

URL = "/api/v1/members/"
ID_NUMBER = make_id_number(datetime.date(1985, 3, 8), "female", sequence=7)


def person(**fields) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "name": "陈美华",
        "gender": "female",
        "id_number": ID_NUMBER,
        "phone": "138 0013 8000",
        "political_status": "party_member",
        **fields,
    }


@pytest.fixture
def station(tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


def detail(member) -> str:
    return f"{URL}{member.pk}/"


# Creating, and retrying a create.


def test_a_new_person_is_201_stored_normalized_in_the_callers_organization(tree, station):
    response = station.post(URL, person(), format="json")

    assert response.status_code == 201, response.content
    member = Member.objects.get()
    assert member.organization == tree.village_a1  # the default: the caller's own
    assert member.phone == "+8613800138000"
    assert member.birth_date == datetime.date(1985, 3, 8)  # read from the ID number
    assert response.json()["organization"] == {"id": tree.village_a1.pk, "name": "甲一社区妇联"}
    assert response.json()["version"] == 1


def test_a_create_is_fourteen_statements(station, django_assert_num_queries):
    """The token with its account's organization; the throttle's count; the station's check of
    the ID number (docs/identity.md: a savepoint, here inside the test's transaction, the
    account's lock, its count of the hour, its log row, the release); the write's savepoint; the
    ID number's locks; the look for it in the subtree; the INSERT, which stores the client's
    key; its history row; the scope of the row written; the savepoint's release."""
    with django_assert_num_queries(14):
        response = station.post(URL, person(), format="json")

    assert response.status_code == 201


def test_a_replay_is_200_with_the_stored_record_even_after_an_edit(station):
    body = person()
    first = station.post(URL, body, format="json").json()
    station.patch(f"{URL}{first['id']}/", {"name": "陈美", "version": 1}, format="json")

    replay = station.post(URL, body, format="json")

    assert replay.status_code == 200
    assert replay.json()["id"] == first["id"]
    assert replay.json()["name"] == "陈美"
    assert Member.objects.count() == 1


def test_the_same_client_id_with_another_body_is_409_and_changes_nothing(station):
    body = person()
    station.post(URL, body, format="json")

    response = station.post(URL, {**body, "name": "别人"}, format="json")

    assert response.status_code == 409
    assert Member.objects.get().name == "陈美华"


def test_a_client_id_used_in_a_sibling_village_is_409_and_shows_nothing(tree, user_in, api_as):
    body = person()
    api_as(user_in(tree.village_a2, Role.STATION_OPERATOR)).post(URL, body, format="json")
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.post(URL, body, format="json")

    assert response.status_code == 409
    assert "陈美华" not in response.content.decode()
    assert Member.objects.count() == 1


def test_a_create_without_client_id_is_400(station):
    body = person()
    del body["client_id"]

    response = station.post(URL, body, format="json")

    assert response.status_code == 400
    assert "client_id" in response.json()
    assert not Member.objects.exists()


# Writes aimed outside the scope, and mass assignment.


def test_an_organization_outside_the_subtree_reads_as_does_not_exist(tree, station):
    outside = station.post(URL, person(organization=tree.village_a2.pk), format="json")
    nowhere = station.post(URL, person(organization=999_999), format="json")

    assert outside.status_code == nowhere.status_code == 400
    assert outside.json()["organization"][0].replace(
        str(tree.village_a2.pk), "N"
    ) == nowhere.json()["organization"][0].replace("999999", "N")
    assert not Member.objects.exists()


def test_a_patch_cannot_move_rekey_or_version_a_record(tree, station):
    member = make_member(tree.village_a1)
    before = Member.objects.values("organization", "client_id", "version").get(pk=member.pk)

    response = station.patch(
        detail(member),
        {
            "version": 1,
            "organization": tree.village_a2.pk,
            "client_id": str(uuid.uuid4()),
            "deleted": True,
            "name": "改名",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    after = Member.objects.values("organization", "client_id", "version", "deleted_at").get(
        pk=member.pk
    )
    assert after["organization"] == before["organization"]
    assert after["client_id"] == before["client_id"]
    assert after["version"] == before["version"] + 1  # the server's count, not the client's
    assert after["deleted_at"] is None


# Versions.


def test_a_patch_without_a_version_is_428(tree, station):
    member = make_member(tree.village_a1)

    response = station.patch(detail(member), {"name": "改名"}, format="json")

    assert response.status_code == 428
    assert Member.objects.get().name == "林秀英"


def test_a_stale_version_is_409_with_the_current_record(tree, station):
    member = make_member(tree.village_a1)
    station.patch(detail(member), {"name": "第一次", "version": 1}, format="json")

    response = station.patch(detail(member), {"name": "第二次", "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["current"]["name"] == "第一次"
    assert response.json()["current"]["version"] == 2
    assert Member.objects.get().name == "第一次"


def test_if_match_works_like_the_body_and_a_stale_one_is_412(tree, station):
    member = make_member(tree.village_a1)
    etag = station.get(detail(member))["ETag"]

    ok = station.patch(detail(member), {"name": "一"}, format="json", HTTP_IF_MATCH=etag)
    stale = station.patch(detail(member), {"name": "二"}, format="json", HTTP_IF_MATCH=etag)

    assert (etag, ok.status_code, stale.status_code) == ('"1"', 200, 412)
    assert Member.objects.get().name == "一"


@pytest.mark.parametrize("header", ['"abc"', '"' + "9" * 5000 + '"', "*", '"²"'])
def test_an_unreadable_if_match_is_400(tree, station, header):
    member = make_member(tree.village_a1)

    response = station.patch(detail(member), {"name": "改"}, format="json", HTTP_IF_MATCH=header)

    assert response.status_code == 400
    assert Member.objects.get().version == 1


@pytest.mark.parametrize("version", ["two", -1, True, None, [1], "²", "٣", "9" * 5000, 10**20])
def test_an_unreadable_version_is_400_or_428(tree, station, version):
    member = make_member(tree.village_a1)

    response = station.patch(detail(member), {"name": "改", "version": version}, format="json")

    assert response.status_code == 400  # null, as any other unreadable value
    assert Member.objects.get().version == 1


# Validation.


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id_number": ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")}, "id_number"),
        ({"gender": "male"}, "gender"),
        ({"birth_date": "1990-01-01"}, "birth_date"),
        ({"phone": "010 6512 3456"}, "phone"),
        ({"name": "名" * 51}, "name"),
        ({"address": "地" * 201}, "address"),
        ({"ethnicity": "martian"}, "ethnicity"),
    ],
)
def test_bad_input_is_a_400_on_its_field_and_nothing_is_stored(station, fields, field):
    response = station.post(URL, person(**fields), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Member.objects.exists()


def test_an_id_number_on_file_in_the_callers_subtree_is_refused_offering_that_person(tree, station):
    on_file = make_member(tree.village_a1, name="本村的人", id_number=ID_NUMBER, birth_date=None)

    response = station.post(URL, person(), format="json")

    assert response.status_code == 400
    assert response.json()["id_number"] == ["已有使用该身份证号码的人员记录。"]
    assert response.json()["existing"] == {"id": on_file.pk, "name": "本村的人"}
    assert Member.objects.count() == 1


def test_a_lookup_by_id_number_goes_in_the_body_and_finds_only_the_callers_people(
    tree, station, user_in
):
    mine = make_member(tree.village_a1, name="本村的人", id_number=ID_NUMBER, birth_date=None)
    b_staff = user_in(tree.village_b1, Role.STAFF)  # B can't see A's: it may enter her too
    make_member(tree.village_b1, name="乙村的人", id_number=ID_NUMBER, birth_date=None, by=b_staff)

    found = station.post(f"{URL}lookup/", {"id_number": ID_NUMBER.lower()}, format="json")
    bad = station.post(f"{URL}lookup/", {"id_number": "123"}, format="json")

    assert found.status_code == 200
    assert [row["id"] for row in found.json()] == [mine.pk]
    assert ID_NUMBER not in found.content.decode()  # masked, as in any list
    assert bad.status_code == 400


def test_an_id_number_held_only_by_a_sibling_village_is_neither_refused_nor_revealed(tree, station):
    """Refusing it would tell village A that village B has this person."""
    make_member(tree.village_b1, name="乙村的人", id_number=ID_NUMBER, birth_date=None)

    response = station.post(URL, person(), format="json")

    assert response.status_code == 201
    assert "乙村的人" not in response.content.decode()
    assert Member.objects.filter(id_number=ID_NUMBER).count() == 2  # for staff to merge


def test_messages_follow_accept_language(station):
    zh = station.post(URL, person(gender="male"), format="json")
    en = station.post(URL, person(gender="male"), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert zh.json()["gender"] == ["性别与身份证号码不一致。"]
    assert en.json()["gender"] == ["The gender does not agree with the ID number."]


# Masking.


def test_lists_mask_numbers_for_every_role(tree, user_in, api_as):
    make_member(tree.village_a1, id_number=ID_NUMBER, birth_date=None, phone="13800138000")
    for role in RIGHTS["member"]["view"]:
        row = api_as(user_in(tree.district, role)).get(URL).json()["results"][0]
        assert row["id_number"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:], role
        assert row["phone"] == "138****8000", role
        # The date is the hidden middle; the year, beside the last four, would leave some 33
        # candidates for it (docs/identity.md).
        year = 1985 if role in IDENTITY_READERS else None
        assert (row["birth_date"], row["birth_year"]) == (None, year), role


def test_a_persons_own_page_shows_full_numbers_only_to_the_roles_that_read_them(
    tree, user_in, api_as
):
    member = make_member(tree.village_a1, id_number=ID_NUMBER, birth_date=None)
    for role in RIGHTS["member"]["view"]:
        body = api_as(user_in(tree.district, role)).get(detail(member)).json()
        assert (body["id_number"] == ID_NUMBER) == (role in IDENTITY_READERS), role
        assert ("********" in body["id_number"]) == (role not in IDENTITY_READERS), role
        assert (body["birth_date"] == "1985-03-08") == (role in IDENTITY_READERS), role


# Lists.


def test_a_list_is_a_constant_number_of_queries(tree, station):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert station.get(URL, {"page_size": 1}).status_code == 200  # counted: rows > a page
        return len(captured)

    make_member(tree.village_a1)
    make_member(tree.village_a1, name="又一人")
    few = queries()
    for n in range(20):
        make_member(tree.village_a1, name=f"人{n}")

    assert queries() == few == 4  # token with the user's organization, throttle, count, page


def test_the_organization_filter_takes_a_subtree_and_no_id_outside_it(tree, user_in, api_as):
    make_member(tree.village_a1, name="甲一")
    make_member(tree.village_a2, name="甲二")
    make_member(tree.village_b1, name="乙一")
    client = api_as(user_in(tree.street_a, Role.STAFF))

    names = [
        r["name"] for r in client.get(URL, {"organization": tree.village_a2.pk}).json()["results"]
    ]
    outside = client.get(URL, {"organization": tree.village_b1.pk})

    assert names == ["甲二"]
    assert outside.status_code == 400  # B's id does not exist for A


def test_sync_lists_changes_in_order_and_shows_deletions(tree, station):
    first = make_member(tree.village_a1, name="一")
    make_member(tree.village_a1, name="二")
    services.member_delete(by=SYSTEM, member=first)
    since = (first.created_at - datetime.timedelta(minutes=5)).isoformat()

    synced = station.get(URL, {"updated_after": since}).json()["results"]
    plain = station.get(URL).json()["results"]

    assert [(r["name"], r["deleted"]) for r in synced] == [("二", False), ("一", True)]
    assert [r["name"] for r in plain] == ["二"]
    assert station.get(detail(first)).status_code == 404


def test_a_deleted_person_cannot_be_changed_even_through_a_sync_url(tree, station):
    member = make_member(tree.village_a1)
    services.member_delete(by=SYSTEM, member=member)

    response = station.patch(
        f"{detail(member)}?updated_after=2000-01-01T00:00:00Z",
        {"name": "复活", "version": member.version},
        format="json",
    )

    assert response.status_code == 404
    assert Member.objects.get().name == "林秀英"


def test_history_records_who_made_each_api_change(tree, user_in, api_as):
    operator = user_in(tree.village_a1, Role.STATION_OPERATOR)
    client = api_as(operator)
    created = client.post(URL, person(), format="json").json()
    client.patch(f"{URL}{created['id']}/", {"name": "改", "version": 1}, format="json")

    rows = Member.history.filter(id=created["id"]).order_by("history_id")

    assert [(r.history_type, r.history_user_id) for r in rows] == [
        ("+", operator.pk),
        ("~", operator.pk),
    ]
