"""Sign-off and freeze of a period's figures (docs/reports.md, Sign-off): the order, who may act,
retries, returns with their notice, frozen figures with their corrections, leadership's
suppression of corrections, and two sign-offs racing."""

import datetime
import re
import threading
from io import BytesIO

import pytest
from django.db import connections
from django.utils import translation
from docx import Document

from apps.events.models import Event
from apps.notices.models import Notice
from apps.organizations.roles import Role
from apps.reports import word
from apps.reports.models import DraftParagraph, SignOff, SignOffEntry
from tests.factories.accounts import UserFactory
from tests.factories.events import make_event
from tests.factories.reports import cases, counted_2024

SIGNOFFS = "/api/v1/reports/signoffs/"
ANNUAL = "/api/v1/reports/annual/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def act(api_as, user_in):
    """act(organization-of-the-account, role, target, action, reason="") → the answer."""

    def post(home, role, target, action, reason="", period="2024"):
        client = api_as(user_in(home, role))
        body = {"organization": target.pk, "period": period, "action": action, "reason": reason}
        return client.post(SIGNOFFS, body, format="json", **ZH)

    return post


def state(organization, period="2024"):
    row = SignOff.objects.filter(organization=organization, period=period).first()
    return row.state if row else "open"


def sign_everything(tree, act):
    """Every village confirmed and signed, the streets, then the district: the whole order."""
    for village, street in (
        (tree.village_a1, tree.street_a),
        (tree.village_a2, tree.street_a),
        (tree.village_b1, tree.street_b),
    ):
        assert act(village, Role.STATION_OPERATOR, village, "confirm").status_code == 201
        assert act(street, Role.STAFF, village, "sign").status_code == 201
    assert act(tree.street_a, Role.DISTRICT_ADMIN, tree.street_a, "sign").status_code == 201
    assert act(tree.street_b, Role.STAFF, tree.street_b, "sign").status_code == 201
    answer = act(tree.district, Role.STAFF, tree.district, "sign")
    assert answer.status_code == 201, answer.content
    return answer


def test_the_order_is_village_street_district(tree, act):
    a1, a2, street = tree.village_a1, tree.village_a2, tree.street_a

    # a street cannot sign a village that has not confirmed, nor itself before its villages
    answer = act(street, Role.STAFF, a1, "sign")
    assert answer.status_code == 409
    assert "村" in answer.json()["detail"] or "确认" in answer.json()["detail"]
    assert act(street, Role.STAFF, street, "sign").status_code == 409

    assert act(a1, Role.STATION_OPERATOR, a1, "confirm").status_code == 201
    assert state(a1) == "confirmed"
    assert act(street, Role.STAFF, a1, "sign").status_code == 201
    assert state(a1) == "signed"
    answer = act(street, Role.STAFF, street, "sign")  # a2 has not been signed yet
    assert answer.status_code == 409
    assert "1" in answer.json()["detail"] and "2" in answer.json()["detail"]

    assert act(a2, Role.STAFF, a2, "confirm").status_code == 201
    assert act(street, Role.STAFF, a2, "sign").status_code == 201
    assert act(street, Role.STAFF, street, "sign").status_code == 201
    assert state(street) == "signed"
    # the district signs last: street_b has not signed
    assert act(tree.district, Role.DISTRICT_ADMIN, tree.district, "sign").status_code == 409
    assert state(tree.district) == "open"


def test_the_whole_order_ends_signed_with_a_log_of_every_act(tree, user_in, api_as, act):
    answer = sign_everything(tree, act)

    body = answer.json()
    assert body["state"] == "signed" and body["stage"] == "signed"
    assert [row["stage"] for row in body["below"]] == ["signed", "signed"]
    assert [entry["action"] for entry in body["log"]] == ["sign", "sign", "sign"]
    assert {entry["organization"]["id"] for entry in body["log"]} == {
        tree.district.pk,
        tree.street_a.pk,
        tree.street_b.pk,
    }
    assert SignOffEntry.objects.count() == 3 * 2 + 3  # each village twice, two streets, district
    street_view = api_as(user_in(tree.street_a, Role.LEADERSHIP)).get(SIGNOFFS, {"period": "2024"})
    log = street_view.json()["log"]
    assert sorted((e["organization"]["id"], e["action"]) for e in log) == sorted(
        [
            (tree.street_a.pk, "sign"),
            (tree.village_a1.pk, "confirm"),
            (tree.village_a1.pk, "sign"),
            (tree.village_a2.pk, "confirm"),
            (tree.village_a2.pk, "sign"),
        ]
    )
    assert [e["at"] for e in log] == sorted(e["at"] for e in log)
    assert all(entry["by"]["name"] for entry in log)


@pytest.mark.parametrize(
    ("home", "role", "target", "action"),
    [
        ("village_a1", Role.STAFF, "village_a1", "sign"),  # a village does not sign itself
        ("village_a1", Role.DISTRICT_ADMIN, "village_a1", "return"),
        ("street_a", Role.STAFF, "village_a1", "confirm"),  # a street does not confirm for it
        ("street_a", Role.STATION_OPERATOR, "village_a1", "sign"),  # nor a station sign
        ("district", Role.STAFF, "village_a1", "sign"),  # the village's own street signs it
        ("street_a", Role.STATION_OPERATOR, "street_a", "sign"),
        ("district", Role.STATION_OPERATOR, "district", "sign"),
    ],
)
def test_only_the_right_level_and_role_acts(tree, act, home, role, target, action):
    a1 = tree.village_a1
    act(a1, Role.STAFF, a1, "confirm")
    before = SignOffEntry.objects.count()

    answer = act(getattr(tree, home), role, getattr(tree, target), action, reason="不对")

    assert answer.status_code == 403, answer.content
    assert SignOffEntry.objects.count() == before


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.LEADERSHIP])
def test_roles_that_never_sign_get_403(tree, act, role):
    assert act(tree.district, role, tree.district, "sign").status_code == 403
    assert act(tree.village_a1, role, tree.village_a1, "confirm").status_code == 403


def test_outside_the_subtree_the_organization_does_not_exist(tree, act, api_as, user_in):
    answer = act(tree.village_a1, Role.STAFF, tree.village_a2, "confirm")
    assert answer.status_code == 400
    assert "不存在" in answer.json()["organization"][0]
    answer = act(tree.street_b, Role.STAFF, tree.village_a1, "sign")
    assert answer.status_code == 400

    client = api_as(user_in(tree.village_a1, Role.STAFF))
    assert (
        client.get(SIGNOFFS, {"organization": tree.village_a2.pk, "period": "2024"}).status_code
        == 404
    )
    assert (
        client.get(SIGNOFFS, {"organization": tree.street_a.pk, "period": "2024"}).status_code
        == 404
    )


def test_bad_input_is_a_chinese_400_and_writes_nothing(tree, act, api_as, user_in):
    a1 = tree.village_a1
    answer = act(a1, Role.STAFF, a1, "confirm", period="2024-05")  # a month is not signed off
    assert answer.status_code == 400
    assert "季度" in answer.json()["period"][0]
    answer = act(a1, Role.STAFF, a1, "confirm", period="2999")
    assert answer.status_code == 400
    next_year = datetime.date.today().year + 1
    answer = act(a1, Role.STAFF, a1, "confirm", period=str(next_year))  # not ended
    assert answer.status_code == 400
    assert "结束" in str(answer.json())
    answer = act(tree.committee_a, Role.STAFF, tree.committee_a, "confirm")
    assert answer.status_code == 400
    client = api_as(user_in(a1, Role.STAFF))
    assert client.get(SIGNOFFS, {"period": "2024-05"}, **ZH).status_code == 400
    last_year = client.get(SIGNOFFS).json()  # without a period: the latest year that has ended
    assert last_year["period"] == str(datetime.date.today().year - 1)
    assert SignOff.objects.count() == 0
    assert SignOffEntry.objects.count() == 0


def test_a_repeated_act_answers_the_same_state_and_logs_once(tree, act):
    a1 = tree.village_a1

    first = act(a1, Role.STATION_OPERATOR, a1, "confirm")
    again = act(a1, Role.STATION_OPERATOR, a1, "confirm")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert SignOffEntry.objects.filter(act="confirm").count() == 1
    assert act(tree.street_a, Role.STAFF, a1, "sign").status_code == 201
    assert act(tree.street_a, Role.STAFF, a1, "sign").status_code == 200
    assert SignOffEntry.objects.filter(act="sign").count() == 1


def test_a_signed_period_cannot_be_confirmed_or_returned_again(tree, act):
    a1 = tree.village_a1
    act(a1, Role.STAFF, a1, "confirm")
    act(tree.street_a, Role.STAFF, a1, "sign")

    answer = act(a1, Role.STAFF, a1, "confirm")
    assert answer.status_code == 409
    assert "已签发" in answer.json()["detail"] or "不能" in answer.json()["detail"]
    assert act(tree.street_a, Role.STAFF, a1, "return", reason="再看看").status_code == 409
    assert state(a1) == "signed"


def test_a_return_needs_a_reason_and_sends_the_village_a_notice(tree, act, user_in):
    a1 = tree.village_a1
    operator = user_in(a1, Role.STATION_OPERATOR)
    act(a1, Role.STATION_OPERATOR, a1, "confirm")

    answer = act(tree.street_a, Role.STAFF, a1, "return", reason="  ")
    assert answer.status_code == 400
    assert "原因" in answer.json()["reason"][0]
    assert state(a1) == "confirmed"

    answer = act(tree.street_a, Role.STAFF, a1, "return", reason="培训人数与签到表不符")
    assert answer.status_code == 201
    assert answer.json()["stage"] == "returned"
    assert answer.json()["log"][-1]["reason"] == "培训人数与签到表不符"
    notice = Notice.objects.get(account=operator)
    assert notice.body == "培训人数与签到表不符"
    assert "退回" in notice.title
    assert f"organization={a1.pk}" in notice.link
    assert not Notice.objects.filter(account__organization=tree.street_a).exists()
    # the village corrects its records and confirms again; the street may sign then
    assert act(a1, Role.STATION_OPERATOR, a1, "confirm").status_code == 201
    assert act(tree.street_a, Role.STAFF, a1, "sign").status_code == 201


def _line(body, key):
    return next(line for s in body["sections"] for line in s["lines"] if line["key"] == key)


def test_frozen_figures_stay_and_a_later_change_is_a_correction(
    tree, act, api_as, browser_as, user_in
):
    counted_2024(tree)
    reader = api_as(user_in(tree.district, Role.STAFF))
    live = reader.get(ANNUAL, {"year": 2024}).json()
    assert live["state"] == "provisional" and live["corrections"] == {}
    held = _line(live, "events.family_education_held")["value"]

    sign_everything(tree, act)
    make_event(tree.village_a1, day=datetime.date(2024, 9, 1))  # a lecture entered late
    make_event(tree.village_b1, day=datetime.date(2024, 10, 1))

    after = reader.get(ANNUAL, {"year": 2024}).json()
    assert after["state"] == "signed" and after["signed_at"]
    line = _line(after, "events.family_education_held")
    assert line["value"] == held  # frozen
    assert line["correction"] == 2
    assert after["corrections"]["events.family_education_held"] == 2
    assert "events.themed_publicity_held" not in after["corrections"]  # unchanged: none
    # the village's own year was frozen at its own sign-off: one late lecture there
    village = reader.get(ANNUAL, {"year": 2024, "organization": tree.village_a1.pk}).json()
    assert village["corrections"]["events.family_education_held"] == 1

    client = browser_as(user_in(tree.district, Role.STAFF))
    html = client.get("/reports/annual/", {"year": 2024}, **ZH).content.decode()
    assert "+2 更正" in html
    assert "已签发" in html
    dashboard = client.get("/reports/", {"period": "2024"}, **ZH).content.decode()
    assert "+2 更正" in dashboard and "已签发" in dashboard


def test_the_draft_of_a_signed_year_reads_the_frozen_figures(tree, act, browser_as, user_in):
    """The draft's sentences and the Word file quote what was signed, as the lines above them
    do: a late record is a correction on the line, never a silently different sentence."""
    counted_2024(tree)
    DraftParagraph.objects.all().delete()
    DraftParagraph.objects.create(
        section="achievements",
        order=1,
        text="全年开展家庭教育活动{events.family_education_held}场次。",
    )
    staff = user_in(tree.district, Role.STAFF)
    client = browser_as(staff)
    before = client.get("/reports/annual/", {"year": 2024}, **ZH).content.decode()
    held = re.search(r"全年开展家庭教育活动(\d+)场次。", before).group(1)

    sign_everything(tree, act)
    make_event(tree.village_a1, day=datetime.date(2024, 9, 1))  # a lecture entered late

    after = client.get("/reports/annual/", {"year": 2024}, **ZH).content.decode()
    assert f"全年开展家庭教育活动{held}场次。" in after
    assert "+1 更正" in after
    with translation.override("zh-hans"):
        data = word.annual_draft_docx(user=staff, organization=tree.district, year=2024)
    paragraphs = [p.text for p in Document(BytesIO(data)).paragraphs]
    assert f"全年开展家庭教育活动{held}场次。" in paragraphs


def test_an_open_period_is_provisional_on_the_pages(tree, browser_as, user_in):
    counted_2024(tree)
    client = browser_as(user_in(tree.district, Role.STAFF))

    html = client.get("/reports/annual/", {"year": 2024}, **ZH).content.decode()
    dashboard = client.get("/reports/", {"period": "2024"}, **ZH).content.decode()

    assert "暂定" in html and "暂定" in dashboard
    assert "更正" not in html


def test_leadership_never_reads_a_small_number_from_a_correction(
    tree, act, api_as, browser_as, user_in
):
    counted_2024(tree)  # 10 cases received in 2024 across the district
    sign_everything(tree, act)
    leader = api_as(user_in(tree.district, Role.LEADERSHIP))
    staff = api_as(user_in(tree.district, Role.STAFF))
    d = datetime.date

    cases(tree.village_b1, [(d(2024, 11, 1), None), (d(2024, 11, 2), None)])  # two late
    body = leader.get(ANNUAL, {"year": 2024}).json()
    line = _line(body, "cases.received")
    assert line["value"] is None and line["correction"] is None
    assert "figures.cases.received" in body["suppressed"]
    assert "cases.received" not in body["corrections"]
    assert _line(staff.get(ANNUAL, {"year": 2024}).json(), "cases.received")["correction"] == 2

    cases(tree.village_b1, [(d(2024, 11, m), None) for m in (3, 4, 5, 6)])  # six late now
    body = leader.get(ANNUAL, {"year": 2024}).json()
    line = _line(body, "cases.received")
    assert (line["value"], line["correction"]) == (10, 6)
    assert "figures.cases.received" not in body["suppressed"]

    client = browser_as(user_in(tree.district, Role.LEADERSHIP))
    html = client.get("/reports/", {"period": "2024"}, **ZH).content.decode()
    assert "+6 更正" in html


def test_the_frozen_figures_are_the_reports_at_the_moment_of_signing(tree, act, api_as, user_in):
    counted_2024(tree)
    summary = api_as(user_in(tree.district, Role.STAFF)).get(
        "/api/v1/reports/summary/", {"period": "2024"}
    )
    sign_everything(tree, act)

    frozen = SignOff.objects.get(organization=tree.district, period="2024").figures
    assert frozen["figures"] == summary.json()["figures"]
    assert frozen["period"]["key"] == "2024"


def test_quarters_are_signed_off_too(tree, act, api_as, user_in):
    a1 = tree.village_a1
    assert act(a1, Role.STAFF, a1, "confirm", period="2024-Q4").status_code == 201
    assert act(tree.street_a, Role.STAFF, a1, "sign", period="2024-Q4").status_code == 201
    assert state(a1, "2024-Q4") == "signed" and state(a1, "2024") == "open"


@pytest.mark.django_db(transaction=True)
def test_two_sign_offs_of_one_period_at_once_leave_one_state_and_one_row(tree, user_in):
    from apps.reports import signoffs

    a1 = tree.village_a1
    period = signoffs.signoff_period("2024")
    signoffs.signoff_act(by=user_in(a1, Role.STAFF), organization=a1, period=period, act="confirm")
    signers = [user_in(tree.street_a, Role.STAFF), user_in(tree.street_a, Role.DISTRICT_ADMIN)]
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def sign(user):
        try:
            barrier.wait()
            outcomes.append(
                signoffs.signoff_act(by=user, organization=a1, period=period, act="sign").written
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(user,)) for user in signers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == [False, True]
    assert SignOff.objects.filter(organization=a1, period="2024").count() == 1
    assert state(a1) == "signed"
    assert SignOffEntry.objects.filter(act="sign").count() == 1


class EventsOnAReplica:
    """A router that sends every read of events to a database that is not there: a read left
    to the router fails, a read that names the primary does not."""

    def db_for_read(self, model, **hints):
        return "replica_not_configured" if model._meta.label == "events.Event" else None


def test_the_freeze_reads_the_primary_whatever_the_router_says(tree, act, settings):
    counted_2024(tree)
    a1 = tree.village_a1
    act(a1, Role.STAFF, a1, "confirm")
    settings.DATABASE_ROUTERS = [EventsOnAReplica()]
    from apps.reports import signoffs

    outcome = signoffs.signoff_act(
        by=UserFactory(organization=tree.street_a, role=Role.STAFF),
        organization=a1,
        period=signoffs.signoff_period("2024"),
        act="sign",
    )

    assert outcome.signoff.figures["figures"]["events"]["held"] == 3
    with pytest.raises(Exception, match="replica_not_configured"):
        list(Event.objects.all())  # the router is in force: only the named primary answered


def test_the_pages_buttons_go_through_the_same_rules(tree, browser_as, user_in):
    a1 = tree.village_a1
    form = {"organization": a1.pk, "page": a1.pk, "period": "2024", "act": "confirm"}

    leader = browser_as(user_in(a1, Role.LEADERSHIP))
    assert leader.post("/reports/signoffs/", form).status_code == 403
    staff = browser_as(user_in(a1, Role.STAFF))
    answer = staff.post("/reports/signoffs/", {**form, "period": "2024-05"}, **ZH)
    assert answer.status_code == 400
    assert "季度" in answer.content.decode()
    outside = {**form, "organization": tree.village_a2.pk}
    assert staff.post("/reports/signoffs/", outside).status_code == 404
    assert SignOffEntry.objects.count() == 0

    answer = staff.post("/reports/signoffs/", form, follow=True, **ZH)
    assert answer.status_code == 200
    assert state(a1) == "confirmed"
    assert "村（社区）已确认" in answer.content.decode()
    answer = staff.post("/reports/signoffs/", {**form, "act": "sign"}, follow=True, **ZH)
    assert "不能" in answer.content.decode()  # not its level: said on the page, nothing written
    assert SignOffEntry.objects.count() == 1
