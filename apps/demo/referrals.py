"""The demo's referrals through the green channel (docs/rights.md, Referrals): a dozen of the
villages' open cases referred to the legal service center or to an outside body, in every
state — waiting (some past their deadline, so the escalation run has referrals to report),
accepted, declined, answered in time and late, and one answered and then closed (the center no
longer reads it). Sent through the services as ``SYSTEM``; their times then set in the past."""

from datetime import timedelta
from random import Random

from django.utils import timezone

from apps.core.actors import SYSTEM
from apps.demo.organizations import Tree
from apps.organizations.models import Organization
from apps.rights.choices import CaseStatus, Outcome
from apps.rights.models import Case
from apps.rights.models_referrals import OutsideBody, Referral
from apps.rights.services.cases import case_transition
from apps.rights.services.referrals import referral_send, referral_transition

REASONS = [
    "求助人需要起诉离婚并申请人身安全保护令，请提供法律援助。",
    "涉及子女抚养费纠纷，调解未果，需律师代理。",
    "对方多次威胁，请公安机关依法出具告诫书。",
    "求助人受伤，请医院出具伤情证明并协助救治。",
    "求助人生活困难，请民政部门给予临时救助。",
]
ANSWERS = [
    "已指派律师代理，已向法院提交人身安全保护令申请。",
    "已约谈对方当事人并出具告诫书。",
    "已为求助人办理临时救助。",
    "律师已调解成功，双方签订协议。",
]
# (receiver, what happens, days since sent): the center unless an outside body is named.
PLAN = [
    ("center", "sent", 1),
    ("center", "sent", 12),  # past its deadline: escalated at the first run
    ("center", "accepted", 3),
    ("center", "accepted", 20),  # accepted, no answer for weeks: escalated too
    ("center", "declined", 6),
    ("center", "answered", 9),
    ("center", "answered_late", 30),
    ("center", "answered_closed", 40),
    (OutsideBody.POLICE, "answered", 5),
    (OutsideBody.HOSPITAL, "accepted", 2),
    (OutsideBody.CIVIL_AFFAIRS, "sent", 4),
    (OutsideBody.COURT, "declined", 15),
]
OUTSIDE_NAMES = {
    OutsideBody.POLICE: "云溪区公安分局",
    OutsideBody.HOSPITAL: "云溪区人民医院",
    OutsideBody.CIVIL_AFFAIRS: "云溪区民政局",
    OutsideBody.COURT: "云溪区人民法院",
}


def build_referrals(rng: Random, tree: Tree, legal_center: Organization) -> int:
    """The referrals above, made once; returns how many."""
    district = tree.district
    if Referral.objects.filter(organization__path__startswith=district.path).exists():
        return 0
    open_cases = list(
        Case.objects.filter(
            organization__path__startswith=district.path,
            organization__kind="village",
            status=CaseStatus.IN_INTERVENTION,  # already there: the referral moves nothing
            deleted_at__isnull=True,
        ).order_by("pk")
    )
    if len(open_cases) < len(PLAN):
        return 0
    now = timezone.now()
    made = 0
    for (receiver, fate, days), case in zip(PLAN, rng.sample(open_cases, len(PLAN)), strict=True):
        Case.objects.filter(pk=case.pk).update(consent_to_refer=True)
        case.consent_to_refer = True
        where = (
            {"to_organization": legal_center}
            if receiver == "center"
            else {"outside_kind": receiver, "outside_name": OUTSIDE_NAMES[receiver]}
        )
        referral = referral_send(
            by=SYSTEM,
            case=case,
            reason=rng.choice(REASONS),
            share_narrative=rng.random() < 0.5,
            share_identity=case.consent_to_record and rng.random() < 0.5,
            **where,
        )
        given = referral.due_at - referral.sent_at
        sent_at = now - timedelta(days=days, hours=rng.randint(1, 8))
        stamps = {"sent_at": sent_at, "due_at": sent_at + given}
        if fate == "declined":
            referral_transition(
                by=SYSTEM,
                referral=referral,
                to="declined",
                decline_reason="不属于本单位受理范围，建议转交其他部门。",
            )
            stamps["responded_at"] = sent_at + given / 4
        elif fate != "sent":
            referral = referral_transition(by=SYSTEM, referral=referral, to="accepted")
            stamps["responded_at"] = sent_at + given / 4
            if fate.startswith("answered"):
                referral_transition(
                    by=SYSTEM, referral=referral, to="answered", answer=rng.choice(ANSWERS)
                )
                late = fate == "answered_late"
                stamps["answered_at"] = sent_at + (given * 2 if late else given / 2)
            if fate == "answered_closed":
                case_transition(
                    by=SYSTEM, case=case, to=CaseStatus.CLOSED, outcome=Outcome.LEGAL_AID
                )
        Referral.objects.filter(pk=referral.pk).update(**stamps)
        made += 1
    return made
