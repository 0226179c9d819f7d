"""Fixed codes for people: English codes, Chinese names (GB/T 2261.1, GB 3304, GB/T 4762)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")


class PoliticalStatus(models.TextChoices):
    """政治面貌 (GB/T 4762), with the eight democratic parties as one choice."""

    PARTY_MEMBER = "party_member", _("Communist Party member")
    PROBATIONARY_MEMBER = "probationary_member", _("probationary Party member")
    LEAGUE_MEMBER = "league_member", _("Communist Youth League member")
    DEMOCRATIC_PARTY = "democratic_party", _("member of a democratic party")
    NON_PARTY = "non_party", _("non-party personage")
    MASSES = "masses", _("ordinary citizen")


class Education(models.TextChoices):
    PRIMARY = "primary", _("primary school or less")
    JUNIOR_HIGH = "junior_high", _("junior high school")
    SENIOR_HIGH = "senior_high", _("senior high or vocational school")
    JUNIOR_COLLEGE = "junior_college", _("junior college")
    BACHELOR = "bachelor", _("bachelor's degree")
    MASTER = "master", _("master's degree")
    DOCTORATE = "doctorate", _("doctorate")


class Ethnicity(models.TextChoices):
    """The 56 ethnic groups in the order of GB 3304, with their romanized names as codes."""

    HAN = "han", pgettext_lazy("ethnicity", "Han")
    MONGOL = "mongol", pgettext_lazy("ethnicity", "Mongol")
    HUI = "hui", pgettext_lazy("ethnicity", "Hui")
    TIBETAN = "tibetan", pgettext_lazy("ethnicity", "Tibetan")
    UYGHUR = "uyghur", pgettext_lazy("ethnicity", "Uyghur")
    MIAO = "miao", pgettext_lazy("ethnicity", "Miao")
    YI = "yi", pgettext_lazy("ethnicity", "Yi")
    ZHUANG = "zhuang", pgettext_lazy("ethnicity", "Zhuang")
    BUYEI = "buyei", pgettext_lazy("ethnicity", "Buyei")
    KOREAN = "korean", pgettext_lazy("ethnicity", "Korean")
    MANCHU = "manchu", pgettext_lazy("ethnicity", "Manchu")
    DONG = "dong", pgettext_lazy("ethnicity", "Dong")
    YAO = "yao", pgettext_lazy("ethnicity", "Yao")
    BAI = "bai", pgettext_lazy("ethnicity", "Bai")
    TUJIA = "tujia", pgettext_lazy("ethnicity", "Tujia")
    HANI = "hani", pgettext_lazy("ethnicity", "Hani")
    KAZAKH = "kazakh", pgettext_lazy("ethnicity", "Kazakh")
    DAI = "dai", pgettext_lazy("ethnicity", "Dai")
    LI = "li", pgettext_lazy("ethnicity", "Li")
    LISU = "lisu", pgettext_lazy("ethnicity", "Lisu")
    VA = "va", pgettext_lazy("ethnicity", "Va")
    SHE = "she", pgettext_lazy("ethnicity", "She")
    GAOSHAN = "gaoshan", pgettext_lazy("ethnicity", "Gaoshan")
    LAHU = "lahu", pgettext_lazy("ethnicity", "Lahu")
    SUI = "sui", pgettext_lazy("ethnicity", "Sui")
    DONGXIANG = "dongxiang", pgettext_lazy("ethnicity", "Dongxiang")
    NAXI = "naxi", pgettext_lazy("ethnicity", "Naxi")
    JINGPO = "jingpo", pgettext_lazy("ethnicity", "Jingpo")
    KYRGYZ = "kyrgyz", pgettext_lazy("ethnicity", "Kyrgyz")
    TU = "tu", pgettext_lazy("ethnicity", "Tu")
    DAUR = "daur", pgettext_lazy("ethnicity", "Daur")
    MULAO = "mulao", pgettext_lazy("ethnicity", "Mulao")
    QIANG = "qiang", pgettext_lazy("ethnicity", "Qiang")
    BLANG = "blang", pgettext_lazy("ethnicity", "Blang")
    SALAR = "salar", pgettext_lazy("ethnicity", "Salar")
    MAONAN = "maonan", pgettext_lazy("ethnicity", "Maonan")
    GELAO = "gelao", pgettext_lazy("ethnicity", "Gelao")
    XIBE = "xibe", pgettext_lazy("ethnicity", "Xibe")
    ACHANG = "achang", pgettext_lazy("ethnicity", "Achang")
    PUMI = "pumi", pgettext_lazy("ethnicity", "Pumi")
    TAJIK = "tajik", pgettext_lazy("ethnicity", "Tajik")
    NU = "nu", pgettext_lazy("ethnicity", "Nu")
    UZBEK = "uzbek", pgettext_lazy("ethnicity", "Uzbek")
    RUSSIAN = "russian", pgettext_lazy("ethnicity", "Russian")
    EWENKI = "ewenki", pgettext_lazy("ethnicity", "Evenki")
    DEANG = "deang", pgettext_lazy("ethnicity", "De'ang")
    BONAN = "bonan", pgettext_lazy("ethnicity", "Bonan")
    YUGUR = "yugur", pgettext_lazy("ethnicity", "Yugur")
    GIN = "gin", pgettext_lazy("ethnicity", "Gin")
    TATAR = "tatar", pgettext_lazy("ethnicity", "Tatar")
    DERUNG = "derung", pgettext_lazy("ethnicity", "Derung")
    OROQEN = "oroqen", pgettext_lazy("ethnicity", "Oroqen")
    HEZHEN = "hezhen", pgettext_lazy("ethnicity", "Hezhen")
    MONBA = "monba", pgettext_lazy("ethnicity", "Monba")
    LHOBA = "lhoba", pgettext_lazy("ethnicity", "Lhoba")
    JINO = "jino", pgettext_lazy("ethnicity", "Jino")


class AppointmentRole(models.TextChoices):
    """Roles a person holds in an organization for a term (任职)."""

    CHAIR = "chair", _("chair")
    VICE_CHAIR = "vice_chair", _("vice-chair")
    EXECUTIVE = "executive", _("executive committee member")
    BRANCH_SECRETARY = "branch_secretary", _("party branch secretary")
    PARTY_MEMBER = "party_member", _("party member")
    VOLUNTEER = "volunteer", _("women's volunteer")
    MEDIATOR = "mediator", _("mediator")
    LIAISON = "liaison", _("liaison")


# Roles an organization has at most one of at any time.
SINGLE_HOLDER_ROLES = frozenset({AppointmentRole.CHAIR, AppointmentRole.BRANCH_SECRETARY})
# Roles shown as an organization's leadership, in this order.
LEADERSHIP_ROLES = (
    AppointmentRole.CHAIR,
    AppointmentRole.VICE_CHAIR,
    AppointmentRole.BRANCH_SECRETARY,
    AppointmentRole.EXECUTIVE,
)


class BranchMeetingKind(models.TextChoices):
    """三会一课: the party branch's three meetings and one lesson, and the themed party day."""

    GENERAL_MEETING = "general_meeting", _("general meeting of the party branch")  # 支部党员大会
    COMMITTEE = "committee", _("branch committee meeting")  # 支委会
    GROUP = "group", _("party group meeting")  # 党小组会
    LECTURE = "lecture", _("party lecture")  # 党课
    THEMED_DAY = "themed_day", _("themed party day")  # 主题党日


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    LEAVE = "leave", _("on leave")  # 请假: with a reason
    ABSENT = "absent", _("absent")


class RequirementPeriod(models.TextChoices):
    """How often a kind of meeting must be held: at least ``minimum`` times in each …"""

    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
