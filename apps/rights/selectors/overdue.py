"""Which cases are past their deadlines, and how far up the tree they show (docs/rights.md,
Deadlines and escalation). Every read starts from ``case_list`` (so from ``scoped()``).

A case's deadlines come from the ``DeadlineRule`` of its risk in force on the day it was
received (Beijing time), computed in the query, never stored: a rule added later does not
reach back. The first action is due ``first_action_hours`` after reception (the case must
have left ``registered`` by then); the closing ``close_days`` after it. A case is overdue at
the **street** level from its deadline, and at the **district** level once twice the allowed
time has passed.
"""

from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import (
    Case as Conditional,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.core.actors import SYSTEM
from apps.organizations.scoping import scoped
from apps.rights.choices import CaseStatus
from apps.rights.models import Case, DeadlineRule
from apps.rights.models_deadlines import Deadline, EscalationLevel
from apps.rights.selectors.cases import case_list

HOUR = Value(timedelta(hours=1), output_field=DurationField())
DAY = Value(timedelta(days=1), output_field=DurationField())
# How many times the allowed time a case waits before it shows at each level.
LEVEL_FACTOR = {EscalationLevel.STREET: 1, EscalationLevel.DISTRICT: 2}


def _due(allowed, unit, factor: int):
    return ExpressionWrapper(
        F("received_at") + ExpressionWrapper(allowed * unit * factor, DurationField()),
        output_field=DateTimeField(),
    )


def with_deadlines(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` with ``first_action_hours`` and ``close_days`` (the rule in force on the day
    received) and the due times at both levels: ``first_action_due``, ``close_due`` (street)
    and ``first_action_due_2``, ``close_due_2`` (district). One query, rules as subqueries."""
    rule = DeadlineRule.objects.filter(
        risk=OuterRef("risk"), effective_from__lte=OuterRef("received_day")
    ).order_by("-effective_from")
    cases = cases.annotate(
        received_day=TruncDate("received_at"),  # in Beijing time (TIME_ZONE)
    ).annotate(
        first_action_hours=Subquery(rule.values("first_action_hours")[:1]),
        close_days=Subquery(rule.values("close_days")[:1]),
    )
    return cases.annotate(
        first_action_due=_due(F("first_action_hours"), HOUR, 1),
        close_due=_due(F("close_days"), DAY, 1),
        first_action_due_2=_due(F("first_action_hours"), HOUR, 2),
        close_due_2=_due(F("close_days"), DAY, 2),
    )


def missed(deadline: str, level: str, now: datetime) -> Q:
    """The condition for a case (annotated by ``with_deadlines``) to have missed ``deadline``
    at ``level`` at ``now``: still registered past the first action's due time, or still open
    past the closing's."""
    suffix = "" if level == EscalationLevel.STREET else "_2"
    if deadline == Deadline.FIRST_ACTION:
        return Q(status=CaseStatus.REGISTERED, **{f"first_action_due{suffix}__lt": now})
    return ~Q(status=CaseStatus.CLOSED) & Q(**{f"close_due{suffix}__lt": now})


def _flag(condition: Q):
    return Conditional(When(condition, then=True), default=False, output_field=BooleanField())


def level_seen_by(user) -> str:
    """The level whose overdue cases ``user``'s lists show: the district's own accounts see a
    case after the second deadline; everyone below (a street, a village, the legal center)
    from the first."""
    if user is not SYSTEM and user.organization.is_root():
        return EscalationLevel.DISTRICT
    return EscalationLevel.STREET


def _reachable(user) -> QuerySet[Case]:
    """``case_list``'s cases; every case for ``SYSTEM`` (the escalation run)."""
    if user is SYSTEM:
        return scoped(Case.objects.select_related("organization", "station", "category"), SYSTEM)
    return case_list(user=user)


def overdue_cases(*, user, now: datetime | None = None, level: str | None = None):
    """The cases ``user`` reaches that are overdue at ``level`` (by default the one its lists
    show), oldest first, each with ``first_action_overdue``, ``close_overdue`` and ``age`` (the
    time since reception). Masked readers get the same rows: the callers show masked fields."""
    now = now or timezone.now()
    level = level or level_seen_by(user)
    first = missed(Deadline.FIRST_ACTION, level, now)
    close = missed(Deadline.CLOSE, level, now)
    return (
        with_deadlines(_reachable(user).filter(deleted_at__isnull=True))
        .filter(first | close)
        .annotate(
            first_action_overdue=Conditional(
                When(first, then=True), default=False, output_field=BooleanField()
            ),
            close_overdue=Conditional(
                When(close, then=True), default=False, output_field=BooleanField()
            ),
            age=ExpressionWrapper(Value(now) - F("received_at"), output_field=DurationField()),
        )
        .order_by("received_at", "id")
    )
