"""Events, campaigns, funds and published lists, made through the events app's services."""

import datetime
import itertools
from decimal import Decimal

from apps.core.actors import SYSTEM
from apps.events import services
from apps.events.models import Campaign, Event, EventCategory, Fund, LineOfWork
from tests.factories.members import make_member

_codes = itertools.count(1)
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def category(code: str = "lecture") -> EventCategory:
    return EventCategory.objects.select_related("line").get(code=code)


def make_event(organization, **fields) -> Event:
    day = fields.pop("day", datetime.date(2024, 5, 15))
    fields = {
        "title": "家庭教育讲座",
        "category": category(fields.pop("category_code", "lecture")),
        "starts_at": at(day, 9),
        "ends_at": at(day, 11),
        "participants": 30,
        "people_reached": 120,
        "volunteers": 3,
        "spent": Decimal("450.50"),
        **fields,
    }
    return services.event_create(by=SYSTEM, organization=organization, **fields)


def make_campaign(organization, **fields) -> Campaign:
    fields = {
        "title": "送法进万家 家教伴成长宣传月",
        "starts_on": datetime.date(2024, 5, 1),
        "ends_on": datetime.date(2024, 5, 31),
        **fields,
    }
    return services.campaign_create(by=SYSTEM, organization=organization, **fields)


def make_fund(organization, **fields) -> Fund:
    fields = {
        "source": "higher_level",
        "amount": Decimal("20000.00"),
        "received_on": datetime.date(2024, 4, 1),
        "purpose": "家庭教育指导服务",
        **fields,
    }
    return services.fund_create(by=SYSTEM, organization=organization, **fields)


def make_line(organization, **fields) -> LineOfWork:
    n = next(_codes)
    fields = {"code": f"line_{n}", "name": f"工作条线{n}", **fields}
    return LineOfWork.objects.create(organization=organization, **fields)


def make_category(organization, **fields) -> EventCategory:
    n = next(_codes)
    line = fields.pop("line", None) or LineOfWork.objects.get(code="family_education")
    fields = {"code": f"category_{n}", "name": f"活动类别{n}", **fields}
    return EventCategory.objects.create(organization=organization, line=line, **fields)


def make_participant(organization, **fields):
    """A person of ``organization`` on the list of one of its events (a training)."""
    event = fields.pop("event", None) or make_event(
        organization, title="家政培训班", category_code="skills_training"
    )
    member = fields.pop("member", None) or make_member(organization)
    return services.participant_add(by=SYSTEM, event=event, member=member, **fields)
