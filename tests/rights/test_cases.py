"""Cases: who reads what (docs/roles.md), the access log of full reads, every move of the
status table, bad input refused whole, and history that knows a narrative changed without
keeping its text (docs/rights.md, Cases)."""

import datetime
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.models import AccessLog
from apps.rights.choices import CaseStatus
from apps.rights.models import Case, CaseCounter, CaseParty, FollowUp
from apps.rights.selectors import cases as selectors
from apps.rights.services import cases as services
from tests.factories.identity import make_id_number
from tests.registry import make_case, station_of
from tests.roles_table import CASE_FULL_READERS, RIGHTS, ROLES

pytestmark = pytest.mark.django_db

CASES = "/api/v1/rights/cases/"
NARRATIVE = "丈夫多次殴打，求助人要求保护。"
SEEKER = "王秀梅"
# What the masked shape holds, and nothing else (docs/roles.md, product rules).
MASKED_FIELDS = {
    *("id", "organization", "number", "station", "received_on", "channel", "category"),
    *("risk", "status", "outcome", "updated_at", "version", "deleted"),
}


def case_logs(case):
    return AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_id=case.pk
    )


def intake_body(at, **fields):
    return {
        "station": at.pk,
        "received_at": "2026-03-08T09:30:00+08:00",
        "channel": "visit",
        "category": "domestic_violence",
        "risk": "high",
        "consent_to_record": True,
        "narrative": NARRATIVE,
        "parties": [{"role": "seeker", "name": SEEKER, "gender": "female"}],
        "client_id": "00000000-0000-4000-8000-0000000000c1",
        **fields,
    }


# --- Who reads what -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_shape_the_roles_table_gives_it(tree, user_in, api_as, role):
    case = make_case(tree.village_a1)
    client = api_as(user_in(tree.village_a1, role))

    listed = client.get(CASES)
    page = client.get(f"{CASES}{case.pk}/")

    if role not in RIGHTS["case"]["view"]:
        assert (listed.status_code, page.status_code) == (403, 403)
        return
    assert listed.status_code == page.status_code == 200
    assert listed["Cache-Control"] == page["Cache-Control"] == "no-store"
    (row,) = listed.json()["results"]
    assert set(row) == MASKED_FIELDS  # every list is masked, for full readers too
    if role in CASE_FULL_READERS:
        assert page.json()["narrative"] == NARRATIVE
        assert page.json()["parties"][0]["name"] == SEEKER
    else:
        assert set(page.json()) == MASKED_FIELDS
    for answer in (listed, page):
        assert NARRATIVE not in answer.content.decode() or role in CASE_FULL_READERS
        assert SEEKER not in listed.content.decode()


def test_a_station_operator_reads_only_its_own_organizations_cases(tree, user_in, api_as):
    below = make_case(tree.village_a1)
    street_case = make_case(tree.street_a)
    operator = api_as(user_in(tree.street_a, "station_operator"))
    worker = api_as(user_in(tree.street_a, "case_worker"))

    assert operator.get(f"{CASES}{below.pk}/").status_code == 404
    assert [r["id"] for r in operator.get(CASES).json()["results"]] == [street_case.pk]
    assert {r["id"] for r in worker.get(CASES).json()["results"]} == {below.pk, street_case.pk}
    assert worker.get(f"{CASES}{below.pk}/").json()["narrative"] == NARRATIVE


def test_a_list_page_costs_the_same_queries_for_one_case_or_many(
    tree, user_in, api_as, django_assert_num_queries
):
    client = api_as(user_in(tree.village_a1, "staff"))
    make_case(tree.village_a1)
    client.get(CASES)  # warm the caches every request fills once
    with django_assert_num_queries(3):  # the token, the count, the page (joins included)
        client.get(CASES)
    for _ in range(3):
        make_case(tree.village_a1)
    with django_assert_num_queries(3):
        answer = client.get(CASES)
    assert answer.json()["count"] == 4


def test_the_follow_ups_of_a_case_show_their_notes_to_full_readers_only(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    services.case_transition(by=worker, case=case, to="closed", outcome="mediated")
    services.followup_add(
        by=worker, case=case, visited_on=timezone.localdate(), method="visit", note="已搬离"
    )

    seen_by_worker = api_as(worker).get(f"{CASES}{case.pk}/followups/").json()
    seen_by_admin = (
        api_as(user_in(tree.village_a1, "district_admin"))
        .get(f"{CASES}{case.pk}/followups/")
        .json()
    )

    assert [f["note"] for f in seen_by_worker] == ["已搬离"]
    assert [f["note"] for f in seen_by_admin] == [None]


# --- The access log ------------------------------------------------------------------------


def test_a_full_read_is_logged_and_a_list_or_a_masked_page_is_not(tree, user_in, api_as):
    case = make_case(tree.village_a1)
    worker = user_in(tree.village_a1, "case_worker")
    admin = user_in(tree.village_a1, "district_admin")

    api_as(worker).get(CASES)
    api_as(admin).get(f"{CASES}{case.pk}/")
    assert not case_logs(case).exists()

    api_as(worker).get(f"{CASES}{case.pk}/")
    (log,) = case_logs(case)
    assert (log.user, log.through) == (worker, "api")


def test_district_admins_read_the_log_and_nobody_changes_it_through_the_app(tree, user_in):
    from apps.organizations.roles import role_has_perm

    for role in ROLES:
        assert not role_has_perm(role, "core.change_accesslog")
        assert not role_has_perm(role, "core.delete_accesslog")


# --- The life cycle --------------------------------------------------------------------------

MOVES = {  # from → the statuses it may move to (docs/rights.md, Cases)
    "registered": {"accepted", "closed"},
    "accepted": {"in_intervention", "closed"},
    "in_intervention": {"closed"},
    "closed": {"in_intervention"},
}


def case_at(tree, worker, status):
    case = make_case(tree.village_a1, by=worker, consent_to_refer=True)
    path = {
        "registered": [],
        "accepted": ["accepted"],
        "in_intervention": ["accepted", "in_intervention"],
        "closed": ["closed"],
    }[status]
    for to in path:
        extra = {"outcome": "mediated"} if to == "closed" else {}
        case = services.case_transition(by=worker, case=case, to=to, **extra)
    return case


@pytest.mark.parametrize(
    ("source", "to"),
    list(itertools.product(MOVES, ["accepted", "in_intervention", "closed"])),
)
def test_every_move_of_the_table_and_no_other(tree, user_in, api_as, source, to):
    worker = user_in(tree.village_a1, "case_worker")
    case = case_at(tree, worker, source)
    body = {"to": to, "version": case.version, "note": "依程序"}
    if to == "closed":
        body["outcome"] = "legal_aid"

    answer = api_as(worker).post(f"{CASES}{case.pk}/transition/", body, format="json")
    case.refresh_from_db()

    if to in MOVES[source]:
        assert answer.status_code == 200, answer.content
        assert case.status == to
        assert case.history.first().history_change_reason == "依程序"
        assert (case.outcome, case.closed_at is not None) == (
            ("legal_aid", True) if to == "closed" else ("", False)
        )
    else:
        assert answer.status_code == 409
        assert answer.json()["code"] == "illegal_move"
        assert case.status == source


def test_closing_without_an_outcome_or_referring_without_consent_is_refused(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)  # no consent to refer
    client = api_as(worker)

    bare = client.post(
        f"{CASES}{case.pk}/transition/", {"to": "closed", "version": 1}, format="json"
    )
    referred = client.post(
        f"{CASES}{case.pk}/transition/",
        {"to": "closed", "version": 1, "outcome": "referred_police"},
        format="json",
    )
    case.refresh_from_db()

    assert bare.status_code == referred.status_code == 400
    assert "outcome" in bare.json() and "同意" in str(referred.json()["outcome"])
    assert (case.status, case.version) == (CaseStatus.REGISTERED, 1)


def test_the_roles_that_read_masked_may_not_move_a_case(tree, user_in, api_as):
    case = make_case(tree.village_a1)
    for role in ("district_admin", "staff", "leadership"):
        answer = api_as(user_in(tree.village_a1, role)).post(
            f"{CASES}{case.pk}/transition/", {"to": "accepted", "version": 1}, format="json"
        )
        assert answer.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REGISTERED


def test_a_follow_up_before_closing_is_refused_after_it_is_kept(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    client = api_as(worker)
    body = {"visited_on": timezone.localdate().isoformat(), "method": "phone", "note": "电话回访"}
    body["client_id"] = "00000000-0000-4000-8000-000000000301"

    early = client.post(f"{CASES}{case.pk}/followups/", body, format="json")
    services.case_transition(by=worker, case=case, to="closed", outcome="withdrawn")
    late = client.post(f"{CASES}{case.pk}/followups/", body, format="json")

    assert early.status_code == 400 and "结案" in str(early.json())
    assert late.status_code == 201
    assert FollowUp.objects.filter(case=case).count() == 1


def test_a_reopened_case_loses_its_outcome_and_the_history_keeps_it(tree, user_in):
    worker = user_in(tree.village_a1, "case_worker")
    case = case_at(tree, worker, "closed")

    case = services.case_transition(by=worker, case=case, to="in_intervention", note="再次求助")

    assert (case.status, case.outcome, case.closed_at) == ("in_intervention", "", None)
    assert "mediated" in case.history.values_list("outcome", flat=True)


# --- Intake and bad input ----------------------------------------------------------------------


def test_an_intake_numbers_the_case_in_its_district_and_year(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, "station_operator"))
    station = station_of(tree.village_a1)

    first = client.post(CASES, intake_body(station), format="json")
    second = client.post(
        CASES,
        intake_body(station, client_id="00000000-0000-4000-8000-0000000000c2"),
        format="json",
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert [first.json()["number"], second.json()["number"]] == ["WQ-2026-00001", "WQ-2026-00002"]
    assert first["Cache-Control"] == "no-store"
    assert Case.objects.get(pk=first.json()["id"]).organization == tree.village_a1


BAD = {
    "a station of another village": lambda tree: {"station": station_of(tree.village_a2).pk},
    "names without consent": lambda tree: {"consent_to_record": False},
    "an anonymous party with a name": lambda tree: {
        "parties": [{"role": "seeker", "anonymous": True, "name": "某某"}]
    },
    "a wrong ID number": lambda tree: {
        "parties": [{"role": "seeker", "name": "某某", "id_number": "110105198503080001"}]
    },
    "a narrative over the limit": lambda tree: {"narrative": "很" * 5001},
    "an unknown category": lambda tree: {"category": "witchcraft"},
    "a closed station": lambda tree: {
        "station": station_of(tree.village_a1, name="旧站", closed_on=datetime.date(2025, 1, 1)).pk
    },
    "no channel": lambda tree: {"channel": None},
}


@pytest.mark.parametrize("bad", BAD)
def test_bad_input_gets_a_chinese_message_and_saves_nothing(tree, user_in, api_as, bad):
    client = api_as(user_in(tree.village_a1, "station_operator"))
    body = intake_body(station_of(tree.village_a1), **BAD[bad](tree))

    answer = client.post(CASES, body, format="json")

    assert answer.status_code == 400, answer.content
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(answer.json()))  # said in Chinese
    assert not Case.objects.exists() and not CaseParty.objects.exists()
    assert not CaseCounter.objects.filter(last__gt=0).exists()  # no number used up


def test_a_station_operator_may_not_register_at_a_station_below_it(tree, user_in):
    operator = user_in(tree.street_a, "station_operator")
    with pytest.raises(ValidationError, match="station"):
        make_case(tree.village_a1, by=operator)
    assert not Case.objects.exists()


# --- History -----------------------------------------------------------------------------------


def test_history_records_that_the_narrative_changed_without_its_text(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    before = case.narrative_changed_at

    answer = api_as(worker).patch(
        f"{CASES}{case.pk}/", {"version": 1, "narrative": "新的陈述：已报警。"}, format="json"
    )

    assert answer.status_code == 200, answer.content
    rows = list(case.history.order_by("history_id"))
    assert len(rows) == 2 and rows[1].narrative_changed_at > before
    assert not hasattr(rows[1], "narrative")
    fields = {f.name for f in Case.history.model._meta.fields}
    assert "narrative" not in fields and "narrative_changed_at" in fields
    party_fields = {f.name for f in CaseParty.history.model._meta.fields}
    assert not {"name", "id_number", "phone", "note"} & party_fields
    assert "identity_changed_at" in party_fields


# --- Linking a party to her earlier cases ------------------------------------------------------


def test_a_case_worker_links_a_party_to_her_earlier_case_by_id_number(tree, user_in):
    worker = user_in(tree.street_a, "case_worker")
    number = make_id_number(datetime.date(1985, 3, 8), "female", sequence=3)
    earlier = make_case(
        tree.village_a2,
        by=worker,
        received_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
        parties=[{"role": "seeker", "name": SEEKER, "id_number": number}],
    )
    later = make_case(tree.village_a1, by=worker)
    party = later.parties.get()

    services.party_link(by=worker, party=party, id_number=number)

    assert party.linked_to == earlier.parties.get()
    assert list(selectors.earlier_cases(party=party, user=worker)) == [earlier]
    operator = user_in(tree.village_a1, "station_operator")
    with pytest.raises(PermissionDenied):  # linking is the case workers' alone
        services.party_link(by=operator, party=party, id_number=number)
    sibling = user_in(tree.village_a1, "case_worker")  # a village's worker: A2 is not its own
    with pytest.raises(ValidationError, match="id_number"):
        services.party_link(by=sibling, party=party, id_number=number)


# --- Attachments -------------------------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_cases_files_are_for_full_readers_and_each_download_is_logged(
    tree, user_in, api_as, media_root
):
    from apps.files.models import Download
    from tests.registry import make_attachment

    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    attachment = make_attachment(tree.village_a1, record=case, user=worker, name="伤情.jpg")
    files = f"{CASES}{case.pk}/attachments/"

    for role in ("district_admin", "staff"):
        client = api_as(user_in(tree.village_a1, role))
        assert client.get(files).status_code == 403
        assert client.get(f"{files}{attachment.pk}/").status_code == 403
    listed = api_as(worker).get(files)
    downloaded = api_as(worker).get(f"{files}{attachment.pk}/")

    assert listed.status_code == downloaded.status_code == 200
    assert [log.through for log in case_logs(case)] == ["file"]  # the list is not a full read
    assert Download.objects.filter(attachment=attachment, user=worker).count() == 1


# --- Retries, categories -------------------------------------------------------------------


def test_a_retried_intake_answers_with_the_stored_case_and_uses_no_second_number(
    tree, user_in, api_as
):
    client = api_as(user_in(tree.village_a1, "station_operator"))
    body = intake_body(station_of(tree.village_a1))

    first = client.post(CASES, body, format="json")
    again = client.post(CASES, body, format="json")
    other = client.post(CASES, {**body, "risk": "low"}, format="json")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json()["number"] == first.json()["number"] == "WQ-2026-00001"
    assert CaseCounter.objects.get().last == 1
    assert CaseParty.objects.count() == 1


def test_the_categories_are_seeded_with_their_fixed_codes_and_chinese_names():
    from apps.rights.models import CaseCategory

    assert dict(CaseCategory.objects.values_list("code", "name")) == {
        "domestic_violence": "家庭暴力",
        "marriage_family": "婚姻家庭纠纷",
        "support_custody": "赡养抚养监护",
        "property": "财产权益",
        "employment": "劳动就业",
        "personal_rights": "人身权利",
        "childrens_rights": "儿童权益",
        "other": "其他",
    }


def test_a_station_changes_its_case_and_the_masked_roles_may_not(tree, user_in, api_as):
    operator = user_in(tree.village_a1, "station_operator")
    case = make_case(tree.village_a1, by=operator)
    url = f"{CASES}{case.pk}/"

    for role in ("district_admin", "staff", "leadership"):
        answer = api_as(user_in(tree.village_a1, role)).patch(
            url, {"version": 1, "risk": "low"}, format="json"
        )
        assert answer.status_code == 403
    changed = api_as(operator).patch(
        url, {"version": 1, "risk": "urgent", "station": 999, "number": "X"}, format="json"
    )

    assert changed.status_code == 200, changed.content
    case.refresh_from_db()
    assert (case.risk, case.version, case.number) == ("urgent", 2, "WQ-2026-00001")
    assert changed["Cache-Control"] == "no-store"


def test_no_move_leads_back_to_registered_or_to_an_unknown_status(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = case_at(tree, worker, "accepted")
    client = api_as(worker)

    for to in ("registered", "archived"):
        answer = client.post(
            f"{CASES}{case.pk}/transition/", {"to": to, "version": case.version}, format="json"
        )
        assert answer.status_code == 400
        assert answer.json()["to"] == ["未知的状态。"]
    case.refresh_from_db()
    assert case.status == "accepted"


# --- Parties after intake ------------------------------------------------------------------


def test_parties_are_read_by_full_readers_only_and_each_read_is_logged(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    url = f"{CASES}{case.pk}/parties/"

    for role in ("district_admin", "staff"):
        answer = api_as(user_in(tree.village_a1, role)).get(url)
        assert answer.status_code == 403 and SEEKER not in answer.content.decode()
    assert not case_logs(case).exists()
    read = api_as(worker).get(url)

    assert [p["name"] for p in read.json()] == [SEEKER]
    assert [log.through for log in case_logs(case)] == ["api"]


def test_a_party_named_after_intake_follows_the_consent_rules(tree, user_in, api_as):
    operator = user_in(tree.village_a1, "station_operator")
    consented = make_case(tree.village_a1, by=operator)
    anonymous = make_case(
        tree.village_a1,
        by=operator,
        consent_to_record=False,
        parties=[{"role": "seeker", "anonymous": True}],
    )
    client = api_as(operator)
    witness = {"role": "witness", "name": "李四", "phone": "13800000000"}
    witness["client_id"] = "00000000-0000-4000-8000-000000000302"

    added = client.post(f"{CASES}{consented.pk}/parties/", witness, format="json")
    witness["client_id"] = "00000000-0000-4000-8000-000000000303"
    refused = client.post(f"{CASES}{anonymous.pk}/parties/", witness, format="json")

    assert added.status_code == 201, added.content
    assert refused.status_code == 400 and "匿名" in str(refused.json())
    assert consented.parties.count() == 2 and anonymous.parties.count() == 1
    assert consented.parties.get(role="witness").identity_changed_at is not None


def test_a_command_registers_a_case_as_the_system(tree):
    """A management command or an import acts as SYSTEM (docs/api-machinery.md), which has no
    role: it registers at any station, the number continuing the series."""
    from apps.core.actors import SYSTEM

    case = make_case(tree.village_a1, by=SYSTEM)

    assert case.number.startswith("WQ-2026-") and case.status == CaseStatus.REGISTERED
