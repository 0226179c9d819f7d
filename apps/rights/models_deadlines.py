"""Case deadlines by risk level, and the escalations of cases that miss them (docs/rights.md,
Deadlines and escalation). Imported by ``apps/rights/models.py`` so Django finds them."""

from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.effective import EffectiveDatedModel
from apps.core.models import TimeStampedModel
from apps.rights.choices import Risk


class Deadline(models.TextChoices):
    """Which deadline a case missed."""

    FIRST_ACTION = "first_action", _("First action")  # 首次处置
    CLOSE = "close", _("Closing")  # 结案


class EscalationLevel(models.TextChoices):
    """How far up the tree a missed deadline has gone: the street at the deadline, the district
    when twice the allowed time has passed."""

    STREET = "street", _("Street level")
    DISTRICT = "district", _("District level")


class DeadlineRule(EffectiveDatedModel, TimeStampedModel):
    """How long a case of a risk level may wait for its first action and for its closing, from
    ``effective_from``. A case is judged by the rule in force on the day it was received (Beijing
    time), so a new rule never changes an earlier case's deadlines (``apps/core/effective.py``).
    """

    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices)
    first_action_hours = models.PositiveIntegerField(
        _("hours to the first action"),
        help_text=_("From reception until the case is accepted (leaves 'registered')."),
    )
    close_days = models.PositiveIntegerField(
        _("days to closing"), help_text=_("From reception until the case is closed.")
    )

    history = HistoricalRecords()

    effective_key = ("risk",)

    class Meta:
        verbose_name = _("case deadline rule")
        verbose_name_plural = _("case deadline rules")
        ordering = ["risk", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "effective_from"],
                name="deadline_rule_once_a_day",
                violation_error_message=_("This risk level already has a rule from that date."),
            ),
            models.CheckConstraint(
                condition=Q(first_action_hours__gt=0) & Q(close_days__gt=0),
                name="deadline_rule_positive",
                violation_error_message=_("A deadline is at least one hour or one day."),
            ),
        ]

    def __str__(self):
        return f"{self.get_risk_display()} ({self.effective_from})"

    @classmethod
    def first_open_day(cls, today: date) -> date:
        """Tomorrow: today's cases have been received under the rule in force today."""
        return today + timedelta(days=1)


class Escalation(models.Model):
    """A case that missed a deadline, recorded once per deadline and level (the database
    refuses a second row, so two runs at once make one) when the escalation run finds it."""

    case = models.ForeignKey(
        "rights.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    deadline = models.CharField(_("deadline"), max_length=16, choices=Deadline.choices)
    level = models.CharField(_("level"), max_length=16, choices=EscalationLevel.choices)
    due_at = models.DateTimeField(_("due at"))
    created_at = models.DateTimeField(_("escalated at"))

    scope_field = "case__organization"

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["case", "deadline", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "deadline", "level"], name="escalation_once_per_level"
            )
        ]

    def __str__(self):
        return f"{self.get_deadline_display()} · {self.get_level_display()}"
