"""Appointments (任职): one person, many roles, each for a term."""

import datetime
import uuid

import pytest
from django.utils import timezone

from apps.core.actors import SYSTEM
from apps.members.models import Appointment
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def station(tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


def appoint(member, organization, role, started_on, **fields):
    return services.appointment_create(
        by=SYSTEM,
        member=member,
        organization=organization,
        role=role,
        started_on=started_on,
        **fields,
    )


def body(member, **fields):
    return {
        "client_id": str(uuid.uuid4()),
        "member": member.pk,
        "role": "chair",
        "started_on": "2024-01-01",
        **fields,
    }


def test_one_person_holds_several_roles_without_being_entered_twice(tree, station):
    person = make_member(tree.village_a1)

    for role in ("chair", "mediator", "volunteer"):
        response = station.post(URL, body(person, role=role), format="json")
        assert response.status_code == 201, response.content

    assert set(person.appointments.values_list("role", flat=True)) == {
        "chair",
        "mediator",
        "volunteer",
    }
    row = station.get(URL).json()["results"][0]
    assert row["member"] == {"id": person.pk, "name": person.name}
    assert row["organization"] == {"id": tree.village_a1.pk, "name": tree.village_a1.name}


def test_a_term_that_ends_before_it_starts_is_refused(tree, station):
    person = make_member(tree.village_a1)

    response = station.post(
        URL, body(person, started_on="2024-05-01", ended_on="2024-04-30"), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["ended_on"]
    assert not Appointment.objects.exists()


def test_two_chairs_at_once_are_refused_but_one_after_another_is_fine(tree, station):
    first, second, third = (make_member(tree.village_a1, name=n) for n in ("一", "二", "三"))
    appoint(
        first,
        tree.village_a1,
        "chair",
        datetime.date(2020, 1, 1),
        ended_on=datetime.date(2022, 12, 31),
    )

    after = station.post(URL, body(second, started_on="2023-01-01"), format="json")
    overlapping = station.post(URL, body(third, started_on="2024-06-01"), format="json")
    vice = station.post(URL, body(third, role="vice_chair", started_on="2024-06-01"), format="json")

    assert (after.status_code, overlapping.status_code, vice.status_code) == (201, 400, 201)
    assert list(overlapping.json()) == ["role"]
    assert Appointment.objects.filter(role="chair").count() == 2


def test_ending_a_term_is_a_patch_and_the_person_and_place_stay(tree, station):
    person = make_member(tree.village_a1)
    term = appoint(person, tree.village_a1, "executive", datetime.date(2021, 3, 1))

    response = station.patch(
        f"{URL}{term.pk}/",
        {"ended_on": "2024-02-29", "version": 1, "member": 999, "organization": tree.village_a2.pk},
        format="json",
    )

    assert response.status_code == 200, response.content
    term.refresh_from_db()
    assert (term.ended_on, term.member, term.organization) == (
        datetime.date(2024, 2, 29),
        person,
        tree.village_a1,
    )


def test_the_current_filter_splits_running_from_ended_terms(tree, station):
    person = make_member(tree.village_a1)
    running = appoint(person, tree.village_a1, "volunteer", TODAY - 30 * DAY)
    ends_today = appoint(person, tree.village_a1, "mediator", TODAY - 90 * DAY, ended_on=TODAY)
    ended = appoint(person, tree.village_a1, "liaison", TODAY - 90 * DAY, ended_on=TODAY - DAY)

    def ids(**params):
        return {row["id"] for row in station.get(URL, params).json()["results"]}

    assert ids(current="true") == {running.pk, ends_today.pk}
    assert ids(current="false") == {ended.pk}
    assert ids(role="liaison") == {ended.pk}


def test_a_person_or_place_outside_the_subtree_reads_as_does_not_exist(tree, station):
    theirs = make_member(tree.village_a2)
    mine = make_member(tree.village_a1)

    person = station.post(URL, body(theirs), format="json")
    place = station.post(URL, body(mine, organization=tree.village_a2.pk), format="json")

    assert (person.status_code, place.status_code) == (400, 400)
    assert list(person.json()) == ["member"] and list(place.json()) == ["organization"]
    assert not Appointment.objects.exists()


def test_a_deleted_person_cannot_be_appointed(tree, station):
    person = services.member_delete(by=SYSTEM, member=make_member(tree.village_a1))

    response = station.post(URL, body(person), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["member"]


def test_the_list_is_a_constant_number_of_queries(tree, station, django_assert_num_queries):
    for n in range(10):
        appoint(make_member(tree.village_a1, name=f"人{n}"), tree.village_a1, "volunteer", TODAY)

    with django_assert_num_queries(4):  # token with the organization, throttle, count, page
        assert station.get(URL, {"page_size": 5}).status_code == 200


def test_the_organization_page_shows_its_current_leadership(tree, user_in, browser_as):
    chair = make_member(tree.village_a1, name="现任主席")
    former = make_member(tree.village_a1, name="前任主席")
    appoint(former, tree.village_a1, "chair", TODAY - 900 * DAY, ended_on=TODAY - 400 * DAY)
    appoint(chair, tree.village_a1, "chair", TODAY - 399 * DAY)

    page = browser_as(user_in(tree.district, Role.STAFF)).get(
        f"/admin/organizations/organization/{tree.village_a1.pk}/change/"
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert "现任领导班子" in body and "现任主席" in body
    assert "前任主席" not in body


def test_a_second_chair_in_the_admin_is_a_form_error_not_a_crash(tree, user_in, browser_as):
    appoint(make_member(tree.village_a1, name="甲"), tree.village_a1, "chair", TODAY - 10 * DAY)
    other = make_member(tree.village_a1, name="乙")

    page = browser_as(user_in(tree.district, Role.STAFF)).post(
        "/admin/members/appointment/add/",
        {
            "member": other.pk,
            "organization": tree.village_a1.pk,
            "role": "chair",
            "started_on": TODAY.isoformat(),
        },
    )

    assert page.status_code == 200
    assert "该组织在这段任期内已有人担任此职务" in page.content.decode()
    assert Appointment.objects.filter(role="chair").count() == 1


def test_a_case_worker_reads_but_never_writes_people_or_appointments(
    tree, user_in, api_as, browser_as
):
    # The attack: a case worker changed its own village's appointments (docs/roles.md gives
    # case workers cases and their parties only).
    member = make_member(tree.village_a1)
    term = appoint(member, tree.village_a1, "volunteer", datetime.date(2024, 1, 1))
    worker = user_in(tree.village_a1, Role.CASE_WORKER)
    api, admin = api_as(worker), browser_as(worker)

    read = api.get(f"/api/v1/appointments/{term.pk}/")
    patched = api.patch(
        f"/api/v1/appointments/{term.pk}/", {"note": "改", "version": 1}, format="json"
    )
    created = api.post("/api/v1/appointments/", body(member), format="json")
    person = api.patch(f"/api/v1/members/{member.pk}/", {"name": "改", "version": 1}, format="json")
    admin_add = admin.get("/admin/members/appointment/add/")

    assert read.status_code == 200
    assert (patched.status_code, created.status_code, person.status_code) == (403, 403, 403)
    assert admin_add.status_code == 403
    assert Appointment.objects.get().note == ""
    assert Appointment.objects.count() == 1


def test_street_staff_cannot_appoint_a_sibling_villages_person_in_a_village(tree, user_in, api_as):
    # The attack: street staff appointed village A2's person in village A1, and A1's station
    # then read her name through the appointment.
    theirs = make_member(tree.village_a2, name="乙方的人")
    staff = api_as(user_in(tree.street_a, Role.STAFF))

    response = staff.post(
        "/api/v1/appointments/",
        body(theirs, organization=tree.village_a1.pk, role="volunteer"),
        format="json",
    )
    at_the_street = staff.post(
        "/api/v1/appointments/",
        body(theirs, organization=tree.street_a.pk, role="executive"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"member": ["此人不属于该组织或其下级组织。"]}
    assert at_the_street.status_code == 201  # the street sees the villages below it
    assert list(Appointment.objects.values_list("organization", flat=True)) == [tree.street_a.pk]
