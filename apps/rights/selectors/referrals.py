"""Reads of referrals, and the referral exception for cases (docs/scoping.md, exception two;
docs/rights.md, Referrals).

- ``referred(queryset, user, via=)``: a case (or a case's party, follow-up) of the caller's
  subtree, plus the cases referred to its subtree while the referral is sent, accepted or
  answered and until the case is closed. Only through ``with_referrals()``.
- ``referral_list``: the referrals a side reads: those its subtree sent, and those made to it.
- ``referral_figures``: referrals sent, accepted, declined, answered, answered in time.
"""

from datetime import date

from django.db.models import Count, F, Q, QuerySet

from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import in_scope, scoped, with_referrals
from apps.rights.choices import CaseStatus
from apps.rights.models_referrals import OPENING_STATUSES, Referral, ReferralStatus


def referred(queryset: QuerySet, user, *, via: str = "") -> QuerySet:
    """``queryset`` (of cases, or of records reached from a case through ``via``, e.g.
    ``"case__"``) within ``user``'s subtree plus the cases referred to it, while open."""
    return with_referrals(
        queryset,
        user,
        target=f"{via}referrals__to_organization",
        status=f"{via}referrals__status",
        readable_statuses=OPENING_STATUSES,
        until=~Q(**{f"{via}status": CaseStatus.CLOSED}),
    )


def referral_list(*, user) -> QuerySet[Referral]:
    """The referrals ``user`` reads: sent from its subtree or made to it (in every status: the
    receiver keeps what it was sent and answered). A station operator: its own organization's.
    The case behind one is readable only as ``referred()`` allows."""
    if user is None or not user.has_perm("rights.view_referral"):
        return Referral.objects.none()
    referrals = with_referrals(
        Referral.objects.select_related("case", "organization", "to_organization"),
        user,
        target="to_organization",
        status="status",
        readable_statuses=ReferralStatus.values,
    )
    if getattr(user, "role", None) == Role.STATION_OPERATOR:
        own = user.organization_id
        referrals = referrals.filter(Q(organization_id=own) | Q(to_organization_id=own))
    return referrals


def case_exchange(*, case) -> QuerySet[Referral]:
    """A case's referrals, oldest first: the whole exchange its page shows."""
    return case.referrals.select_related("to_organization").order_by("sent_at", "id")


def referral_figures(*, user, organization: Organization, since: date, until: date) -> dict:
    """For the referrals sent from ``organization``'s subtree (which must lie in ``user``'s, else
    ``LookupError``) from ``since`` to ``until`` (Beijing days, both included), in one query:
    ``sent``, ``accepted`` (accepted, answered or not yet), ``declined``, ``answered`` and
    ``answered_in_time`` (by the deadline to answer). Counts only."""
    if not in_scope(organization, user):
        raise LookupError("organization outside the reader's subtree")
    referrals = scoped(Referral.objects.all(), user).filter(
        deleted_at__isnull=True,
        organization__path__startswith=organization.path,
        sent_at__date__gte=since,
        sent_at__date__lte=until,
    )
    accepted = (ReferralStatus.ACCEPTED, ReferralStatus.ANSWERED)
    return referrals.aggregate(
        sent=Count("pk"),
        accepted=Count("pk", filter=Q(status__in=accepted)),
        declined=Count("pk", filter=Q(status=ReferralStatus.DECLINED)),
        answered=Count("pk", filter=Q(status=ReferralStatus.ANSWERED)),
        answered_in_time=Count(
            "pk", filter=Q(status=ReferralStatus.ANSWERED, answered_at__lte=F("due_at"))
        ),
    )
