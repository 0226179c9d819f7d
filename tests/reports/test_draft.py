"""The annual report's draft (docs/reports.md, The draft): paragraphs kept as data with
placeholders naming catalogue keys, filled in the report's style; an unknown key refused; a
leader's hidden figures hidden in the sentences too; the Word file written by a job."""

import importlib
import re
from io import BytesIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from docx import Document

from apps.jobs import services as job_services
from apps.jobs.choices import JobState
from apps.jobs.models import Job
from apps.organizations.roles import Role
from apps.reports import word
from apps.reports.models import DraftParagraph
from tests.seeding import seed_lists

ZH = {"accept-language": "zh-hans"}
PAGE = "/reports/annual/"
ADD = "/admin/reports/draftparagraph/add/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_draft():
    """The paragraphs the migration seeds (a transactional test elsewhere may have flushed
    them): the migration's own function, run again."""
    DraftParagraph.objects.all().delete()
    migration = importlib.import_module("apps.reports.migrations.0002_default_draft")
    migration.seed(apps, None)
    return migration


def paragraphs_of(html: str) -> list[str]:
    return re.findall(r'<p class="draft-paragraph" data-section="\w+">(.*?)</p>', html)


def docx_text(data: bytes) -> str:
    document = Document(BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# The seeded sentences for the district's 2024 (tests/factories/reports.py, annual_set in
# test_annual.py), each figure counted by hand there: 1 themed session reaching 400 people, 25
# trainees (20余), 20,000.00 yuan from higher levels (2.00万元), 3 housekeeping stations applied
# for, 5,000.50 yuan donated (0.50万元), 3 villages all with a station, 10 cases.
DISTRICT_2024_SENTENCES = [
    "测试区妇联召开“三会一课”1次",
    "创建市级“小马扎巾帼流动课堂”示范点1个；",
    "群众性主题宣传教育1场次，受益人群400人，",
    "示范微家阵地2个。",
    "向上争取资金2.00万元订单式开展能力提升培训，受益人群20余人；",
    "申报省级巾帼家政服务社区示范工作站3个，",
    "全年开展家庭教育活动2场次。",
    "筹集“99公益”善款0.50万元。",
    "3个村（社区）中，3个建有维权服务站（岗）；全年受理妇女儿童维权案件10件。",
    "全年申报示范创建7个，获评4个。",
]


def test_the_seeded_draft_reads_the_seed_reports_sentences_with_the_hand_counted_figures(
    annual_set,
    default_draft,
    client,
    user_in,
):
    client.force_login(user_in(annual_set.district, Role.STAFF))

    page = client.get(PAGE, {"year": 2024}, headers=ZH)

    assert page.status_code == 200
    text = page.content.decode()
    found = paragraphs_of(text)
    assert len(found) == len(default_draft.PARAGRAPHS)
    draft = "\n".join(found)
    for sentence in DISTRICT_2024_SENTENCES:
        assert sentence in draft, sentence
    assert "{" not in draft and "x" not in draft
    assert "下载 Word 初稿" in text and 'action="/reports/annual/draft/"' in text


def test_a_placeholder_takes_the_reports_rounding_and_its_own_style(annual_set, client, user_in):
    DraftParagraph.objects.all().delete()
    DraftParagraph.objects.create(
        section="achievements",
        order=1,
        text="{year}年{organization}培训{events.trainees}人，资金{funds.higher_level_for_training}万元，"
        "案件{cases.received}件，村（社区）{coverage.villages}个。",
    )
    client.force_login(user_in(annual_set.district, Role.STAFF))

    street = client.get(PAGE, {"year": 2024, "organization": annual_set.street_a.pk}, headers=ZH)

    # Street A: the 25 trainees, the 20,000.00 yuan and 4 cases are all its villages'.
    assert paragraphs_of(street.content.decode()) == [
        "2024年甲街道妇联培训20余人，资金2.00万元，案件4件，村（社区）2个。"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("开展活动{events.no_such_figure}场次", "未知的占位符 {events.no_such_figure}"),
        ("开展活动{活动场次}场次", "未知的占位符 {活动场次}"),
        ("开展活动{events.held场次", "花括号未成对"),
        ("开展活动events.held}场次", "花括号未成对"),
    ],
)
def test_an_unknown_placeholder_is_refused_by_the_model_with_a_chinese_message(text, message):
    paragraph = DraftParagraph(section="guidance", order=1, text=text)

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        paragraph.full_clean()

    assert message in str(refused.value.message_dict["text"])


def test_the_admin_refuses_an_unknown_placeholder_and_saves_a_good_one_with_history(
    tree, user_in, browser_as
):
    client = browser_as(user_in(tree.district, Role.STAFF))
    before = DraftParagraph.objects.count()

    refused = client.post(
        ADD, {"section": "guidance", "order": 5, "text": "开展{events.helt}场次"}, headers=ZH
    )
    saved = client.post(
        ADD, {"section": "guidance", "order": 5, "text": "开展{events.held}场次"}, headers=ZH
    )

    assert refused.status_code == 200
    assert "未知的占位符 {events.helt}" in refused.content.decode()
    assert saved.status_code == 302
    assert DraftParagraph.objects.count() == before + 1
    paragraph = DraftParagraph.objects.get(text="开展{events.held}场次")
    assert paragraph.history.get().history_user.role == Role.STAFF


def test_only_the_district_roots_staff_and_admins_change_the_draft(tree, user_in, browser_as):
    root_admin = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    street_staff = browser_as(user_in(tree.street_a, Role.STAFF))
    case_worker = browser_as(user_in(tree.district, Role.CASE_WORKER))

    assert root_admin.get(ADD).status_code == 200
    assert street_staff.get("/admin/reports/draftparagraph/").status_code == 200  # reads
    assert street_staff.get(ADD).status_code == 403
    paragraph = DraftParagraph.objects.create(section="guidance", order=1, text="开展活动")
    delete = f"/admin/reports/draftparagraph/{paragraph.pk}/delete/"
    assert street_staff.post(delete, {"post": "yes"}).status_code == 403
    assert case_worker.get("/admin/reports/draftparagraph/").status_code == 403
    assert DraftParagraph.objects.filter(pk=paragraph.pk).exists()


def test_a_figure_hidden_from_leadership_reads_hidden_in_the_draft(annual_set, client, user_in):
    DraftParagraph.objects.all().delete()
    DraftParagraph.objects.create(
        section="rights",
        order=1,
        text="受理案件{cases.received}件，主题宣传{events.themed_publicity_reached}人。",
    )
    client.force_login(user_in(annual_set.district, Role.LEADERSHIP))

    street = client.get(PAGE, {"year": 2024, "organization": annual_set.street_a.pk}, headers=ZH)
    district = client.get(PAGE, {"year": 2024}, headers=ZH)

    # Street A received 4 cases: hidden from leadership, as on the dashboard; the district's
    # 10 are shown.
    assert paragraphs_of(street.content.decode()) == ["受理案件【已隐藏】件，主题宣传400人。"]
    assert paragraphs_of(district.content.decode()) == ["受理案件10件，主题宣传400人。"]


def test_the_page_reads_the_draft_in_one_more_query_whatever_its_length(
    annual_set, client, user_in
):
    DraftParagraph.objects.all().delete()
    client.force_login(user_in(annual_set.district, Role.STAFF))
    client.get(PAGE, {"year": 2024})  # the session, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE, {"year": 2024}).status_code == 200
        return len(captured.captured_queries)

    empty = queries()
    for order in range(12):
        DraftParagraph.objects.create(section="guidance", order=order, text="{events.held}场")
    full = queries()

    # The session, the account, its organization; the report's 50 and the links' three ids, as
    # the API reads them (test_annual.py); the sign-off's two; the draft's paragraphs, one.
    assert empty == full == 59


# The Word draft as a job -------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def start_draft(client, organization, year=2024):
    return client.post(
        "/reports/annual/draft/", {"organization": organization.pk, "year": year}, headers=ZH
    )


def test_the_word_draft_is_a_job_whose_file_opens_and_holds_the_numbers(
    annual_set,
    default_draft,
    media,
    client,
    user_in,
):
    staff = user_in(annual_set.district, Role.STAFF)
    client.force_login(staff)

    started = start_draft(client, annual_set.district)
    again = start_draft(client, annual_set.district)  # a second click: the same job

    job = Job.objects.get()
    assert started.status_code == again.status_code == 302
    assert started["Location"] == again["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.state, job.user) == (word.DRAFT_JOB, JobState.QUEUED, staff)

    job_services.job_run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.output_file.name.endswith(".docx")
    page = client.get(f"/jobs/{job.pk}/", headers=ZH).content.decode()
    assert "年度工作报告 Word 初稿" in page and f'href="/jobs/{job.pk}/download/"' in page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == word.CONTENT_TYPE
    assert "filename*=utf-8''" in download["Content-Disposition"]
    text = docx_text(b"".join(download.streaming_content))
    assert "测试区妇联2024年度工作报告" in text
    for sentence in DISTRICT_2024_SENTENCES:
        assert sentence in text, sentence
    assert "思想引领与党建" in text and "统计口径" in text
    assert "20余人" in text and "25 人" in text  # the table: the report's text and the exact


def test_a_leaders_word_draft_hides_what_the_page_hides(annual_set, media, client, user_in):
    DraftParagraph.objects.all().delete()
    DraftParagraph.objects.create(section="rights", order=1, text="受理案件{cases.received}件。")
    client.force_login(user_in(annual_set.district, Role.LEADERSHIP))

    start_draft(client, annual_set.street_a)
    job = Job.objects.get()
    job_services.job_run(job.pk)
    text = docx_text(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))

    assert "受理案件【已隐藏】件。" in text
    assert "已隐藏" in text  # the figures' table too


def test_the_draft_is_downloaded_by_its_account_and_the_subtrees_admins_alone(
    annual_set,
    media,
    browser_as,
    user_in,
):
    asker = browser_as(user_in(annual_set.street_a, Role.STAFF))
    start_draft(asker, annual_set.village_a1)
    job = Job.objects.get()
    job_services.job_run(job.pk)
    download = f"/jobs/{job.pk}/download/"

    street_admin = browser_as(user_in(annual_set.street_a, Role.DISTRICT_ADMIN))
    colleague = browser_as(user_in(annual_set.street_a, Role.STAFF))
    other_street = browser_as(user_in(annual_set.street_b, Role.DISTRICT_ADMIN))

    assert asker.get(download).status_code == 200
    assert street_admin.get(download).status_code == 200
    assert colleague.get(download).status_code == 404
    assert other_street.get(download).status_code == 404
    assert other_street.get(f"/jobs/{job.pk}/").status_code == 404


def test_a_draft_outside_the_scope_or_without_a_year_starts_nothing(
    annual_set,
    client,
    user_in,
):
    client.force_login(user_in(annual_set.street_a, Role.STAFF))

    sibling = start_draft(client, annual_set.street_b)
    no_year = client.post("/reports/annual/draft/", {}, headers=ZH)
    by_get = client.get("/reports/annual/draft/", {"year": 2024})

    assert sibling.status_code == 404
    assert no_year.status_code == 400 and "请填写报告年份" in no_year.content.decode()
    assert by_get.status_code == 405
    assert not Job.objects.exists()


def test_a_job_whose_organization_left_the_scope_fails_and_writes_nothing(
    annual_set,
    media,
    client,
    user_in,
):
    staff = user_in(annual_set.street_a, Role.STAFF)
    client.force_login(staff)
    start_draft(client, annual_set.village_a1)
    job = Job.objects.get()
    staff.organization = annual_set.street_b  # moved to another street meanwhile
    staff.save()

    job_services.job_run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED and not job.output_file
    assert job.error == "该组织已不在本账号的管辖范围内：未生成文件。"
    assert not any(media.rglob("*.docx"))


@pytest.fixture
def seeded_lists(transactional_db):
    """The lists migrations seed, which an earlier transactional test's flush removed (as the
    browser tests seed them again)."""
    seed_lists()


def test_a_real_worker_writes_the_draft_as_its_account(
    seeded_lists, tree, tmp_path, settings, browser_as, user_in
):
    """The worker's path end to end (tests/jobs/worker.py): the page's button queues the job, a
    worker process writes the file, the job's page offers it."""
    from tests.factories.reports import counted_2024
    from tests.jobs.worker import running_worker, wait_for

    annual_set = counted_2024(tree)

    settings.MEDIA_ROOT = tmp_path
    DraftParagraph.objects.all().delete()
    DraftParagraph.objects.create(
        section="guidance", order=1, text="受益人群{events.themed_publicity_reached}人。"
    )
    client = browser_as(user_in(annual_set.street_a, Role.STAFF))

    with running_worker(tmp_path):
        started = start_draft(client, annual_set.street_a)
        job = Job.objects.get()

        def ended():
            """the job ended"""
            job.refresh_from_db()
            return not job.is_active

        wait_for(ended, seconds=60)

    assert started["Location"] == f"/jobs/{job.pk}/"
    assert job.state == JobState.SUCCEEDED, job.error
    text = docx_text(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))
    assert "甲街道妇联2024年度工作报告" in text and "受益人群400人。" in text
