"""Referrals are written here and nowhere else: sending one, changing it while it is still
``sent``, and its moves (accepted, declined, answered) through ``apps.core.transitions``
(docs/rights.md, Referrals).

Each function takes the acting account as ``by`` and checks its right and its side first: the
case's own side sends and changes a referral; the receiving organization's accounts accept,
decline and answer it; for an outside body (police, a court …), which has no account here, the
case's side records the body's answer.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.actors import SYSTEM
from apps.core.history import history_note
from apps.core.models import checked_by_the_database
from apps.core.transitions import transition
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped, with_ancestors
from apps.rights.choices import CaseStatus, Risk, StationKind
from apps.rights.models import REFERRAL_NEEDS_CONSENT, Case, Station
from apps.rights.models_referrals import Referral, ReferralStatus
from apps.rights.selectors.cases import reads_cases_in_full
from apps.rights.services.cases import district_of

CASE_OUT_OF_REACH = _("The chosen case does not exist or is not within your reach.")
RECEIVER_OUT_OF_REACH = _(
    "The receiving organization must be the district's legal service center or an "
    "organization above the case's; the chosen one is not."
)
ONE_RECEIVER = _("A referral goes to one receiver: an organization or an outside body.")
OUTSIDE_NEEDS_NAME = _("Name the outside body the case is referred to.")
CASE_CLOSED = _("A closed case is not referred: reopen it first.")
CASE_NOT_ACCEPTED = _("Accept the case before referring it.")
IDENTITY_WITHOUT_CONSENT = _(
    "The seeker has not agreed to record her identity: a referral cannot share it."
)
DUE_IN_PAST = _("The deadline to answer must be after the referral is sent.")
DUE_TOO_FAR = _("The deadline to answer is at most 90 days away.")
ONLY_WHILE_SENT = _("A referral is changed only while it waits to be accepted.")
NOT_YOUR_SIDE = _("Only the receiving side accepts, declines or answers a referral.")

# Default time to answer, by the case's risk (to be confirmed by the office, docs/rights.md).
ANSWER_HOURS = {Risk.URGENT: 24, Risk.HIGH: 72, Risk.MEDIUM: 168, Risk.LOW: 360}
LONGEST_WAIT = datetime.timedelta(days=90)
CHANGEABLE = ("reason", "share_identity", "share_narrative", "due_at")


def _require(by, perm: str) -> None:
    if not by.has_perm(perm):
        raise PermissionDenied


def case_of_sender(*, by, case: Case) -> Case:
    """The case, if ``by`` works it on its own side (its subtree's; a station operator its own
    organization's) and reads it in full; a case seen only through a referral is not re-sent."""
    cases = scoped(Case.objects.filter(pk=case.pk), by)
    if getattr(by, "role", None) == Role.STATION_OPERATOR:
        cases = cases.filter(organization_id=by.organization_id)
    if by is not SYSTEM and not reads_cases_in_full(by):
        cases = cases.none()
    found = cases.first()
    if found is None:
        raise ValidationError({"case": CASE_OUT_OF_REACH})
    return found


def receivers(*, by, case: Case):
    """The organizations a case may be referred to: an organization that runs the district's
    legal service center (an open ``legal_center`` station), or one above the sender (docs/
    scoping.md, exception one: an account may name its ancestors on a write); never the case's
    own organization."""
    district = district_of(case.organization)
    centers = Station.objects.filter(
        kind=StationKind.LEGAL_CENTER,
        closed_on__isnull=True,
        organization__path__startswith=district.path,
        deleted_at__isnull=True,
    ).values("organization_id")
    above = with_ancestors(Organization.objects.all(), by).exclude(
        path__startswith=case.organization.path
    )
    return Organization.objects.filter(closed_on__isnull=True).filter(
        pk__in=centers.union(above.values("pk"))
    )


def _check_receiver(*, by, case, to_organization, outside_kind, outside_name) -> None:
    if bool(to_organization) == bool(outside_kind):
        raise ValidationError({"to_organization": ONE_RECEIVER})
    if outside_kind and not outside_name.strip():
        raise ValidationError({"outside_name": OUTSIDE_NEEDS_NAME})
    if to_organization and not receivers(by=by, case=case).filter(pk=to_organization.pk).exists():
        raise ValidationError({"to_organization": RECEIVER_OUT_OF_REACH})


def _check_shares(*, case, share_identity, due_at, sent_at) -> None:
    if share_identity and not case.consent_to_record:
        raise ValidationError({"share_identity": IDENTITY_WITHOUT_CONSENT})
    if due_at <= sent_at:
        raise ValidationError({"due_at": DUE_IN_PAST})
    if due_at > sent_at + LONGEST_WAIT:
        raise ValidationError({"due_at": DUE_TOO_FAR})


def referral_send(
    *,
    by,
    case: Case,
    reason: str,
    to_organization: Organization | None = None,
    outside_kind: str = "",
    outside_name: str = "",
    share_identity: bool = False,
    share_narrative: bool = False,
    due_at: datetime.datetime | None = None,
    **key,  # the client's key (client_id, request_hash) from the API
) -> Referral:
    """Refer ``case`` to one receiver. Only with the seeker's consent to refer; an accepted case
    moves into intervention with it (through ``transition()``), where it stays meanwhile."""
    _require(by, "rights.add_referral")
    case = case_of_sender(by=by, case=case)
    if not case.consent_to_refer:
        raise ValidationError({"case": REFERRAL_NEEDS_CONSENT})
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"case": CASE_CLOSED})
    if case.status == CaseStatus.REGISTERED:
        raise ValidationError({"case": CASE_NOT_ACCEPTED})
    _check_receiver(
        by=by,
        case=case,
        to_organization=to_organization,
        outside_kind=outside_kind,
        outside_name=outside_name,
    )
    now = timezone.now()
    due_at = due_at or now + datetime.timedelta(hours=ANSWER_HOURS[case.risk])
    _check_shares(case=case, share_identity=share_identity, due_at=due_at, sent_at=now)
    with transaction.atomic():
        if case.status == CaseStatus.ACCEPTED:
            case = transition(case, to=CaseStatus.IN_INTERVENTION, by=by, note="referral")
        referral = Referral(
            organization_id=case.organization_id,
            case=case,
            to_organization=to_organization,
            outside_kind=outside_kind,
            outside_name=outside_name.strip(),
            reason=reason,
            share_identity=share_identity,
            share_narrative=share_narrative,
            sent_at=now,
            due_at=due_at,
            **key,
        )
        referral.full_clean(exclude=checked_by_the_database(referral))
        history_note(referral, by=by, reason="sent")
        referral.save()
    return referral


def referral_update(*, by, referral: Referral, **fields) -> Referral:
    """Change the reason, what is shared or the deadline, while the referral is ``sent``."""
    _require(by, "rights.change_referral")
    unexpected = set(fields) - set(CHANGEABLE)
    if unexpected:
        raise TypeError(f"a referral's {sorted(unexpected)} are not changed here")
    with transaction.atomic():
        stored = Referral.objects.select_for_update().get(pk=referral.pk)
        case = case_of_sender(by=by, case=stored.case)
        if stored.status != ReferralStatus.SENT:
            raise ValidationError({"status": ONLY_WHILE_SENT})
        for name, value in fields.items():
            setattr(stored, name, value)
        _check_shares(
            case=case,
            share_identity=stored.share_identity,
            due_at=stored.due_at,
            sent_at=stored.sent_at,
        )
        stored.full_clean(exclude=checked_by_the_database(stored))
        history_note(stored, by=by, reason="")
        stored.save()
    return stored


def may_respond(*, by, referral: Referral) -> bool:
    """The receiving organization's accounts (its subtree) answer a referral made to it; for an
    outside body the case's own side records what the body did."""
    if by is SYSTEM:
        return True
    if referral.to_organization_id:
        organization = by.organization
        return organization is not None and referral.to_organization.path.startswith(
            organization.path
        )
    try:
        case_of_sender(by=by, case=referral.case)
    except ValidationError:
        return False
    return True


def referral_transition(
    *, by, referral: Referral, to: str, note: str = "", version=None, **needs
) -> Referral:
    """accepted, declined (with a reason) or answered (with what was done), by the receiving
    side. The answer stays in the referral's history; the case is not moved."""
    if not may_respond(by=by, referral=referral):
        raise ValidationError({"status": NOT_YOUR_SIDE})
    now = timezone.now()
    with transaction.atomic():
        referral = transition(referral, to=to, by=by, note=note, version=version, **needs)
        stamps = {}
        if to in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
            stamps["responded_at"] = now
        if to == ReferralStatus.ANSWERED:
            stamps["answered_at"] = now
        if stamps:  # the move's own row holds the answer; these only say when
            Referral.objects.filter(pk=referral.pk).update(**stamps, updated_at=now)
            for name, value in stamps.items():
                setattr(referral, name, value)
    return referral
