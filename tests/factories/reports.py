"""A small district whose 2024 figures are counted by hand in the report tests (docs/reports.md)."""

import datetime
from decimal import Decimal

from apps.core.actors import SYSTEM
from apps.events import services as event_services
from apps.rights.models import Case
from tests.factories.events import at, make_event, make_fund
from tests.registry import make_branch_meeting, make_case

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def received(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def close(case: Case, day: datetime.date, outcome: str = "mediated") -> None:
    """Close a case on a given day. The transitions service stamps the real time; a report
    test needs the day placed, so it writes the columns the closing writes."""
    Case.objects.filter(pk=case.pk).update(
        status="closed", outcome=outcome, closed_at=received(day, 16)
    )


def cases(organization, days_and_closings):
    made = []
    for day, closed_on in days_and_closings:
        case = make_case(organization, received_at=received(day))
        if closed_on is not None:
            close(case, closed_on)
        made.append(case)
    return made


def counted_2024(tree):
    """2024's records, and a few outside 2024 or deleted, that must not count:

    events  village_a1: lecture (family education) 5-15, themed publicity 6-01 (400 reached),
                        skills training 7-01 (25 trainees), one deleted;
            village_a2: lecture at 23:00 on 12-31 (Beijing: 2024), one at 00:30 on 2025-01-01;
            street_a:   party lecture 3-01;  village_b1: lecture in 2023.
    funds   village_a1: 20,000.00 from higher levels for the training; street_b: a donation of
            5,000.50; village_b1: 1,000.00 from higher levels in 2023.
    cases   village_a1: 3 received in 2024 (one closed after 10 days, one after 30);
            village_a2: 1 received; village_b1: 6 received (4 closed after 20 days each);
            village_b1: 2 received in 2023.
    三会一课 village_a1: 1 in 2024.
    """
    a1, a2 = tree.village_a1, tree.village_a2
    make_event(a1, day=datetime.date(2024, 5, 15))
    make_event(
        a1,
        day=datetime.date(2024, 6, 1),
        category_code="themed_publicity",
        participants=50,
        people_reached=400,
        spent=Decimal("1200.00"),
    )
    training = make_event(
        a1,
        day=datetime.date(2024, 7, 1),
        category_code="skills_training",
        participants=25,
        people_reached=25,
        spent=Decimal("3000.00"),
    )
    gone = make_event(a1, day=datetime.date(2024, 8, 1))
    event_services.event_delete(by=SYSTEM, event=gone)
    make_event(
        a2,
        starts_at=at(datetime.date(2024, 12, 31), 23),
        ends_at=at(datetime.date(2024, 12, 31), 23),
    )
    make_event(
        a2,
        starts_at=datetime.datetime(2025, 1, 1, 0, 30, tzinfo=BEIJING),
        ends_at=datetime.datetime(2025, 1, 1, 2, tzinfo=BEIJING),
    )
    make_event(
        tree.street_a,
        day=datetime.date(2024, 3, 1),
        category_code="party_lecture",
        participants=40,
        people_reached=40,
        spent=Decimal("0.00"),
    )
    make_event(tree.village_b1, day=datetime.date(2023, 9, 1))
    make_fund(
        a1, amount=Decimal("20000.00"), received_on=datetime.date(2024, 6, 20), event=training
    )
    make_fund(
        tree.street_b,
        source="donation",
        amount=Decimal("5000.50"),
        received_on=datetime.date(2024, 9, 9),
    )
    make_fund(tree.village_b1, amount=Decimal("1000.00"), received_on=datetime.date(2023, 5, 5))
    d = datetime.date
    cases(
        a1,
        [(d(2024, 2, 1), d(2024, 2, 11)), (d(2024, 3, 1), d(2024, 3, 31)), (d(2024, 4, 1), None)],
    )
    cases(a2, [(d(2024, 5, 1), None)])
    cases(tree.village_b1, [(d(2024, m, 1), d(2024, m, 21)) for m in (1, 2, 3, 4)])
    cases(tree.village_b1, [(d(2024, 6, 1), None), (d(2024, 7, 1), None)])
    cases(tree.village_b1, [(d(2023, 6, 1), None), (d(2023, 7, 1), None)])
    make_branch_meeting(a1, held_on=datetime.date(2024, 3, 1))
    return tree
