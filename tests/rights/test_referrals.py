"""Referrals through the green channel (docs/rights.md, Referrals): consent, the receiver's
reach over exactly the referred case (docs/scoping.md, exception two), the moves with
``version``, and the answers kept in the history."""

import datetime
import uuid

import pytest
from django.utils import timezone

from apps.organizations.models import Kind
from apps.organizations.roles import Role
from apps.rights.models import Referral
from apps.rights.services import cases as case_services
from apps.rights.services import referrals as services
from tests.factories.organizations import make_org
from tests.registry import make_case, make_referral, station_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/rights/referrals/"
CASES = "/api/v1/rights/cases/"


@pytest.fixture
def center(tree):
    """The district's legal service center: a committee under the district with its station."""
    organization = make_org(tree.district, Kind.COMMITTEE, "区妇女儿童法律服务中心", sector="organ")
    station_of(organization, kind="legal_center", name="区妇女儿童法律服务中心")
    return organization


@pytest.fixture
def worker(tree, user_in):
    return user_in(tree.village_a1, Role.CASE_WORKER)


@pytest.fixture
def lawyer(center, user_in):
    return user_in(center, Role.CASE_WORKER)


def accepted_case(organization, by, **fields):
    case = make_case(organization, by=by, consent_to_refer=True, **fields)
    return case_services.case_transition(by=by, case=case, to="accepted")


def body(case, **fields):
    return {
        "client_id": str(uuid.uuid4()),
        "case": case.pk,
        "reason": "需要法律援助",
        **fields,
    }


def test_a_case_worker_refers_a_case_to_the_center_and_it_goes_into_intervention(
    tree, center, worker, api_as
):
    case = accepted_case(tree.village_a1, worker)

    answer = api_as(worker).post(URL, body(case, to_organization=center.pk), format="json")

    assert answer.status_code == 201, answer.content
    referral = Referral.objects.get()
    assert (referral.organization, referral.to_organization, referral.status) == (
        tree.village_a1,
        center,
        "sent",
    )
    case.refresh_from_db()
    assert case.status == "in_intervention"
    # Medium risk: a week to answer, by default.
    assert referral.due_at - referral.sent_at == datetime.timedelta(hours=168)


def test_a_retried_post_makes_one_referral(tree, center, worker, api_as):
    case = accepted_case(tree.village_a1, worker)
    sent = body(case, to_organization=center.pk)
    client = api_as(worker)

    first = client.post(URL, sent, format="json")
    again = client.post(URL, sent, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert Referral.objects.count() == 1


def test_without_consent_to_refer_nothing_is_sent(tree, center, worker, api_as):
    case = make_case(tree.village_a1, by=worker)  # consent_to_refer is off
    case = case_services.case_transition(by=worker, case=case, to="accepted")

    answer = api_as(worker).post(URL, body(case, to_organization=center.pk), format="json")

    assert answer.status_code == 400
    assert "同意" in answer.json()["case"][0]
    assert not Referral.objects.exists()
    case.refresh_from_db()
    assert case.status == "accepted"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({}, "to_organization", "一个接收方"),  # no receiver
        ({"outside_kind": "police"}, "outside_name", "名称"),
        (
            {"outside_kind": "police", "outside_name": "派出所", "to": "center"},
            "to_organization",
            "",
        ),
    ],
)
def test_one_receiver_with_a_name(tree, center, worker, api_as, fields, field, words):
    case = accepted_case(tree.village_a1, worker)
    if fields.pop("to", None):
        fields["to_organization"] = center.pk

    answer = api_as(worker).post(URL, body(case, **fields), format="json")

    assert answer.status_code == 400, answer.content
    assert words in answer.json()[field][0]
    assert not Referral.objects.exists()


def test_a_sibling_village_is_no_receiver(tree, worker, api_as):
    case = accepted_case(tree.village_a1, worker)

    answer = api_as(worker).post(URL, body(case, to_organization=tree.village_a2.pk), format="json")

    assert answer.status_code == 400
    assert "法律服务中心" in answer.json()["to_organization"][0]


def test_a_registered_or_closed_case_is_not_referred(tree, center, worker, api_as):
    registered = make_case(tree.village_a1, by=worker, consent_to_refer=True)
    closed = case_services.case_transition(
        by=worker,
        case=make_case(tree.village_a1, by=worker, consent_to_refer=True),
        to="closed",
        outcome="mediated",
    )
    client = api_as(worker)

    for case, words in ((registered, "受理"), (closed, "结案")):
        answer = client.post(URL, body(case, to_organization=center.pk), format="json")
        assert answer.status_code == 400
        assert words in answer.json()["case"][0]
    assert not Referral.objects.exists()


def test_sharing_identity_needs_the_consent_to_record(tree, center, worker, api_as):
    case = accepted_case(
        tree.village_a1, worker, consent_to_record=False, parties=[{"role": "seeker"}]
    )

    answer = api_as(worker).post(
        URL, body(case, to_organization=center.pk, share_identity=True), format="json"
    )

    assert answer.status_code == 400
    assert "share_identity" in answer.json()


def test_the_center_sees_no_village_case_then_exactly_the_referred_one_then_none_once_closed(
    tree, center, worker, lawyer, api_as
):
    referred = accepted_case(tree.village_a1, worker)
    other = accepted_case(tree.village_a1, worker)
    client = api_as(lawyer)

    assert client.get(CASES).json()["count"] == 0
    assert client.get(f"{CASES}{referred.pk}/").status_code == 404

    make_referral(
        tree.village_a1,
        by=worker,
        case=referred,
        to_organization=center,
        outside_kind="",
        outside_name="",
    )

    listed = client.get(CASES).json()
    assert [row["id"] for row in listed["results"]] == [referred.pk]
    page = client.get(f"{CASES}{referred.pk}/")
    assert page.status_code == 200
    assert page.json()["narrative"]  # a case worker reads it in full, logged
    assert page.json()["referrals"][0]["status"] == "sent"
    assert client.get(f"{CASES}{other.pk}/").status_code == 404
    assert client.get(f"{CASES}{referred.pk}/parties/").status_code == 200

    case_services.case_transition(by=worker, case=referred, to="closed", outcome="legal_aid")

    assert client.get(CASES).json()["count"] == 0
    assert client.get(f"{CASES}{referred.pk}/").status_code == 404
    # The referral itself stays with the receiver: it is what it was sent.
    assert client.get(URL).json()["count"] == 1


def test_a_declined_referral_opens_nothing(tree, center, worker, lawyer, api_as):
    referral = make_referral(
        tree.village_a1, by=worker, to_organization=center, outside_kind="", outside_name=""
    )
    client = api_as(lawyer)

    answer = client.post(
        f"{URL}{referral.pk}/transition/",
        {"to": "declined", "decline_reason": "不属于本中心受理范围", "version": referral.version},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "declined"
    assert client.get(f"{CASES}{referral.case_id}/").status_code == 404


def test_the_receiver_accepts_and_answers_and_the_answer_stays_in_the_history(
    tree, center, worker, lawyer, api_as
):
    referral = make_referral(
        tree.village_a1, by=worker, to_organization=center, outside_kind="", outside_name=""
    )
    client = api_as(lawyer)
    move = f"{URL}{referral.pk}/transition/"

    accepted = client.post(move, {"to": "accepted", "version": referral.version}, format="json")
    assert accepted.status_code == 200, accepted.content
    stale = client.post(move, {"to": "answered", "answer": "x", "version": 1}, format="json")
    assert stale.status_code == 409
    referral.refresh_from_db()
    answered = client.post(
        move,
        {"to": "answered", "answer": "已指派律师代理离婚诉讼", "version": referral.version},
        format="json",
    )

    assert answered.status_code == 200, answered.content
    referral.refresh_from_db()
    assert (referral.status, referral.answer) == ("answered", "已指派律师代理离婚诉讼")
    assert referral.answered_at is not None and referral.responded_at is not None
    assert "已指派律师代理离婚诉讼" in set(referral.history.values_list("answer", flat=True))
    # Answered: the case stays readable there, in intervention, until it is closed.
    case = client.get(f"{CASES}{referral.case_id}/").json()
    assert case["status"] == "in_intervention"
    assert [r["status"] for r in case["referrals"]] == ["answered"]


def test_the_sender_does_not_answer_for_the_receiver_nor_the_receiver_change_it(
    tree, center, worker, lawyer, api_as
):
    referral = make_referral(
        tree.village_a1, by=worker, to_organization=center, outside_kind="", outside_name=""
    )

    answer = api_as(worker).post(
        f"{URL}{referral.pk}/transition/",
        {"to": "accepted", "version": referral.version},
        format="json",
    )
    assert answer.status_code == 400
    changed = api_as(lawyer).patch(
        f"{URL}{referral.pk}/", {"reason": "改", "version": referral.version}, format="json"
    )
    assert changed.status_code == 403  # readable there, not writable (docs/scoping.md)
    referral.refresh_from_db()
    assert (referral.status, referral.reason) == ("sent", "求助人遭受家庭暴力，需公安介入。")


def test_the_sender_changes_a_referral_only_while_sent(tree, worker, api_as):
    referral = make_referral(tree.village_a1, by=worker)
    client = api_as(worker)

    changed = client.patch(
        f"{URL}{referral.pk}/", {"reason": "补充说明", "version": referral.version}, format="json"
    )
    assert changed.status_code == 200, changed.content
    # An outside body has no account: the sender records its answer.
    services.referral_transition(by=worker, referral=referral, to="accepted")
    referral.refresh_from_db()
    late = client.patch(
        f"{URL}{referral.pk}/", {"reason": "再改", "version": referral.version}, format="json"
    )

    assert late.status_code == 400
    referral.refresh_from_db()
    assert referral.reason == "补充说明"


def test_the_receiver_names_a_party_of_the_referred_case_only(tree, center, worker, lawyer, api_as):
    referral = make_referral(
        tree.village_a1, by=worker, to_organization=center, outside_kind="", outside_name=""
    )
    client = api_as(lawyer)

    named = client.post(
        f"{CASES}{referral.case_id}/parties/",
        {"role": "witness", "name": "李证人", "client_id": "5f0c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b"},
        format="json",
    )

    assert named.status_code == 201, named.content
    assert referral.case.parties.filter(name="李证人").exists()


def test_a_village_case_worker_never_sees_the_other_village_s_referrals(
    tree, worker, user_in, api_as
):
    make_referral(tree.village_a2)
    mine = make_referral(tree.village_a1, by=worker)

    rows = api_as(worker).get(URL).json()["results"]

    assert [row["id"] for row in rows] == [mine.pk]


def test_a_deadline_far_away_or_past_is_refused(tree, worker):
    case = accepted_case(tree.village_a1, worker)
    from django.core.exceptions import ValidationError

    for due in (
        timezone.now() - datetime.timedelta(hours=1),
        timezone.now() + datetime.timedelta(days=91),
    ):
        with pytest.raises(ValidationError):
            services.referral_send(
                by=worker,
                case=case,
                reason="r",
                outside_kind="police",
                outside_name="派出所",
                due_at=due,
            )
    assert not Referral.objects.exists()


def test_district_staff_read_referrals_without_the_case_s_words(tree, worker, user_in, api_as):
    from apps.core.models import AccessLog

    referral = make_referral(tree.village_a1, by=worker)
    staff = api_as(user_in(tree.street_a, Role.STAFF))

    listed = staff.get(URL).json()["results"]
    page = staff.get(f"{URL}{referral.pk}/").json()
    full = api_as(worker).get(f"{URL}{referral.pk}/")

    assert [row["reason"] for row in listed] == [None]
    assert (page["reason"], page["answer"], page["status"]) == (None, None, "sent")
    assert full.json()["reason"] == referral.reason
    assert full["Cache-Control"] == "no-store"
    assert AccessLog.objects.filter(user=worker, object_id=referral.pk).count() == 1
    assert not AccessLog.objects.exclude(user=worker).exists()
