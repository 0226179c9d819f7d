"""Cases in the admin: the list, the page, the export, the history and the search show a
district admin and staff nothing of a narrative or a party; a case worker's page is in full,
logged and not cached (docs/rights.md, Cases)."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.core.models import AccessLog
from apps.rights.models import Case, CaseCategory, CaseCounter, CaseParty
from apps.rights.services import cases as services
from tests.registry import make_case, station_of

pytestmark = pytest.mark.django_db

LIST = "/admin/rights/case/"
NARRATIVE = "丈夫多次殴打，求助人要求保护。"
NOTE = "再次遭受殴打，已报警"
SECRETS = (NARRATIVE, "王秀梅", NOTE)
MASKED_ROLES = ("district_admin", "staff")


def page(case):
    return f"{LIST}{case.pk}/change/"


def full_reads(case):
    return AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_id=case.pk
    )


def shown(answer) -> str:
    return answer.content.decode()


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_the_masked_roles_see_no_narrative_and_no_party_anywhere(tree, user_in, browser_as, role):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    services.case_update(by=worker, case=case, narrative=NARRATIVE + "补充")
    services.case_transition(by=worker, case=case, to="accepted", note=NOTE)
    client = browser_as(user_in(tree.village_a1, role))

    answers = {
        "list": client.get(LIST),
        "page": client.get(page(case)),
        "history": client.get(f"{LIST}{case.pk}/history/"),
    }
    search = client.get(LIST, {"q": "王秀梅"})  # the box searches numbers, never names
    export = client.post(
        LIST, {"action": "export_to_excel", "_selected_action": [case.pk]}, follow=False
    )

    for name, answer in answers.items():
        assert answer.status_code == 200, name
        for secret in SECRETS:
            assert secret not in shown(answer), name
    assert case.number in shown(answers["list"])
    assert answers["page"].status_code == 200 and case.number in shown(answers["page"])
    assert "no-store" in answers["page"]["Cache-Control"]
    assert search.context["cl"].result_count == 0
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert case.number in cells
    assert not any(secret in cells for secret in SECRETS)
    assert not full_reads(case).exclude(through="export").exists()


def test_a_case_workers_page_is_in_full_logged_and_not_cached(tree, user_in, browser_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    client = browser_as(worker)

    listed = client.get(LIST)
    assert NARRATIVE not in shown(listed) and not full_reads(case).exists()
    answer = client.get(page(case))

    assert answer.status_code == 200
    assert NARRATIVE in shown(answer) and "王秀梅" in shown(answer)
    assert "no-store" in answer["Cache-Control"]
    (log,) = full_reads(case)
    assert (log.user, log.through) == (worker, "admin")
    services.case_transition(by=worker, case=case, to="accepted", note=NOTE)
    assert NOTE in shown(client.get(f"{LIST}{case.pk}/history/"))  # why, for those who may


def test_a_case_worker_moves_a_case_from_the_admin_with_the_same_rules(tree, user_in, browser_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    client = browser_as(worker)
    url = f"{LIST}{case.pk}/transition/"

    bare = client.post(url, {"to": "closed", "note": ""})
    closed = client.post(url, {"to": "closed", "outcome": "mediated", "note": "调解成功"})
    case.refresh_from_db()

    assert bare.status_code == 200  # the page again, with the message
    assert closed.status_code == 302
    assert (case.status, case.outcome) == ("closed", "mediated")


def test_a_masked_role_may_not_move_or_change_a_case(tree, user_in, browser_as):
    case = make_case(tree.village_a1)
    client = browser_as(user_in(tree.village_a1, "district_admin"))

    moved = client.post(f"{LIST}{case.pk}/transition/", {"to": "accepted", "note": ""})
    changed = client.post(page(case), {"risk": "low"})
    case.refresh_from_db()

    assert moved.status_code == 403
    assert changed.status_code == 403
    assert (case.status, case.risk, case.version) == ("registered", "medium", 1)


def test_district_admins_read_the_log_of_full_reads_and_nobody_changes_it(
    tree, user_in, browser_as
):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    browser_as(worker).get(page(case))
    (log,) = full_reads(case)
    url = "/admin/core/accesslog/"
    admin = browser_as(user_in(tree.street_a, "district_admin"))

    listed = admin.get(url)

    assert listed.status_code == 200 and worker.username in shown(listed)
    assert admin.get(f"{url}{log.pk}/change/").status_code == 200  # a read-only page
    assert admin.post(f"{url}{log.pk}/change/", {"through": "x"}).status_code == 403
    assert admin.post(f"{url}{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get(f"{url}add/").status_code == 403
    for role in ("staff", "case_worker"):
        assert browser_as(user_in(tree.street_a, role)).get(url).status_code == 403
    sibling = browser_as(user_in(tree.street_b, "district_admin")).get(url)
    assert worker.username not in shown(sibling)
    full_reads(case).get()  # still the one row, unchanged


def change_body(case, **fields):
    """The change form as the page sends it, with ``fields`` changed."""
    local = timezone.localtime(case.received_at)
    body = {
        "received_at_0": local.date().isoformat(),
        "received_at_1": local.strftime("%H:%M:%S"),
        "channel": case.channel,
        "category": case.category_id,
        "risk": case.risk,
        "narrative": case.narrative,
        **({"consent_to_record": "on"} if case.consent_to_record else {}),
        **({"consent_to_refer": "on"} if case.consent_to_refer else {}),
    }
    counts = (("parties", case.parties.count()), ("followups", 0), ("referrals", 0))
    for prefix, count in counts:
        body |= {f"{prefix}-TOTAL_FORMS": str(count), f"{prefix}-INITIAL_FORMS": str(count)}
        body |= {f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, party in enumerate(case.parties.order_by("role", "id")):
        body |= {f"parties-{index}-id": str(party.pk), f"parties-{index}-case": str(case.pk)}
        for name in ("role", "name", "gender", "id_number", "phone", "note"):
            body[f"parties-{index}-{name}"] = getattr(party, name)
        if party.anonymous:
            body[f"parties-{index}-anonymous"] = "on"
    body.update(fields)
    return {name: value for name, value in body.items() if value is not None}


def test_a_case_worker_changes_a_case_in_the_admin_under_the_services_rules(
    tree, user_in, browser_as
):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    client = browser_as(worker)

    withdrawn = client.post(page(case), change_body(case, consent_to_record=None))
    changed = client.post(page(case), change_body(case, risk="urgent", narrative="已报警。"))
    case.refresh_from_db()

    assert withdrawn.status_code == 200  # the page again, with the message, nothing saved
    assert "请先将其改为匿名" in shown(withdrawn)
    assert changed.status_code == 302, shown(changed)[:3000]
    assert (case.risk, case.narrative, case.consent_to_record) == ("urgent", "已报警。", True)
    assert case.history.first().narrative_changed_at == case.narrative_changed_at


def intake(station, **fields):
    body = {
        "station": station.pk,
        "received_at_0": "2026-03-08",
        "received_at_1": "09:30:00",
        "channel": "visit",
        "category": CaseCategory.objects.get(code="domestic_violence").pk,
        "risk": "high",
        "consent_to_record": "on",
        "narrative": NARRATIVE,
        "seeker_name": "王秀梅",
        "seeker_gender": "female",
        **fields,
    }
    return {name: value for name, value in body.items() if value is not None}


def test_a_case_worker_registers_a_case_in_the_admin_under_the_intakes_rules(
    tree, user_in, browser_as
):
    client = browser_as(user_in(tree.street_a, "case_worker"))
    mine = station_of(tree.village_a1)
    theirs = station_of(tree.village_b1)

    refused = {
        "no consent": client.post(f"{LIST}add/", intake(mine, consent_to_record=None)),
        "another street's station": client.post(f"{LIST}add/", intake(theirs)),
        "a closed station": client.post(
            f"{LIST}add/",
            intake(station_of(tree.village_a1, name="旧站", closed_on=datetime.date(2025, 1, 1))),
        ),
    }
    assert not Case.objects.exists() and not CaseCounter.objects.filter(last__gt=0).exists()
    added = client.post(f"{LIST}add/", intake(mine))

    for name, answer in refused.items():
        assert answer.status_code == 200, name  # the form again, with its message
        assert answer.context["adminform"].form.errors, name
    assert added.status_code == 302, shown(added)[:2000]
    case = Case.objects.get()
    assert (case.number, case.organization, case.narrative) == (
        "WQ-2026-00001",
        tree.village_a1,
        NARRATIVE,
    )
    assert list(case.parties.values_list("role", "name")) == [("seeker", "王秀梅")]


def test_the_masked_roles_may_not_register_a_case_in_the_admin(tree, user_in, browser_as):
    for role in ("district_admin", "staff"):
        client = browser_as(user_in(tree.village_a1, role))
        assert client.get(f"{LIST}add/").status_code == 403
        assert client.post(f"{LIST}add/", intake(station_of(tree.village_a1))).status_code == 403
    assert not Case.objects.exists()


def test_a_case_worker_names_changes_and_removes_parties_on_the_cases_page(
    tree, user_in, browser_as
):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    seeker = case.parties.get()
    client = browser_as(worker)
    witness = {
        "parties-TOTAL_FORMS": "2",
        "parties-1-role": "witness",
        "parties-1-name": "李四",
        "parties-1-case": str(case.pk),
    }

    added = client.post(page(case), change_body(case, **witness))
    renamed = client.post(page(case), change_body(case, **{"parties-0-name": "王秀兰"}))
    witness_row = case.parties.get(role="witness")
    index = list(case.parties.order_by("role", "id")).index(witness_row)
    removed = client.post(page(case), change_body(case, **{f"parties-{index}-DELETE": "on"}))

    assert added.status_code == renamed.status_code == removed.status_code == 302
    seeker.refresh_from_db()
    assert seeker.name == "王秀兰" and seeker.identity_changed_at is not None
    assert list(case.parties.values_list("role", flat=True)) == ["seeker"]
    assert "王秀" not in str(list(CaseParty.history.filter(id=seeker.pk).values()))
    assert list(
        CaseParty.history.filter(id=witness_row.pk).values_list("history_type", flat=True)
    ) == ["-", "+"]


def test_the_cases_page_refuses_a_party_against_the_rules_and_saves_nothing(
    tree, user_in, browser_as
):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(
        tree.village_a1,
        by=worker,
        consent_to_record=False,
        parties=[{"role": "seeker", "anonymous": True}],
    )
    client = browser_as(worker)

    named = client.post(
        page(case), change_body(case, **{"parties-0-name": "王秀梅", "parties-0-anonymous": None})
    )
    case = services.case_transition(by=worker, case=case, to="closed", outcome="mediated")
    removed = client.post(page(case), change_body(case, **{"parties-0-DELETE": "on"}))

    assert named.status_code == removed.status_code == 200  # the page again, with the message
    assert "匿名" in shown(named) and "已结案" in shown(removed)
    assert case.parties.get().name == ""
