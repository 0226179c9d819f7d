"""Participant lists of events (a training's trainees): the API, the rules, the admin inline and
what a merge of two people does to them (docs/events.md, Participant lists)."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import SYSTEM
from apps.events import services
from apps.events.models import Event, EventParticipant
from apps.members import merging
from apps.organizations.roles import Role
from tests.factories.events import make_event, make_participant
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/participants/"
BORN = datetime.date(1975, 3, 9)


@pytest.fixture
def station(tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


def training(organization, participants=3) -> Event:
    return make_event(
        organization,
        title="家政培训班",
        category_code="skills_training",
        participants=participants,
        people_reached=participants,
    )


def test_a_station_lists_its_trainees_and_marks_who_completed(tree, station):
    event = training(tree.village_a1)
    person = make_member(tree.village_a1, name="李春梅")
    body = {"client_id": str(uuid.uuid4()), "event": event.pk, "member": person.pk}

    first = station.post(URL, body, format="json")
    again = station.post(URL, body, format="json")

    assert (first.status_code, again.status_code) == (201, 200), first.content
    row = first.json()
    assert row["organization"] == {"id": tree.village_a1.pk, "name": "甲一社区妇联"}
    assert (row["attended"], row["completed"]) == (True, False)
    changed = station.patch(
        f"{URL}{row['id']}/", {"completed": True, "version": row["version"]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    listed = station.get(URL, {"event": event.pk}).json()["results"]
    assert [(r["member"]["name"], r["completed"]) for r in listed] == [("李春梅", True)]
    assert EventParticipant.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "field"),
    [("sibling-person", "member"), ("twice", "__all__"), ("completed-absent", "completed")],
)
def test_bad_input_is_a_400_in_chinese_and_stores_nothing_more(tree, station, case, field):
    event = training(tree.village_a1)
    person = make_member(tree.village_a1)
    body = {"client_id": str(uuid.uuid4()), "event": event.pk, "member": person.pk}
    if case == "sibling-person":
        body["member"] = make_member(tree.village_a2).pk
    elif case == "twice":
        make_participant(tree.village_a1, event=event, member=person)
    else:
        body |= {"attended": False, "completed": True}
    before = EventParticipant.objects.count()

    answer = station.post(URL, body, format="json")

    assert answer.status_code == 400, answer.content
    text = str(answer.json())
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert EventParticipant.objects.count() == before


def test_a_list_is_never_longer_than_the_events_participants(tree, station):
    event = training(tree.village_a1, participants=1)
    make_participant(tree.village_a1, event=event)

    answer = station.post(
        URL,
        {
            "client_id": str(uuid.uuid4()),
            "event": event.pk,
            "member": make_member(tree.village_a1).pk,
        },
        format="json",
    )

    assert answer.status_code == 400, answer.content
    assert "参与人数" in str(answer.json()) or "participants" in str(answer.json())
    assert EventParticipant.objects.count() == 1
    # Nor can the event's number drop below its list.
    with pytest.raises(ValidationError) as refused:
        services.event_update(by=SYSTEM, event=event, participants=0, people_reached=0)
    assert "participants" in refused.value.message_dict


def test_a_delete_takes_the_person_off_the_list_and_is_for_staff(tree, station, user_in, api_as):
    row = make_participant(tree.village_a1)
    row.refresh_from_db()

    assert station.delete(f"{URL}{row.pk}/?version={row.version}").status_code == 403
    staff = api_as(user_in(tree.street_a, Role.STAFF))
    assert staff.delete(f"{URL}{row.pk}/?version={row.version}").status_code == 204

    row.refresh_from_db()
    assert row.deleted_at is not None


def test_a_list_page_costs_the_same_queries_for_one_row_as_for_ten(
    tree, station, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = training(tree.village_a1, participants=20)
    make_participant(tree.village_a1, event=event)
    station.get(URL)  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        station.get(URL)
    for _ in range(9):
        make_participant(tree.village_a1, event=event)

    with django_assert_num_queries(len(one.captured_queries)):
        answer = station.get(URL)

    assert len(answer.json()["results"]) == 10


# --- Merges ----------------------------------------------------------------------------------


def test_a_merge_folds_two_rows_of_one_event_into_the_survivors(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    survivor = make_member(tree.village_a1, name="何秀珍", birth_date=BORN, id_number="", phone="")
    duplicate = make_member(
        tree.village_a1, name="何秀珍", birth_date=BORN, id_number="", phone="13700003333"
    )
    both = training(tree.village_a1)
    hers = make_participant(tree.village_a1, event=both, member=survivor, attended=False)
    folded = make_participant(tree.village_a1, event=both, member=duplicate, completed=True)
    only = make_participant(tree.village_a1, member=duplicate)

    merging.member_merge(survivor=survivor, duplicate=duplicate, by=staff)

    hers.refresh_from_db()
    folded.refresh_from_db()
    only.refresh_from_db()
    assert (hers.attended, hers.completed, hers.deleted_at) == (True, True, None)
    assert folded.deleted_at is not None  # kept, marked deleted: nothing is lost
    assert folded.history.latest().history_change_reason.endswith(f"folded into #{hers.pk}")
    assert (only.member_id, only.deleted_at) == (survivor.pk, None)
    assert EventParticipant.objects.alive().filter(member=duplicate).count() == 0


# --- The admin -------------------------------------------------------------------------------

CHANGE = "/admin/events/event/{}/change/"


def admin_form(event, *rows, **fields):
    data = {
        "title": event.title,
        "category": event.category_id,
        "campaign": "",
        "starts_at_0": "2024-05-15",
        "starts_at_1": "09:00:00",
        "ends_at_0": "2024-05-15",
        "ends_at_1": "11:00:00",
        "place": "",
        "position": "",
        "partners": "",
        "participants": str(event.participants),
        "people_reached": str(event.people_reached),
        "volunteers": "0",
        "spent": "0",
        "summary": "",
        "version": str(event.version),
        "participant_list-TOTAL_FORMS": str(len(rows)),
        "participant_list-INITIAL_FORMS": "0",
        "participant_list-MIN_NUM_FORMS": "0",
        "participant_list-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for i, row in enumerate(rows):
        data.update({f"participant_list-{i}-{name}": value for name, value in row.items()})
    return data


def test_staff_keep_the_list_on_the_events_page(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))
    event = training(tree.village_a1, participants=2)
    event.refresh_from_db()
    first, second = make_member(tree.village_a1), make_member(tree.village_a1)
    assert client.get(CHANGE.format(event.pk)).status_code == 200

    page = client.post(
        CHANGE.format(event.pk),
        admin_form(
            event,
            {"member": first.pk, "attended": "on", "completed": "on"},
            {"member": second.pk, "attended": "on"},
        ),
    )

    assert page.status_code == 302, page.context["errors"] if page.context else page.content
    assert sorted(EventParticipant.objects.alive().values_list("member_id", "completed")) == sorted(
        [(first.pk, True), (second.pk, False)]
    )


def test_the_admin_refuses_a_list_longer_than_the_participants(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.STAFF))
    event = training(tree.village_a1, participants=1)
    event.refresh_from_db()
    people = [make_member(tree.village_a1) for _ in range(2)]

    page = client.post(
        CHANGE.format(event.pk),
        admin_form(event, *({"member": p.pk, "attended": "on"} for p in people)),
    )

    assert page.status_code == 200
    assert not EventParticipant.objects.exists()
