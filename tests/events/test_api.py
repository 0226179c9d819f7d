"""/api/v1/events/ and its neighbours: events (one and in batches), campaigns, funds, lists."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.events.models import Campaign, Event, Fund
from apps.organizations.roles import Role
from tests.factories.events import make_campaign, make_category, make_event, make_fund
from tests.factories.organizations import PositionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"
BULK = "/api/v1/events/bulk/"


def event(**fields) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "title": "家庭教育讲座",
        "category": "lecture",
        "starts_at": "2024-05-10T09:00:00+08:00",
        "ends_at": "2024-05-10T11:00:00+08:00",
        "participants": 40,
        "people_reached": 200,
        "volunteers": 5,
        "spent": "1234.56",
        **fields,
    }


@pytest.fixture
def station(tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


@pytest.fixture
def street_staff(tree, user_in, api_as):
    return api_as(user_in(tree.street_a, Role.STAFF))


# --- One event -------------------------------------------------------------------------------


def test_a_station_records_its_event_in_the_districts_campaign(tree, station):
    campaign = make_campaign(tree.district)
    position = PositionFactory(organization=tree.village_a1)

    answer = station.post(
        URL, event(campaign=campaign.pk, position=position.pk, partners="实验小学"), format="json"
    )

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["organization"] == {"id": tree.village_a1.pk, "name": "甲一社区妇联"}
    assert (body["line"], body["category"]) == ("family_education", "lecture")
    assert body["campaign"] == {"id": campaign.pk, "name": campaign.title}
    assert body["spent"] == "1234.56"
    stored = Event.objects.get()
    assert stored.spent == Decimal("1234.56")
    assert stored.history.get().history_type == "+"


def test_a_replay_is_200_and_the_same_key_with_another_body_is_409(station):
    body = event()

    first = station.post(URL, body, format="json")
    again = station.post(URL, body, format="json")
    changed = station.post(URL, {**body, "title": "另一场"}, format="json")

    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 409)
    assert changed.json()["code"] == "client_id_reused"
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": "2024-05-10T08:00:00+08:00"}, "ends_at"),
        ({"participants": -1}, "participants"),
        ({"participants": 300, "people_reached": 200}, "people_reached"),
        ({"category": "no_such_code"}, "category"),
        ({"spent": "-1.00"}, "spent"),
        ({"client_id": "not-a-uuid"}, "client_id"),
    ],
    ids=["ends-before-starts", "negative", "reached<participants", "unknown-code", "money", "key"],
)
def test_bad_input_is_a_400_in_chinese_and_stores_nothing(station, fields, field):
    answer = station.post(URL, event(**fields), format="json")

    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(answer.json()[field]))
    assert not Event.objects.exists()


def test_a_campaign_or_organization_outside_the_subtree_does_not_exist(tree, station):
    siblings = make_campaign(tree.village_a2)
    other_street = make_campaign(tree.street_b)

    answers = [
        station.post(URL, event(campaign=siblings.pk), format="json"),
        station.post(URL, event(campaign=other_street.pk), format="json"),
        station.post(URL, event(organization=tree.village_a2.pk), format="json"),
    ]

    assert [a.status_code for a in answers] == [400, 400, 400]
    assert answers[0].json()["campaign"] == answers[1].json()["campaign"]
    assert not Event.objects.exists()


def test_a_campaign_that_does_not_cover_the_organization_is_refused(tree, street_staff):
    """A street's staff may name its village's campaign, but not for the street's own event."""
    villages = make_campaign(tree.village_a1)

    answer = street_staff.post(URL, event(campaign=villages.pk), format="json")

    assert answer.status_code == 400
    assert "campaign" in answer.json()


def test_a_category_published_by_a_sibling_is_unknown(tree, station):
    theirs = make_category(tree.village_a2, code="their_own")

    answer = station.post(URL, event(category=theirs.code), format="json")

    assert answer.status_code == 400
    assert "category" in answer.json()


def test_a_patch_to_a_category_published_by_a_sibling_is_unknown(tree, station):
    theirs = make_category(tree.village_a2, code="their_own")
    made = make_event(tree.village_a1)

    answer = station.patch(
        f"{URL}{made.pk}/", {"category": theirs.code, "version": 1}, format="json"
    )

    assert answer.status_code == 400
    assert "category" in answer.json()


def test_a_patch_changes_the_category_and_its_line(tree, station):
    made = make_event(tree.village_a1)

    answer = station.patch(
        f"{URL}{made.pk}/", {"category": "mobile_classroom", "version": 1}, format="json"
    )

    assert answer.status_code == 200, answer.content
    assert (answer.json()["line"], answer.json()["category"]) == ("ideology", "mobile_classroom")


def test_a_patch_that_breaks_a_rule_is_a_400(tree, station):
    made = make_event(tree.village_a1)  # 30 participants

    answer = station.patch(f"{URL}{made.pk}/", {"people_reached": 10, "version": 1}, format="json")

    assert answer.status_code == 400
    made.refresh_from_db()
    assert made.people_reached == 120


def test_delete_is_soft_and_for_staff_only(tree, station, street_staff):
    made = make_event(tree.village_a1)

    refused = station.delete(f"{URL}{made.pk}/")
    deleted = street_staff.delete(f"{URL}{made.pk}/")

    assert (refused.status_code, deleted.status_code) == (403, 204)
    made.refresh_from_db()
    assert made.is_deleted


# --- The list --------------------------------------------------------------------------------


def test_the_list_is_newest_first_and_filters(tree, station):
    campaign = make_campaign(tree.district)
    older = make_event(tree.village_a1, day=datetime.date(2024, 3, 1))
    newer = make_event(
        tree.village_a1,
        day=datetime.date(2024, 5, 20),
        campaign=campaign,
        category_code="mobile_classroom",
    )
    make_event(tree.village_a2)

    every = station.get(URL).json()["results"]
    by_line = station.get(URL, {"line": "ideology"}).json()["results"]
    by_category = station.get(URL, {"category": "lecture"}).json()["results"]
    by_campaign = station.get(URL, {"campaign": campaign.pk}).json()["results"]
    by_dates = station.get(URL, {"date_after": "2024-05-01"}).json()["results"]

    assert [row["id"] for row in every] == [newer.pk, older.pk]
    assert [row["id"] for row in by_line] == [newer.pk]
    assert [row["id"] for row in by_category] == [older.pk]
    assert [row["id"] for row in by_campaign] == [newer.pk]
    assert [row["id"] for row in by_dates] == [newer.pk]


def test_a_list_page_costs_the_same_queries_for_one_event_as_for_twenty(
    tree, station, django_assert_num_queries
):
    campaign = make_campaign(tree.district)
    position = PositionFactory(organization=tree.village_a1)
    make_event(tree.village_a1, campaign=campaign, position=position)
    station.get(URL)  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        station.get(URL)
    for _ in range(19):
        make_event(tree.village_a1, campaign=campaign, position=position)

    with django_assert_num_queries(len(one.captured_queries)):
        answer = station.get(URL)

    assert len(answer.json()["results"]) == 20


# --- Batches ---------------------------------------------------------------------------------


def test_a_batch_is_stored_in_the_same_queries_whatever_its_size(
    tree, station, django_assert_num_queries
):
    campaign = make_campaign(tree.district)
    position = PositionFactory(organization=tree.village_a1)

    def batch(n):
        return [event(campaign=campaign.pk, position=position.pk) for _ in range(n)]

    station.post(BULK, batch(1), format="json")  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        assert station.post(BULK, batch(1), format="json").status_code == 201
    # The token, the throttle; the campaign, the position and the category loaded; two
    # savepoints, the ids, the COPY (not a query here), the history, the scope of the written
    # organizations, two releases. No client_id is looked up first (a new batch).
    assert len(one.captured_queries) == 12
    with django_assert_num_queries(len(one.captured_queries)):
        answer = station.post(BULK, batch(500), format="json")

    assert answer.status_code == 201, answer.content[:300]
    assert Event.objects.count() == 502
    assert Event.history.count() == 502  # the batch's history too, in one INSERT


def test_a_resubmitted_batch_stores_nothing_twice(station):
    items = [event(), event()]

    first = station.post(BULK, items, format="json")
    again = station.post(BULK, items, format="json")
    grown = station.post(BULK, [*items, event()], format="json")

    assert (first.status_code, again.status_code, grown.status_code) == (201, 200, 201)
    assert Event.objects.count() == 3
    assert [row["id"] for row in again.json()] == [row["id"] for row in first.json()]


def test_a_batch_is_all_or_nothing_with_errors_by_index(tree, station):
    items = [
        event(),
        event(participants=-1),
        event(campaign=make_campaign(tree.village_a2).pk),
        event(category="unknown"),
        event(ends_at="2024-05-09T08:00:00+08:00"),
    ]
    items.append({**items[0], "title": "重复"})

    answer = station.post(BULK, items, format="json")

    assert answer.status_code == 400, answer.content
    errors = answer.json()["errors"]
    assert set(errors) == {"1", "2", "3", "4", "5"}
    assert "participants" in errors["1"] and "campaign" in errors["2"]
    assert "category" in errors["3"] and "ends_at" in errors["4"]
    assert "client_id" in errors["5"]
    assert not Event.objects.exists()


def test_a_batch_of_501_or_a_reused_key_is_refused(station):
    stored = event()
    station.post(URL, stored, format="json")

    too_many = station.post(BULK, [event() for _ in range(501)], format="json")
    reused = station.post(BULK, [event(), {**stored, "title": "改过"}], format="json")

    assert too_many.status_code == 400
    assert reused.status_code == 409
    assert set(reused.json()["errors"]) == {"1"}
    assert Event.objects.count() == 1


def test_a_batch_with_malformed_references_is_a_400_not_a_500(station):
    items = [event(campaign=[1]), event(position="x"), event(category=5), "not an object"]

    answer = station.post(BULK, items, format="json")

    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"0", "1", "2", "3"}


# --- Campaigns -------------------------------------------------------------------------------


def test_a_village_reads_the_districts_campaign_but_cannot_change_it(tree, user_in, api_as):
    campaign = make_campaign(tree.district)
    staff = api_as(user_in(tree.village_a1, Role.STAFF))

    listed = staff.get("/api/v1/events/campaigns/").json()["results"]
    changed = staff.patch(
        f"/api/v1/events/campaigns/{campaign.pk}/", {"title": "改", "version": 1}, format="json"
    )

    assert [row["id"] for row in listed] == [campaign.pk]
    assert changed.status_code == 403


def test_staff_launch_a_campaign_for_their_own_subtree(tree, street_staff):
    answer = street_staff.post(
        "/api/v1/events/campaigns/",
        {
            "client_id": str(uuid.uuid4()),
            "title": "巾帼建功行动",
            "starts_on": "2024-06-01",
            "ends_on": "2024-05-01",
        },
        format="json",
    )
    fixed = street_staff.post(
        "/api/v1/events/campaigns/",
        {
            "client_id": str(uuid.uuid4()),
            "title": "巾帼建功行动",
            "starts_on": "2024-05-01",
            "ends_on": "2024-06-01",
        },
        format="json",
    )

    assert answer.status_code == 400
    assert fixed.status_code == 201
    assert Campaign.objects.get().organization == tree.street_a


def test_the_campaign_report_is_computed_within_the_readers_subtree(tree, user_in, api_as):
    campaign = make_campaign(tree.district)
    make_event(tree.village_a1, campaign=campaign, participants=10, people_reached=40)
    make_event(tree.village_b1, campaign=campaign, participants=99, people_reached=99)
    make_event(tree.village_a1)  # not in the campaign
    url = f"/api/v1/events/campaigns/{campaign.pk}/report/"

    village = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR)).get(url).json()
    street = api_as(user_in(tree.street_a, Role.STAFF)).get(url).json()
    district = api_as(user_in(tree.district, Role.STAFF)).get(url).json()

    assert [(r["organization"]["id"], r["reported"]) for r in village["organizations"]] == [
        (tree.village_a1.pk, True)
    ]
    assert village["totals"]["participants"] == 10
    assert {r["organization"]["id"]: r["reported"] for r in street["organizations"]} == {
        tree.village_a1.pk: True,
        tree.village_a2.pk: False,
    }
    assert street["totals"]["events"] == 1
    assert district["totals"] == {
        "events": 2,
        "participants": 109,
        "people_reached": 139,
        "volunteers": 6,
        "spent": "901.00",
    }


# --- Funds and lists -------------------------------------------------------------------------


def test_a_fund_names_the_districts_campaign_and_an_event_of_the_subtree(tree, street_staff):
    campaign = make_campaign(tree.district)
    held = make_event(tree.village_a1)

    answer = street_staff.post(
        "/api/v1/events/funds/",
        {
            "client_id": str(uuid.uuid4()),
            "source": "donation",
            "amount": "9999.99",
            "received_on": "2024-05-03",
            "purpose": "99公益日",
            "campaign": campaign.pk,
            "event": held.pk,
        },
        format="json",
    )

    assert answer.status_code == 201, answer.content
    assert Fund.objects.get().amount == Decimal("9999.99")


def test_a_negative_fund_is_refused(tree, street_staff):
    make_fund(tree.street_a)

    answer = street_staff.post(
        "/api/v1/events/funds/",
        {
            "client_id": str(uuid.uuid4()),
            "source": "donation",
            "amount": "-5",
            "received_on": "2024-05-03",
        },
        format="json",
    )

    assert answer.status_code == 400
    assert Fund.objects.count() == 1


def test_the_lists_show_the_seeded_rows_and_the_ancestors_not_the_siblings(tree, station):
    mine = make_category(tree.district, code="district_extra")
    make_category(tree.village_a2, code="sibling_extra")

    codes = [
        row["code"]
        for row in station.get("/api/v1/events/categories/", {"page_size": 200}).json()["results"]
    ]
    lines = [row["code"] for row in station.get("/api/v1/events/lines/").json()["results"]]

    assert {"lecture", "parent_child", "mobile_classroom", mine.code} <= set(codes)
    assert "sibling_extra" not in codes
    assert lines[:2] == ["ideology", "party_building"]


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/events/campaigns/", lambda tree: make_campaign(tree.village_a1)),
        (
            "/api/v1/events/funds/",
            lambda tree: make_fund(
                tree.village_a1,
                campaign=Campaign.objects.first() or make_campaign(tree.district),
                event=Event.objects.first() or make_event(tree.village_a1),
            ),
        ),
        ("/api/v1/events/categories/", lambda tree: make_category(tree.village_a1)),
    ],
    ids=["campaigns", "funds", "categories"],
)
def test_the_other_lists_cost_the_same_queries_for_one_row_as_for_ten(
    tree, station, django_assert_num_queries, url, make
):
    make(tree)
    station.get(url)  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        station.get(url)
    for _ in range(9):
        make(tree)

    with django_assert_num_queries(len(one.captured_queries)):
        answer = station.get(url, {"page_size": 200})

    assert answer.status_code == 200


def test_the_models_checks_name_the_index_the_client_sent(tree, station, monkeypatch):
    """The model's checks run over the items whose fields are good (services.events_check):
    an error they find is reported at the item's place in the batch as sent, beside the field
    errors of the others."""
    from apps.events import services

    def refuse(*, items, **_options):
        assert len(items) == 1  # the item with a bad field is not among them
        raise services.InvalidItems({"0": {"title": ["不行。"]}})

    monkeypatch.setattr(services, "events_check", refuse)
    answer = station.post(BULK, [event(participants=-1), event()], format="json")

    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert list(errors) == ["0", "1"]
    assert "participants" in errors["0"]
    assert errors["1"] == {"title": ["不行。"]}


def test_a_code_with_a_nul_character_is_unknown_not_a_500(tree, station):
    made = make_event(tree.village_a1)
    made.refresh_from_db()

    answer = station.patch(
        f"{URL}{made.pk}/", {"category": "lec\u0000ture", "version": made.version}, format="json"
    )

    assert answer.status_code == 400, answer.content
    assert "category" in answer.json()
