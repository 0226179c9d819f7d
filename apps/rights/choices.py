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
