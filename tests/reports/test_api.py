"""``/api/v1/reports/summary/`` and ``reports/catalogue/`` (docs/reports.md, The API)."""

import pytest

from apps.reports.catalogue import FIGURES

pytestmark = pytest.mark.django_db
SUMMARY = "/api/v1/reports/summary/"


def test_the_summary_is_the_selectors_figures_by_domain(counted, user_in, api_as):
    client = api_as(user_in(counted.district, "district_admin"))

    answer = client.get(SUMMARY, {"period": "2024"})

    assert answer.status_code == 200
    body = answer.json()
    assert body["period"]["key"] == "2024"
    assert body["figures"]["events"]["held"] == 5
    assert body["figures"]["events"]["spent"] == "5101.00"  # money exact, as a string
    assert body["figures"]["funds"]["donations"] == "5000.50"
    assert body["figures"]["cases"]["received"] == 10
    assert body["figures"]["cases"]["median_days_to_close"] == pytest.approx(20.2, abs=0.06)
    assert body["previous"]["cases"]["received"] == 2
    assert [c["organization"]["id"] for c in body["children"]] == [
        counted.district.pk,
        counted.street_a.pk,
        counted.street_b.pk,
    ]
    assert body["trend"]["months"][0] == "2024-01"
    assert body["breakdowns"]["cases"]["received_by_category"] == [
        {"code": "domestic_violence", "name": "家庭暴力", "value": 10}
    ]
    assert body["suppressed"] == []
    assert [o["id"] for o in body["chain"]] == [counted.district.pk]


def test_leadership_gets_null_and_the_dotted_keys(counted, user_in, api_as):
    client = api_as(user_in(counted.district, "leadership"))

    body = client.get(SUMMARY, {"period": "2024", "organization": counted.street_b.pk}).json()

    assert body["figures"]["cases"]["received"] is None
    assert "figures.cases.received" in body["suppressed"]
    assert body["figures"]["events"]["held"] == 0
    assert [o["id"] for o in body["chain"]] == [counted.district.pk, counted.street_b.pk]


def test_leadership_asking_for_a_quarter_gets_no_case_figure(counted, user_in, api_as):
    client = api_as(user_in(counted.district, "leadership"))

    body = client.get(SUMMARY, {"period": "2024-Q1"}).json()

    assert set(body["figures"]["cases"].values()) == {None}
    assert set(body["figures"]["cases"]) >= {"received", "closed", "median_days_to_close"}
    assert body["figures"]["events"]["held"] == 1


def test_a_range_of_days_is_a_period(counted, user_in, api_as):
    client = api_as(user_in(counted.district, "staff"))

    body = client.get(SUMMARY, {"date_after": "2024-05-01", "date_before": "2024-06-30"}).json()

    assert body["period"]["kind"] == "range"
    assert body["figures"]["events"]["held"] == 2


def test_no_period_opens_on_the_latest_year_with_data(counted, user_in, api_as):
    body = api_as(user_in(counted.district, "staff")).get(SUMMARY).json()

    assert body["period"]["key"] == "2025"


def test_an_organization_outside_the_subtree_is_404(counted, user_in, api_as):
    client = api_as(user_in(counted.street_a, "leadership"))

    assert client.get(SUMMARY, {"organization": counted.street_b.pk}).status_code == 404
    assert client.get(SUMMARY, {"organization": 99999999}).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "2024-13"}, "period"),
        (
            {"period": "2024", "date_after": "2024-01-01", "date_before": "2024-02-01"},
            "period",
        ),
        ({"date_after": "2024-01-01"}, "period"),
        ({"date_after": "2024-02-01", "date_before": "2024-01-01"}, "period"),
        ({"organization": "甲"}, "organization"),
    ],
)
def test_a_bad_question_is_a_400_in_chinese(counted, user_in, api_as, query, field):
    client = api_as(user_in(counted.district, "staff"))

    answer = client.get(SUMMARY, query, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert answer.status_code == 400
    text = answer.content.decode()
    assert field in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_the_catalogue_lists_every_figure_with_its_rule_in_chinese(counted, user_in, api_as):
    client = api_as(user_in(counted.district, "leadership"))

    entries = client.get("/api/v1/reports/catalogue/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert [entry["key"] for entry in entries] == [figure.key for figure in FIGURES]
    family = next(e for e in entries if e["key"] == "events.family_education_held")
    assert family["rule"] == "本期本组织及下级组织举办的、业务条线为家庭教育的活动场次。"
    assert next(e for e in entries if e["key"] == "cases.received")["sensitive"] is True
