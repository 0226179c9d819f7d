"""The councils' fixed lists and the topic's table of moves (docs/councils.md). Codes are
fixed: API clients and the demo use them (docs/api.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    CONVENER = "convener", _("Convener")  # 召集人
    MEMBER = "member", _("Council member")  # 议事会成员
    INVITED = "invited", _("Invited representative")  # 特邀代表


class MeetingMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")  # 线下
    ONLINE = "online", _("Online council hall")  # 云上议事厅


class RaisedVia(models.TextChoices):
    MEETING = "meeting", _("At a meeting")
    ONLINE_HALL = "online_hall", _("Through the online council hall")


class TopicStatus(models.TextChoices):
    RAISED = "raised", _("Raised")  # 已提出
    ACCEPTED = "accepted", _("Accepted")  # 已采纳
    NOT_ADOPTED = "not_adopted", _("Not adopted")  # 不予采纳
    ASSIGNED = "assigned", _("Assigned")  # 已交办
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    RESOLVED = "resolved", _("Resolved")  # 已解决
    TURNED_INTO_RESULT = "result", _("Turned into a result")  # 成果转化


class ResultKind(models.TextChoices):
    """What a topic turned into (成果转化)."""

    PROJECT = "project", _("A project")  # 项目
    RULE = "rule", _("A rule")  # 制度、村规民约
    SERVICE = "service", _("A service")  # 服务


# A topic somebody must answer for: assigned and not yet closed. Past its due date it is overdue.
OPEN_ASSIGNED = (TopicStatus.ASSIGNED, TopicStatus.IN_PROGRESS)
# A topic that left "raised" for the work: accepted, whatever came after.
ADOPTED = (
    TopicStatus.ACCEPTED,
    TopicStatus.ASSIGNED,
    TopicStatus.IN_PROGRESS,
    TopicStatus.RESOLVED,
    TopicStatus.TURNED_INTO_RESULT,
)
# Closed with an outcome for the raiser.
CLOSED = (TopicStatus.RESOLVED, TopicStatus.TURNED_INTO_RESULT)
# Statuses at which a topic has a responsible body and a due date.
HAS_ASSIGNEE = (*OPEN_ASSIGNED, *CLOSED)


def topic_moves():
    """raised → accepted | not adopted (a reason) → assigned (a body and a due date) → in
    progress → resolved | turned into a result (its kind); evidence and feedback on closing."""
    from apps.core.transitions import Move

    s = TopicStatus
    closing = ("evidence", "feedback")
    return {
        s.ACCEPTED: Move(sources=frozenset({s.RAISED})),
        s.NOT_ADOPTED: Move(
            sources=frozenset({s.RAISED}), needs=("not_adopted_reason",), may=("feedback",)
        ),
        s.ASSIGNED: Move(
            sources=frozenset({s.ACCEPTED}),
            needs=("due_on",),
            may=("responsible_organization", "responsible_body"),
        ),
        s.IN_PROGRESS: Move(sources=frozenset({s.ASSIGNED})),
        s.RESOLVED: Move(sources=frozenset({s.IN_PROGRESS}), may=closing),
        s.TURNED_INTO_RESULT: Move(
            sources=frozenset({s.IN_PROGRESS}), needs=("result_kind",), may=closing
        ),
    }


TOPIC_MOVES = topic_moves()
