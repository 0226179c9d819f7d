"""``/reports/``: the dashboard page (docs/reports.md, The dashboard)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.organizations.roles import Role

pytestmark = pytest.mark.django_db
ZH = {"accept-language": "zh-hans"}


def test_the_page_shows_the_selectors_figures_and_links_each_child(counted, client, user_in):
    client.force_login(user_in(counted.district, Role.STAFF))

    page = client.get("/reports/", {"period": "2024"}, headers=ZH)

    text = page.content.decode()
    assert page.status_code == 200
    assert "测试区妇联 · 2024年" in text
    assert f'href="?organization={counted.street_a.pk}&amp;period=2024"' in text
    assert 'data-key="cases.received"' in text and ">10 <span" in text
    assert "对比2023年" in text
    assert "vendor/echarts/echarts.min.js" in text


def test_money_of_ten_thousand_yuan_or_more_is_shown_in_wan_on_its_card(counted, client, user_in):
    client.force_login(user_in(counted.district, Role.STAFF))

    text = client.get("/reports/", {"period": "2024"}, headers=ZH).content.decode()

    assert 'data-exact="20,000.00">2.00 <span class="unit">万元' in text


def test_a_money_cards_change_and_previous_period_are_in_its_own_unit(counted, client, user_in):
    # 2024: 20,000.00 yuan from higher levels; 2023: 1,000.00. One unit for the whole card.
    client.force_login(user_in(counted.district, Role.STAFF))

    text = client.get("/reports/", {"period": "2024"}, headers=ZH).content.decode()

    card = text.split('data-key="funds.higher_level"', 1)[1].split('class="card"', 1)[0]
    assert '2.00 <span class="unit">万元' in card
    assert "▲ 1.90" in card and "上期 0.10" in card
    assert "19,000.00" not in card and "1,000.00" not in card


def test_leadership_sees_hidden_where_the_api_has_null(counted, client, user_in):
    client.force_login(user_in(counted.district, Role.LEADERSHIP))

    text = client.get("/reports/", {"period": "2024-Q1"}, headers=ZH).content.decode()

    assert 'data-exact="已隐藏"' in text
    assert "案件类数据对领导账号只按整年显示" in text


def test_a_sibling_organization_is_404_and_a_bad_period_is_a_chinese_400(counted, client, user_in):
    client.force_login(user_in(counted.street_a, Role.LEADERSHIP))

    sibling = client.get("/reports/", {"organization": counted.street_b.pk})
    bad = client.get("/reports/", {"period": "2024-13"}, headers=ZH)

    assert sibling.status_code == 404
    assert counted.street_b.name not in sibling.content.decode()
    assert bad.status_code == 400
    assert "期间请写作年份" in bad.content.decode()


def test_a_stranger_is_sent_to_sign_in(client):
    assert client.get("/reports/").status_code == 302


def test_the_page_reads_in_a_fixed_number_of_queries(counted, client, user_in):
    client.force_login(user_in(counted.district, Role.LEADERSHIP))
    client.get("/reports/", {"period": "2024"})  # the session, once

    with CaptureQueriesContext(connection) as captured:
        client.get("/reports/", {"period": "2024"})

    # The report's 50, the latest year's 2, the session, the account and its organization, and
    # who has not reported: 4 (no position owes events here, so none of their events are read);
    # the sign-off's: the streets below and the period's rows (no log to read while open).
    assert len(captured.captured_queries) == 61


def test_the_export_has_the_pages_numbers_and_hides_what_the_page_hides(counted, client, user_in):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(user_in(counted.district, Role.LEADERSHIP))
    summary = client.get("/api/v1/reports/summary/", {"period": "2024"}).json()

    answer = client.get("/reports/export/", {"period": "2024"}, headers=ZH)

    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    book = load_workbook(BytesIO(answer.content))
    figures = {row[0]: row for row in book["指标"].iter_rows(min_row=3, values_only=True)}
    assert "测试区妇联 · 2024年" in book["指标"]["A1"].value
    assert figures["活动场次"][1] == summary["figures"]["events"]["held"] == 5
    assert figures["筹集善款"][1] == float(summary["figures"]["funds"]["donations"]) == 5000.5
    assert figures["受理案件数"][1] == 10
    by_child = {row[0]: row for row in book["按组织"].iter_rows(min_row=3, values_only=True)}
    header = next(book["按组织"].iter_rows(min_row=2, max_row=2, values_only=True))
    cases = header.index("受理案件数")
    assert by_child[counted.street_a.name][cases] == "已隐藏"
    assert by_child[counted.street_b.name][cases] == "已隐藏"


def test_every_domain_of_the_catalogue_has_a_heading_on_the_page():
    from apps.reports.catalogue import FIGURES
    from apps.reports.views import DOMAINS

    assert {figure.domain for figure in FIGURES} == set(DOMAINS)
