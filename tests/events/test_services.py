"""The events' services: a batch is checked whole before anything is written."""

import datetime

import pytest

from apps.core.actors import SYSTEM
from apps.events import services
from apps.events.models import Event
from tests.factories.events import at, category, make_campaign

pytestmark = pytest.mark.django_db


def item(organization, **fields):
    day = datetime.date(2024, 5, 1)
    return {
        "organization": organization,
        "title": "流动课堂",
        "category": category("mobile_classroom"),
        "starts_at": at(day, 9),
        "ends_at": at(day, 10),
        **fields,
    }


def test_a_batch_with_one_bad_item_stores_nothing_and_names_each_problem(tree):
    villages_campaign = make_campaign(tree.village_a2)
    items = [
        item(tree.village_a1),
        item(tree.village_a1, participants=5, people_reached=1),
        item(tree.village_a1, campaign=villages_campaign),
    ]

    with pytest.raises(services.InvalidItems) as refused:
        services.events_create(by=SYSTEM, items=items)

    assert set(refused.value.errors) == {"1", "2"}
    assert "people_reached" in refused.value.errors["1"]
    assert "campaign" in refused.value.errors["2"]
    assert not Event.objects.exists()


def test_a_batch_takes_each_events_line_from_its_category_and_keeps_history(tree):
    stored = services.events_create(by=SYSTEM, items=[item(tree.village_a1)] * 3)

    assert [event.line.code for event in stored] == ["ideology"] * 3
    assert Event.history.filter(history_type="+").count() == 3
