"""Councils, their members, meetings and topics, made through the councils app's services."""

import datetime

from apps.core.actors import SYSTEM
from apps.councils import services
from apps.councils.models import Council, CouncilMember, Meeting, Topic, TopicCategory
from tests.factories.members import make_member


def topic_category(code: str = "village_affairs") -> TopicCategory:
    """A seeded category (the migration seeds them; a transactional test's flush empties it)."""
    names = {"village_affairs": "村务", "family": "家庭", "neighbourhood": "邻里"}
    return TopicCategory.objects.get_or_create(code=code, defaults={"name": names.get(code, code)})[
        0
    ]


def make_council(organization, **fields) -> Council:
    fields = {
        "name": f"{organization.name}妇女议事会",
        "established_on": datetime.date(2024, 1, 1),
        "themes": "村务、邻里、家庭",
        **fields,
    }
    return services.council_create(by=SYSTEM, organization=organization, **fields)


def make_council_member(organization, **fields) -> CouncilMember:
    council = fields.pop("council", None) or make_council(organization)
    fields = {
        "person": fields.pop("person", None) or make_member(council.organization),
        "role": "member",
        "term_start": council.established_on,
        **fields,
    }
    return services.council_member_add(by=SYSTEM, council=council, **fields)


def make_meeting(organization, **fields) -> Meeting:
    council = fields.pop("council", None) or make_council(organization)
    fields = {"held_on": datetime.date(2024, 3, 8), "place": "村文化礼堂", **fields}
    return services.meeting_create(by=SYSTEM, council=council, **fields)


def make_topic(organization, **fields) -> Topic:
    council = fields.pop("council", None) or make_council(organization)
    if "meeting" not in fields and fields.get("raised_via", "meeting") == "meeting":
        fields["meeting"] = make_meeting(organization, council=council)
    fields = {
        "raised_on": fields["meeting"].held_on
        if fields.get("meeting")
        else datetime.date(2024, 3, 8),
        "title": "村道路灯不亮",
        "description": "村东头的路灯坏了三个月，晚上出行不便。",
        "category": topic_category(fields.pop("category_code", "village_affairs")),
        **fields,
    }
    return services.topic_create(by=SYSTEM, council=council, **fields)
