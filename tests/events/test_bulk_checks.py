"""events/bulk/ checks its items column by column (apps/core/api/batch.py) and the model's rules
once an item (services.events_check): it refuses exactly what a single POST events/ refuses,
in the same words, and takes what it takes as the same values (the same body hash: a single
create replayed through the batch is a replay)."""

import json
import uuid

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.core.api.batch import FieldPlan
from apps.events.api.views import EventViewSet
from apps.organizations.roles import Role
from tests.factories.events import make_campaign
from tests.factories.organizations import PositionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"
BULK = "/api/v1/events/bulk/"


def event(**fields) -> dict:
    body = {
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
    return {name: value for name, value in body.items() if value is not LEFT_OUT}


LEFT_OUT = object()


@pytest.fixture
def station(tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


def post(client, url, body):
    # ensure_ascii: a lone surrogate reaches the server as JSON escapes it
    return client.post(url, json.dumps(body), content_type="application/json")


# Items a single create refuses (by a field's check or by the model's rules), each with the
# same fields as the plain item but one. Callables take the tree.
REFUSED = {
    "title-missing": {"title": LEFT_OUT},
    "title-empty": {"title": ""},
    "title-blank": {"title": "   "},
    "title-null": {"title": None},
    "title-bool": {"title": True},
    "title-list": {"title": ["讲座"]},
    "title-long": {"title": "讲" * 201},
    "title-nul": {"title": "讲\x00座"},
    "title-surrogate": {"title": "讲\ud800座"},
    "summary-long": {"summary": "x" * 5001},
    "category-missing": {"category": LEFT_OUT},
    "category-unknown": {"category": "no_such_code"},
    "category-number": {"category": 5},
    "category-null": {"category": None},
    "category-nul": {"category": "lec\x00ture"},
    "category-fraction": {"category": 5.5},
    "category-bool": {"category": True},
    "campaign-fraction": {"campaign": 1.5},
    "organization-null": {"organization": None},
    "organization-text": {"organization": "abc"},
    "organization-unknown": {"organization": 987654321},
    "organization-outside": {"organization": lambda tree: tree.village_a2.pk},
    "organization-list": {"organization": [1]},
    "organization-bool": {"organization": True},
    "campaign-outside": {"campaign": lambda tree: make_campaign(tree.village_a2).pk},
    "campaign-not-covering": {"campaign": lambda tree: make_campaign(tree.street_b).pk},
    "campaign-text": {"campaign": "x"},
    "campaign-list": {"campaign": [1]},
    "position-other": {
        "position": lambda tree: PositionFactory(organization=tree.street_a).pk,
    },
    "position-text": {"position": "x"},
    "starts-missing": {"starts_at": LEFT_OUT},
    "starts-text": {"starts_at": "not a date"},
    "starts-number": {"starts_at": 5},
    "starts-null": {"starts_at": None},
    "starts-month-13": {"starts_at": "2024-13-10T09:00:00+08:00"},
    "ends-before-starts": {"ends_at": "2024-05-10T08:00:00+08:00"},
    "participants-negative": {"participants": -1},
    "participants-fraction": {"participants": 40.5},
    "participants-bool": {"participants": True},
    "participants-null": {"participants": None},
    "participants-huge": {"participants": 2**31},
    "participants-text": {"participants": "abc"},
    "reached-below-participants": {"participants": 300, "people_reached": 200},
    "spent-negative": {"spent": "-1.00"},
    "spent-three-places": {"spent": "1.234"},
    "spent-text": {"spent": "abc"},
    "spent-nan": {"spent": "NaN"},
    "spent-too-many-digits": {"spent": "99999999999.99"},
    "spent-bool": {"spent": True},
    "key-missing": {"client_id": LEFT_OUT},
    "key-text": {"client_id": "not-a-uuid"},
    "key-null": {"client_id": None},
    "version-zero": {"version": 0},
}

# Items it takes, some in a form other than the plain one: each must be stored as the same
# values (the batch sees a single create's item as its replay).
TAKEN = {
    "plain": {},
    "title-padded": {"title": "  讲座  "},
    "title-number": {"title": 5},
    "campaign-null": {"campaign": None},
    "campaign-empty": {"campaign": ""},
    "campaign-district": {"campaign": lambda tree: make_campaign(tree.district).pk},
    "campaign-as-text": {"campaign": lambda tree: str(make_campaign(tree.district).pk)},
    "position-own": {
        "position": lambda tree: PositionFactory(organization=tree.village_a1).pk,
    },
    "organization-own-as-text": {"organization": lambda tree: str(tree.village_a1.pk)},
    "place-blank": {"place": "   "},
    "starts-utc": {"starts_at": "2024-05-10T01:00:00Z", "ends_at": "2024-05-10T03:00:00Z"},
    "starts-naive": {"starts_at": "2024-05-10T09:00:00", "ends_at": "2024-05-10T11:00:00"},
    "starts-date-only": {"starts_at": "2024-05-10", "ends_at": "2024-05-11"},
    "participants-text": {"participants": "40"},
    "participants-float": {"participants": 40.0},
    "spent-number": {"spent": 12},
    "spent-float": {"spent": 12.5},
    "spent-one-place": {"spent": "12.5"},
    "spent-left-out": {"spent": LEFT_OUT},
    "key-upper": {"client_id": str(uuid.uuid4()).upper()},
    "key-number": {"client_id": 5},
    "version": {"version": 3},
    "unknown-and-read-only-fields": {"foo": 1, "id": 5, "line": "x", "updated_at": "x"},
}


def made(tree, fields: dict) -> dict:
    return event(**{k: v(tree) if callable(v) else v for k, v in fields.items()})


@pytest.mark.parametrize("fields", REFUSED.values(), ids=REFUSED.keys())
def test_the_batch_refuses_what_a_single_create_refuses_in_its_words(tree, station, fields):
    item = made(tree, fields)

    single = post(station, URL, item)
    batch = post(station, BULK, [event(), item])

    assert single.status_code == 400, single.content
    assert batch.status_code == 400, batch.content
    assert batch.json()["errors"] == {"1": single.json()}


@pytest.mark.parametrize("fields", TAKEN.values(), ids=TAKEN.keys())
def test_the_batch_takes_what_a_single_create_takes_as_the_same_values(tree, station, fields):
    item = made(tree, fields)

    single = post(station, URL, item)
    batch = post(station, BULK, [item])

    assert single.status_code == 201, single.content
    assert batch.status_code == 200, batch.content  # the same body hash: a replay
    assert batch.json() == [single.json()]


def test_the_plan_gives_the_serializers_values_for_plain_items(tree, user_in):
    """What the plan takes straight (no serializer) is what the serializer gives."""
    user = user_in(tree.village_a1, Role.STATION_OPERATOR)
    campaign = make_campaign(tree.district)
    position = PositionFactory(organization=tree.village_a1)
    items = [
        event(),
        event(campaign=campaign.pk, position=position.pk, place=" 妇女之家 ", summary=""),
        event(organization=tree.village_a1.pk, spent="0", starts_at="2024-05-10T01:00:00Z"),
    ]
    view = EventViewSet(format_kwarg=None, action="bulk", kwargs={})
    view.request = Request(APIRequestFactory().post(BULK))
    view.request.user = user
    view._preloaded = view.preload(items)
    serializer = view.get_serializer()
    plan = FieldPlan(serializer, preloaded=view._preloaded)

    for item in items:
        taken = plan.check(item)
        assert taken is not None  # taken straight, not through the serializer
        assert taken == dict(serializer.run_validation(item))
