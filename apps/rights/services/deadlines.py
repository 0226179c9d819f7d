"""Writes of the deadline rules (docs/rights.md, Deadlines): a rule changes by adding one from a
later day; a rule that has judged cases already received stays as it is
(``apps/core/effective.py``)."""

from django.db import transaction

from apps.rights.models import DeadlineRule

RULE_FIELDS = ("first_action_hours", "close_days", "effective_from")


@transaction.atomic
def deadline_rule_add(
    *, by, risk: str, first_action_hours: int, close_days: int, effective_from
) -> DeadlineRule:
    """Give ``risk`` new deadlines from ``effective_from`` (tomorrow at the earliest); the cases
    received before keep the rule they were received under."""
    rule = DeadlineRule(
        risk=risk,
        first_action_hours=first_action_hours,
        close_days=close_days,
        effective_from=effective_from,
    )
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def deadline_rule_update(*, by, rule: DeadlineRule, **fields) -> DeadlineRule:
    """Correct a rule not in force yet; one in force (it has judged cases) is refused."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"a rule has no changeable {sorted(unknown)}")
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save(update_fields={*fields, "updated_at"})
    return rule
