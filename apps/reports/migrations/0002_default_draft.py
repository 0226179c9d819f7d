"""The annual report draft's first paragraphs, from the seed report's sentences (issue 20):
the figures it typed as "x" and those it stated, each now a placeholder filled from the
records (docs/reports.md, The draft). Staff of the district's root edit them afterwards."""

from django.db import migrations

PARAGRAPHS = [
    (
        "guidance",
        "着力落实“三会一课”制度。{year}年，{organization}召开“三会一课”{branch.meetings_held}次，"
        "以高度政治自觉把全面从严治党的各项要求落到实处。",
    ),
    (
        "guidance",
        "着力抓实思想政治引领。创建市级“小马扎巾帼流动课堂”示范点"
        "{titles.mobile_classroom_city_awarded}个；开展“跟党奋进新征程 巾帼建功新时代”群众性主题"
        "宣传教育{events.themed_publicity_held}场次，受益人群{events.themed_publicity_reached}人，"
        "广泛唱响妇联“好声音”。",
    ),
    (
        "guidance",
        "着力推动书记项目落地。坚持阵地活化建设，启动“妇女党建微家”创建行动，提档接地气、有人气、"
        "树特色的示范微家阵地{titles.micro_home_awarded}个。",
    ),
    (
        "achievements",
        "巾帼建功更加有为。实施家政服务“高质提升”计划，向上争取资金"
        "{funds.higher_level_for_training}万元订单式开展能力提升培训，受益人群{events.trainees}人；"
        "申报省级巾帼家政服务社区示范工作站{titles.housekeeping_provincial_applied}个，促进家政服务业"
        "阵地提质扩容。",
    ),
    (
        "achievements",
        "家庭教育更加有力。全年开展家庭教育活动{events.family_education_held}场次。",
    ),
    (
        "achievements",
        "巾帼帮扶更加有效。汇聚各方力量，筹集“99公益”善款{funds.donations}万元。",
    ),
    (
        "rights",
        "完善村（社区）维权服务站（岗）建设：{coverage.villages}个村（社区）中，"
        "{coverage.with_station}个建有维权服务站（岗）；全年受理妇女儿童维权案件{cases.received}件。",
    ),
    (
        "rights",
        "创建妇女议事会{councils.set_up}个，召开议事会议{councils.meetings_held}次，提出议题"
        "{councils.topics_raised}个，已解决{councils.topics_resolved}个，转化为成果"
        "{councils.topics_turned_into_results}个，提升基层妇女议事能力，助力基层社会治理。",
    ),
    (
        "positions",
        "年末共有妇联阵地{positions.open}个，{coverage.with_womens_home}个村（社区）建有妇女之家；"
        "全年申报示范创建{titles.applied}个，获评{titles.awarded}个。",
    ),
]


def seed(apps, schema_editor):
    DraftParagraph = apps.get_model("reports", "DraftParagraph")
    if DraftParagraph.objects.exists():
        return
    for order, (section, text) in enumerate(PARAGRAPHS, start=1):
        DraftParagraph.objects.create(section=section, order=order * 10, text=text)


def unseed(apps, schema_editor):
    DraftParagraph = apps.get_model("reports", "DraftParagraph")
    DraftParagraph.objects.filter(text__in=[text for _, text in PARAGRAPHS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_draft_paragraphs")]

    operations = [migrations.RunPython(seed, unseed)]
