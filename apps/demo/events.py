"""The demo's events, campaigns and funds (docs/events.md): two years up to today.

Every village holds some events a month or so (lectures, parent-child activities, publicity,
mobile classrooms, housekeeping training, charity), the streets and the district more and
larger ones. A few district campaigns (and one street's) run over a period; most villages
report events to them, some do not, so a campaign's page shows gaps. Funds are the money
obtained from higher levels and the '99公益' donations raised, for campaigns or events.

Each row is checked as ``apps.events.services.events_create`` checks a batch (the model's
``full_clean`` with the references already loaded), then all go in at the database's speed
with their history (``apps.core.bulk.insert_with_history``), made once.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from random import Random

from django.utils import timezone

from apps.core.actors import SYSTEM
from apps.core.bulk import insert_with_history
from apps.core.models import checked_by_the_database
from apps.demo.organizations import Tree
from apps.events.choices import FundSource
from apps.events.models import Campaign, Event, EventCategory, Fund, LineOfWork
from apps.organizations.choices import Kind
from apps.organizations.models import Organization, Position

DAYS = 730  # two years up to today
# Events a year: (low, high) by level.
PER_YEAR = {"village": (26, 40), "street": (80, 120), "district": (90, 130)}
REPORTING = 0.82  # share of villages that report to a campaign

# A village's mix of categories; the streets and the district hold the same, in more weight
# on publicity, training and school-family-community work.
MIX = {
    "lecture": 4,
    "parent_child": 3,
    "publicity_month": 1,
    "school_family_community": 1,
    "consultation": 1,
    "online_class": 0.5,
    "themed_publicity": 3,
    "mobile_classroom": 2,
    "skills_training": 1,
    "charity_assistance": 2,
    "party_lecture": 1,
    "legal_publicity": 1,
}
UPPER_MIX = {**MIX, "publicity_month": 2, "skills_training": 2, "school_family_community": 2}

TITLES = {
    "lecture": [
        "家庭教育公益讲座：如何与青春期孩子沟通",
        "家庭教育公益讲座：科学育儿 从心开始",
        "《家庭教育促进法》解读讲座",
        "隔代教育的误区与对策讲座",
        "培养孩子良好习惯专题讲座",
        "预防校园欺凌家长讲座",
        "儿童心理健康家长课",
        "“双减”背景下的家庭教育讲座",
    ],
    "parent_child": [
        "“快乐端午 粽情飘香”亲子活动",
        "“书香润童心”亲子阅读活动",
        "亲子趣味运动会",
        "“月满中秋”亲子手工活动",
        "“绿色家园”亲子植树活动",
        "“小手拉大手”亲子研学",
        "“我们的节日·元宵”亲子猜灯谜",
    ],
    "publicity_month": [
        "家庭教育宣传周活动",
        "“送法进万家 家教伴成长”宣传活动",
        "“5·15国际家庭日”宣传活动",
        "家庭教育促进法宣传进村（社区）",
    ],
    "school_family_community": [
        "家校社协同育人座谈会",
        "“家校携手 共育未来”家长会",
        "家校社共育志愿服务活动",
    ],
    "consultation": ["家庭教育咨询服务日", "家庭教育指导师进村（社区）咨询", "家教家风咨询活动"],
    "online_class": ["网上家长课堂：亲子沟通技巧", "网上家长课堂：假期安全", "线上家教微课堂"],
    "themed_publicity": [
        "“巾帼心向党”主题宣传",
        "三八妇女节主题宣传活动",
        "反家庭暴力法律知识宣传",
        "“美丽庭院”创建宣传",
        "防范电信网络诈骗宣传",
        "“最美家庭”事迹宣讲",
        "清廉家风主题宣传",
    ],
    "mobile_classroom": [
        "小马扎巾帼流动课堂：党的创新理论宣讲",
        "小马扎巾帼流动课堂：乡村振兴政策宣讲",
        "小马扎巾帼流动课堂：反家暴知识",
        "小马扎巾帼流动课堂：健康生活",
        "小马扎巾帼流动课堂：移风易俗",
    ],
    "skills_training": [
        "巾帼家政培训班（母婴护理）",
        "巾帼家政培训班（育婴员）",
        "巾帼家政培训班（养老护理）",
        "巾帼家政培训班（收纳整理）",
        "妇女电商直播技能培训",
        "中式面点技能培训",
    ],
    "charity_assistance": [
        "“春风行动”困难妇女儿童帮扶",
        "“六一”关爱留守儿童活动",
        "“两癌”困难妇女走访慰问",
        "“99公益日”爱心募捐活动",
        "“一老一小一困”走访关爱",
        "“春蕾计划”助学金发放",
    ],
    "legal_publicity": [
        "“巾帼普法”反家暴法律知识进村（社区）",
        "《妇女权益保障法》宣讲会",
        "婚姻家庭纠纷预防与调解普法活动",
        "“12·4”国家宪法日普法宣传",
    ],
    "party_lecture": [
        "巾帼党课：跟党奋进新征程",
        "巾帼党课：以党建带妇建",
        "巾帼党课：弘扬红船精神",
    ],
}
PARTNERS = {
    "lecture": ["{street}中心小学", "区家庭教育指导中心", "区关工委", "区人民法院"],
    "parent_child": ["{street}中心幼儿园", "区图书馆", "{street}中心小学", "区青少年宫"],
    "publicity_month": ["区人民法院", "区司法局", "区教育局", "{street}司法所"],
    "school_family_community": ["{street}中心小学", "{street}初级中学", "区教育局"],
    "consultation": ["区家庭教育指导中心", "区心理咨询协会"],
    "online_class": ["区家庭教育指导中心", "区融媒体中心"],
    "themed_publicity": ["区委宣传部", "区公安分局", "{street}派出所", "区司法局"],
    "mobile_classroom": ["区委党校", "区卫健局", "{street}卫生院"],
    "skills_training": ["区人社局", "区职业技术学校", "云溪家政服务有限公司"],
    "charity_assistance": ["区慈善总会", "区红十字会", "爱心企业", "区民政局"],
    "party_lecture": ["区委党校", "{street}党工委"],
    "legal_publicity": ["区司法局", "区人民法院", "{street}司法所", "区律师协会"],
}
SUMMARIES = [
    "活动由{org}组织，{n}人参加，现场发放宣传资料{m}份。",
    "{org}精心组织，参与群众反响良好，{n}人到场参加。",
    "活动覆盖{reached}人次，志愿者协助做好签到和服务工作。",
    "",
]


@dataclass(frozen=True)
class CampaignPlan:
    title: str
    level: str  # "district" or "street"
    month: int
    day: int
    days: int  # how long it runs
    category: str  # what its reporting villages hold
    years_back: int  # 1: last year, 0: this year
    description: str


CAMPAIGNS = [
    CampaignPlan(
        "“送法进万家 家教伴成长”家庭教育宣传月",
        "district",
        5,
        1,
        30,
        "publicity_month",
        1,
        "以5·15国际家庭日为契机，在全区开展家庭教育促进法宣传和家教指导进村（社区）活动。",
    ),
    CampaignPlan(
        "“送法进万家 家教伴成长”家庭教育宣传月",
        "district",
        5,
        1,
        30,
        "publicity_month",
        0,
        "延续上年做法，各村（社区）至少开展一场宣传活动并报送活动信息。",
    ),
    CampaignPlan(
        "“巾帼家政”技能培训专项行动",
        "district",
        3,
        1,
        121,
        "skills_training",
        1,
        "面向农村妇女和城镇就业困难妇女开展家政技能培训，推动巾帼家政就业创业。",
    ),
    CampaignPlan(
        "“99公益日”巾帼爱心募捐行动",
        "district",
        9,
        1,
        14,
        "charity_assistance",
        0,
        "发动妇女群众和爱心企业参与“99公益日”募捐，善款用于困难妇女儿童帮扶。",
    ),
    CampaignPlan(
        "“法治护航 家和万事兴”反家暴宣传周",
        "street",
        11,
        20,
        7,
        "themed_publicity",
        1,
        "围绕11·25国际消除对妇女的暴力日，开展反家庭暴力法律知识宣传。",
    ),
]


def _money(rng: Random, low: int, high: int) -> Decimal:
    """An exact amount in yuan between ``low`` and ``high``: whole tens, some with cents."""
    yuan = rng.randint(low // 10, high // 10) * 10
    cents = rng.choice([0, 0, 0, rng.randint(1, 99)])
    return Decimal(f"{yuan}.{cents:02d}")


def _at(day: date, rng: Random) -> tuple[datetime, datetime]:
    hour = rng.choice([9, 9, 10, 14, 14, 15, 19])
    starts = timezone.make_aware(datetime.combine(day, time(hour, rng.choice([0, 0, 30]))))
    return starts, starts + timedelta(minutes=rng.choice([60, 90, 120, 120, 180, 240]))


def build_events(rng: Random, today: date, tree: Tree) -> int:
    """Campaigns, events and funds, made once; returns how many events were added."""
    district = tree.district
    if Campaign.objects.filter(organization__path__startswith=district.path).exists():
        return 0
    _publish_legal_publicity(district)
    categories = {category.code: category for category in EventCategory.objects.all()}
    for category in categories.values():
        category.line  # noqa: B018 - loaded once, not a query per event
    homes = {}
    for position in (
        Position.objects.filter(
            organization__path__startswith=district.path, kind__code="womens_home"
        )
        .select_related("organization")
        .order_by("pk")
    ):
        homes.setdefault(position.organization_id, position)
    start = today - timedelta(days=DAYS)
    street_of = {street.pk: street for street in tree.streets}
    campaigns = _campaigns(rng, today, tree)

    events: list[Event] = []

    def add(organization: Organization, code: str, day: date, level: str, campaign=None):
        street = street_of.get(organization.parent_id, organization)
        place_name = organization.name.removesuffix("妇联")
        street_name = street.name.removesuffix("妇联")
        home = homes.get(organization.pk)
        if home is not None and home.opened_on <= day and rng.random() < 0.6:
            position, place = home, home.name
        else:
            position = None
            place = rng.choice(
                [
                    f"{place_name}村委会会议室",
                    f"{place_name}新时代文明实践站",
                    f"{place_name}文化礼堂",
                ]
                if level == "village"
                else [
                    f"{place_name}党群服务中心",
                    f"{place_name}会议中心",
                    f"{street_name}文化广场",
                ]
            )
        scale = {"village": 1, "street": 4, "district": 10}[level]
        participants = rng.randint(12, 70) * scale
        factor = 10 if code == "online_class" else (3 if "publicity" in code else 1.5)
        reached = participants + rng.randint(0, int(participants * factor))
        starts_at, ends_at = _at(day, rng)
        partners = rng.sample(PARTNERS[code], rng.choice([0, 1, 1, 2]))
        template = rng.choice(SUMMARIES)
        title = rng.choice(TITLES[code])
        if campaign is not None and code == "publicity_month":
            title = f"{place_name}{campaign.title.split('”')[0]}”宣传活动"
        events.append(
            Event(
                organization=organization,
                title=title,
                category=categories[code],
                line=categories[code].line,
                campaign=campaign,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                position=position,
                partners="、".join(p.format(street=street_name) for p in partners),
                participants=participants,
                people_reached=reached,
                volunteers=rng.randint(0, 4) * scale,
                spent=_money(rng, 0, 1500 * scale) if rng.random() < 0.7 else Decimal("0.00"),
                summary=template.format(
                    org=organization.name,
                    n=participants,
                    m=rng.randint(2, 20) * 10,
                    reached=reached,
                ),
            )
        )

    for organization, level in [
        (tree.district, "district"),
        *((street, "street") for street in tree.streets),
        *((village, "village") for village in tree.villages),
    ]:
        last = min(today, (organization.closed_on or today))
        mix = MIX if level == "village" else UPPER_MIX
        count = round(rng.randint(*PER_YEAR[level]) * DAYS / 365)
        codes = rng.choices(list(mix), weights=list(mix.values()), k=count)
        for code in codes:
            day = start + timedelta(days=rng.randint(0, DAYS))
            if day <= last:
                add(organization, code, day, level)
    for campaign, plan in campaigns:
        ends = min(campaign.ends_on, today)
        if ends < campaign.starts_on:
            continue
        covered = [
            village
            for village in tree.villages
            if campaign.covers(village)
            and (village.closed_on is None or village.closed_on >= campaign.starts_on)
        ]
        reporting = rng.sample(covered, round(len(covered) * REPORTING))
        days = (ends - campaign.starts_on).days
        for village in sorted(reporting, key=lambda v: v.path):
            for _ in range(rng.choice([1, 1, 2, 3])):
                add(
                    village,
                    plan.category,
                    campaign.starts_on + timedelta(rng.randint(0, days)),
                    "village",
                    campaign,
                )
        for street in tree.streets:
            if campaign.covers(street):
                add(
                    street,
                    plan.category,
                    campaign.starts_on + timedelta(rng.randint(0, days)),
                    "street",
                    campaign,
                )
    for event in events:
        event.full_clean(
            exclude=checked_by_the_database(event),
            validate_unique=False,
            validate_constraints=False,
        )
    events.sort(key=lambda event: (event.starts_at, event.organization.path))
    insert_with_history(Event, events, by=SYSTEM)
    _funds(rng, today, tree, campaigns, events)
    return len(events)


def _publish_legal_publicity(district: Organization) -> None:
    """The lists the system starts with give the rights line (维权服务) no category: the demo
    district publishes one of its own for its subtree (docs/events.md), made once."""
    if not EventCategory.objects.filter(code="legal_publicity").exists():
        category = EventCategory(
            organization=district,
            code="legal_publicity",
            name="普法维权宣传",
            line=LineOfWork.objects.get(code="rights"),
            sort_order=200,
        )
        category.full_clean()
        category.save()


def _campaigns(rng: Random, today: date, tree: Tree) -> list[tuple[Campaign, CampaignPlan]]:
    """The campaigns whose period began by today (none ahead of it)."""
    made = []
    for plan in CAMPAIGNS:
        starts_on = date(today.year - plan.years_back, plan.month, plan.day)
        if starts_on > today or starts_on < today - timedelta(days=DAYS):
            continue
        organization = tree.district if plan.level == "district" else tree.streets[0]
        campaign = Campaign(
            organization=organization,
            title=f"{today.year - plan.years_back}年{plan.title}",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=plan.days - 1),
            description=plan.description,
        )
        campaign.full_clean(exclude=checked_by_the_database(campaign))
        made.append((campaign, plan))
    insert_with_history(Campaign, [campaign for campaign, _ in made], by=SYSTEM)
    return made


def _funds(rng: Random, today: date, tree: Tree, campaigns, events: list[Event]) -> None:
    """A few dozen: money from higher levels for the campaigns and the streets' training, the
    '99公益' donations for the charity campaign and charity events, a few others."""
    funds = []

    def add(organization, source, amount, received_on, purpose, campaign=None, event=None):
        funds.append(
            Fund(
                organization=organization,
                source=source,
                amount=amount,
                received_on=min(received_on, today),
                purpose=purpose,
                campaign=campaign,
                event=event,
            )
        )

    for campaign, plan in campaigns:
        add(
            campaign.organization,
            FundSource.HIGHER_LEVEL,
            _money(rng, 20_000, 120_000),
            campaign.starts_on - timedelta(days=rng.randint(5, 30)),
            f"{campaign.title}专项经费（市妇联下拨）",
            campaign=campaign,
        )
        if plan.category == "charity_assistance":
            for street in tree.streets:
                add(
                    street,
                    FundSource.DONATION,
                    _money(rng, 3_000, 40_000),
                    campaign.ends_on,
                    "“99公益日”筹集善款",
                    campaign=campaign,
                )
    larger = [
        event
        for event in events
        if event.organization.kind != Kind.VILLAGE
        and event.category.code in ("skills_training", "charity_assistance")
        and event.campaign is None
    ]
    for event in rng.sample(larger, min(16, len(larger))):
        day = event.starts_at.date()
        if event.category.code == "skills_training":
            source, purpose = FundSource.HIGHER_LEVEL, "巾帼家政培训补助（省妇联）"
        else:
            source, purpose = FundSource.DONATION, "爱心企业定向捐赠"
        add(event.organization, source, _money(rng, 2_000, 30_000), day, purpose, event=event)
    for street in rng.sample(tree.streets, 4):
        add(
            street,
            FundSource.OTHER,
            _money(rng, 1_000, 10_000),
            today - timedelta(days=rng.randint(30, 600)),
            "街道（乡镇）配套妇女工作经费",
        )
    for fund in funds:
        fund.full_clean(exclude=checked_by_the_database(fund))
    insert_with_history(Fund, funds, by=SYSTEM)
