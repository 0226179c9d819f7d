"""Figures of cases and their deadlines for reports (docs/rights.md, Deadlines and escalation,
Figures): per subtree and period, in one query, from ``scoped()``. Counts and medians only: no
case, no name; suppressing small counts for leadership is the reports' business.

- ``received``: the cases received in the period (Beijing days, both ends included);
- ``missed_first_action``: of those, the ones that left ``registered`` after their first
  action's due time, or are still registered past it at ``now``;
- ``missed_closing``: closed after their closing's due time, or still open past it;
- ``overdue_now``: still open and past either due time at ``now`` (the street level's list);
- ``median_days_to_first_action`` and ``median_days_to_closing``: PostgreSQL's
  ``percentile_cont(0.5)`` of the days (fractional) from reception to the first action (the
  first history row with another status than ``registered``: accepted, or closed at once) and
  to the closing (the last closing of a closed case); ``None`` where no case has one.
"""

from datetime import date, datetime

from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import in_scope, scoped
from apps.rights.choices import CaseStatus
from apps.rights.models import Case
from apps.rights.models_deadlines import Deadline, EscalationLevel
from apps.rights.selectors.overdue import missed, with_deadlines

DAY_SECONDS = 86400.0


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY …)``: NULLs are left out."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _days(later, earlier) -> Func:
    """The days from ``earlier`` to ``later``, as a fraction."""
    return Func(
        F(later) - F(earlier),
        template=f"EXTRACT(EPOCH FROM %(expressions)s) / {DAY_SECONDS}",
        output_field=FloatField(),
    )


def _cases(user) -> QuerySet[Case]:
    """The cases whose figures ``user`` reads: its subtree's (a station operator its own
    organization's, as its lists), deleted ones left out."""
    cases = scoped(Case.objects.filter(deleted_at__isnull=True), user)
    if getattr(user, "role", None) == Role.STATION_OPERATOR:
        cases = cases.filter(organization_id=user.organization_id)
    return cases


def deadline_figures(
    *, user, organization: Organization, since: date, until: date, now: datetime | None = None
) -> dict:
    """The figures above for ``organization``'s subtree (which must lie in ``user``'s: else
    ``LookupError``) over the cases received from ``since`` to ``until``. One query."""
    if not in_scope(organization, user):
        raise LookupError("organization outside the reader's subtree")
    now = now or timezone.now()
    history = Case.history.model
    first_action = (
        history.objects.filter(id=OuterRef("pk"))
        .exclude(status=CaseStatus.REGISTERED)
        .order_by("history_date")
        .values("history_date")[:1]
    )
    cases = with_deadlines(
        _cases(user).filter(
            organization__path__startswith=organization.path,
            received_at__date__gte=since,
            received_at__date__lte=until,
        )
    ).annotate(first_action_at=Subquery(first_action, output_field=DateTimeField()))
    street = EscalationLevel.STREET
    missed_first = Q(first_action_at__gt=F("first_action_due")) | missed(
        Deadline.FIRST_ACTION, street, now
    )
    missed_close = Q(closed_at__gt=F("close_due")) | missed(Deadline.CLOSE, street, now)
    overdue_now = missed(Deadline.FIRST_ACTION, street, now) | missed(Deadline.CLOSE, street, now)
    figures = cases.aggregate(
        received=Count("pk"),
        missed_first_action=Count("pk", filter=missed_first),
        missed_closing=Count("pk", filter=missed_close),
        overdue_now=Count("pk", filter=overdue_now),
        median_days_to_first_action=Median(_days("first_action_at", "received_at")),
        median_days_to_closing=Median(
            _days("closed_at", "received_at"), filter=Q(status=CaseStatus.CLOSED)
        ),
    )
    return figures
