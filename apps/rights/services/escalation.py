"""The escalation run (docs/rights.md, Deadlines and escalation): every case that has missed a
deadline at a level gets one ``Escalation`` row for it, and its next level up a notice.

One row per case, deadline and level, however many runs overlap: the rows go in with
``INSERT … ON CONFLICT DO NOTHING RETURNING``, so a run that loses the race to another gets
nothing back for that row and sends nothing. A run's rows and its notices commit together.
"""

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.actors import SYSTEM
from apps.notices.services import notice_send
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.rights.models import Case, Escalation
from apps.rights.models_deadlines import Deadline, EscalationLevel
from apps.rights.selectors.overdue import missed, with_deadlines

# Street level first: a case past both in one run is told to the street before the district.
STEPS = [
    (Deadline.FIRST_ACTION, EscalationLevel.STREET),
    (Deadline.CLOSE, EscalationLevel.STREET),
    (Deadline.FIRST_ACTION, EscalationLevel.DISTRICT),
    (Deadline.CLOSE, EscalationLevel.DISTRICT),
]
DUE_FIELD = {
    (Deadline.FIRST_ACTION, EscalationLevel.STREET): "first_action_due",
    (Deadline.CLOSE, EscalationLevel.STREET): "close_due",
    (Deadline.FIRST_ACTION, EscalationLevel.DISTRICT): "first_action_due_2",
    (Deadline.CLOSE, EscalationLevel.DISTRICT): "close_due_2",
}
# Who is told at the level: the organization's accounts that work on cases or watch them.
NOTIFIED_ROLES = (Role.CASE_WORKER, Role.STAFF, Role.DISTRICT_ADMIN)

INSERT = """
    INSERT INTO rights_escalation (case_id, deadline, level, due_at, created_at)
    SELECT case_id, %s, %s, due_at, %s FROM unnest(%s::bigint[], %s::timestamptz[])
        AS missed (case_id, due_at)
    ON CONFLICT (case_id, deadline, level) DO NOTHING
    RETURNING id
"""


def cases_escalate(*, now: datetime | None = None) -> list[Escalation]:
    """Record and announce every escalation due at ``now`` (the clock by default); returns the
    new rows. Run every 15 minutes (``rights.escalate_cases``) or by ``escalate_cases``."""
    now = now or timezone.now()
    made = []
    for deadline, level in STEPS:
        made += _escalate(deadline, level, now)
    return made


@transaction.atomic
def _escalate(deadline: str, level: str, now: datetime) -> list[Escalation]:
    already = Escalation.objects.filter(case=OuterRef("pk"), deadline=deadline, level=level)
    candidates = (
        with_deadlines(Case.objects.filter(deleted_at__isnull=True))
        .filter(missed(deadline, level, now))
        .exclude(Exists(already))
        .values_list("pk", DUE_FIELD[deadline, level])
    )
    rows = list(candidates)
    if not rows:
        return []
    ids, dues = zip(*rows, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [deadline, level, now, list(ids), list(dues)])
        new = [row[0] for row in cursor.fetchall()]
    escalations = list(
        Escalation.objects.filter(pk__in=new)
        .select_related("case__organization", "case__category")
        .order_by("case__received_at", "pk")
    )
    for escalation in escalations:
        _announce(escalation, now)
    return escalations


def told_at(escalation: Escalation) -> Organization:
    """The organization told: the case's street (the second level of the tree: for the legal
    center, the center itself) at the street level; the district at the district level."""
    organization = escalation.case.organization
    if escalation.level == EscalationLevel.DISTRICT or organization.street_id is None:
        return Organization.objects.get(path=organization.path[: Organization.steplen])
    return organization.street


def _announce(escalation: Escalation, now: datetime) -> None:
    """The notice says only what the case's masked readers may read: its number, category,
    risk and age; never the narrative, a party or the station (docs/notices.md)."""
    case = escalation.case
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "number": case.number,
            "deadline": escalation.get_deadline_display(),
            "category": case.category.name,
            "risk": case.get_risk_display(),
            "days": (now - case.received_at).days,
        }
        if escalation.level == EscalationLevel.STREET:
            title = _("Case %(number)s has missed its deadline: %(deadline)s") % values
        else:
            title = _("Case %(number)s is past twice its deadline: %(deadline)s") % values
        body = _("%(category)s, %(risk)s, received %(days)s days ago.") % values
    notice_send(
        by=SYSTEM,
        organization=told_at(escalation),
        roles=NOTIFIED_ROLES,
        title=title,
        body=body,
        link=reverse("admin:rights_case_change", args=[case.pk]),
    )


# --- Referrals (docs/rights.md, Referrals: a referral's own deadline) -------------------------

REFERRAL_INSERT = """
    INSERT INTO rights_referralescalation (referral_id, level, due_at, created_at)
    SELECT referral_id, %s, due_at, %s FROM unnest(%s::bigint[], %s::timestamptz[])
        AS missed (referral_id, due_at)
    ON CONFLICT (referral_id, level) DO NOTHING
    RETURNING id
"""


def referrals_escalate(*, now: datetime | None = None) -> list:
    """Record and announce every referral still waiting for its answer (sent or accepted) past
    its deadline: the street level at the deadline, the district level at twice the time it was
    given. One ``ReferralEscalation`` row per referral and level, as for cases; returns the new
    rows. Run with ``cases_escalate`` by the same task and command."""
    now = now or timezone.now()
    made = []
    for level in (EscalationLevel.STREET, EscalationLevel.DISTRICT):
        made += _escalate_referrals(level, now)
    return made


@transaction.atomic
def _escalate_referrals(level: str, now: datetime) -> list:
    from django.db.models import DateTimeField as DateTime
    from django.db.models import ExpressionWrapper, F

    from apps.rights.models_referrals import WAITING_STATUSES, Referral, ReferralEscalation

    due = ExpressionWrapper(F("due_at"), output_field=DateTime())
    if level == EscalationLevel.DISTRICT:
        due = ExpressionWrapper(F("due_at") + (F("due_at") - F("sent_at")), output_field=DateTime())
    already = ReferralEscalation.objects.filter(referral=OuterRef("pk"), level=level)
    rows = list(
        Referral.objects.filter(
            status__in=WAITING_STATUSES, deleted_at__isnull=True, case__deleted_at__isnull=True
        )
        .annotate(level_due=due)
        .filter(level_due__lt=now)
        .exclude(Exists(already))
        .values_list("pk", "level_due")
    )
    if not rows:
        return []
    ids, dues = zip(*rows, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(REFERRAL_INSERT, [level, now, list(ids), list(dues)])
        new = [row[0] for row in cursor.fetchall()]
    escalations = list(
        ReferralEscalation.objects.filter(pk__in=new)
        .select_related("referral__case", "referral__organization", "referral__to_organization")
        .order_by("referral__sent_at", "pk")
    )
    for escalation in escalations:
        _announce_referral(escalation, now)
    return escalations


def referral_told(escalation) -> list[Organization]:
    """Who is told: the referring organization and the receiver (an organization of the tree)
    at the street level; the district at the district level."""
    referral = escalation.referral
    if escalation.level == EscalationLevel.DISTRICT:
        path = referral.organization.path[: Organization.steplen]
        return [Organization.objects.get(path=path)]
    told = [referral.organization]
    if referral.to_organization_id:
        told.append(referral.to_organization)
    return told


def _announce_referral(escalation, now: datetime) -> None:
    """The case's number, the receiver and how late: nothing of the reason or the case's text."""
    referral = escalation.referral
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "number": referral.case.number,
            "receiver": referral.receiver_name,
            "days": (now - referral.due_at).days,
        }
        if escalation.level == EscalationLevel.STREET:
            title = _("The referral of case %(number)s has no answer by its deadline") % values
        else:
            title = _("The referral of case %(number)s is past twice its time to answer") % values
        body = _("Referred to %(receiver)s; %(days)s days past the deadline.") % values
    for organization in referral_told(escalation):
        notice_send(
            by=SYSTEM,
            organization=organization,
            roles=NOTIFIED_ROLES,
            title=title,
            body=body,
            link=reverse("admin:rights_referral_change", args=[referral.pk]),
        )
