from django.db import models
from django.utils.translation import gettext_lazy as _


class StationKind(models.TextChoices):
    """The places where women and children ask for help. Codes are fixed (docs/api.md)."""

    STATION = "station", _("Rights-protection service station")  # 维权服务站
    POST = "post", _("Rights-protection service post")  # 维权服务岗
    LEGAL_CENTER = "legal_center", _("Women and children's legal service center")
    COLLECTION_POINT = "collection_point", _("Information-collection point")  # 信息收集点


# What counts toward coverage: a village or community "has a station" when a station or a post
# of its own is open on the day (docs/rights.md, Coverage).
COVERING_KINDS = (StationKind.STATION, StationKind.POST)


class StaffRole(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")  # 调解员
    LAWYER = "lawyer", _("Lawyer")  # 律师
    CASE_WORKER = "case_worker", _("Case worker")  # 维权专干
    VOLUNTEER = "volunteer", _("Volunteer")  # 志愿者
    OTHER = "other", _("Other")


# --- Cases (docs/rights.md, Cases) -----------------------------------------------------------


class Channel(models.TextChoices):
    """How a case reached the station."""

    VISIT = "visit", _("Visit in person")  # 来访
    PHONE = "phone", _("Phone call")  # 来电
    ONLINE = "online", _("Online")  # 网络
    REFERRAL = "referral", _("Referred by another body")  # 其他部门转来
    PROACTIVE = "proactive", _("Found proactively")  # 主动发现


class Risk(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")
    URGENT = "urgent", _("Urgent")


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 已登记
    ACCEPTED = "accepted", _("Accepted")  # 已受理
    IN_INTERVENTION = "in_intervention", _("In intervention")  # 干预中
    CLOSED = "closed", _("Closed")  # 已结案


class Outcome(models.TextChoices):
    MEDIATED = "mediated", _("Mediated")  # 调解成功
    LEGAL_AID = "legal_aid", _("Legal aid")  # 法律援助
    REFERRED_POLICE = "referred_police", _("Referred to the police")  # 移交公安
    REFERRED_COURT = "referred_court", _("Referred to the court")  # 移交法院
    REFERRED_CIVIL_AFFAIRS = "referred_civil_affairs", _("Referred to civil affairs")  # 移交民政
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 当事人撤回
    OTHER = "other", _("Other")


# An outcome that hands the case to another body: only with the seeker's consent to refer.
REFERRING_OUTCOMES = frozenset(
    {Outcome.REFERRED_POLICE, Outcome.REFERRED_COURT, Outcome.REFERRED_CIVIL_AFFAIRS}
)


class PartyRole(models.TextChoices):
    SEEKER = "seeker", _("Person seeking help")  # 求助人
    OTHER_PARTY = "other_party", _("Other party")  # 对方当事人
    WITNESS = "witness", _("Witness")  # 证人


class FollowUpMethod(models.TextChoices):
    VISIT = "visit", _("Home visit")  # 上门
    PHONE = "phone", _("Phone call")
    OTHER = "other", _("Other")


def case_moves():
    """The case's table of moves (apps.core.transitions): registered → accepted → in
    intervention → closed (with an outcome); a closed case reopens into intervention."""
    from apps.core.transitions import Move

    s = CaseStatus
    return {
        s.ACCEPTED: Move(sources=frozenset({s.REGISTERED})),
        s.IN_INTERVENTION: Move(sources=frozenset({s.ACCEPTED, s.CLOSED})),
        s.CLOSED: Move(
            sources=frozenset({s.REGISTERED, s.ACCEPTED, s.IN_INTERVENTION}), needs=("outcome",)
        ),
    }


CASE_MOVES = case_moves()
