"""How often the district requires each kind of party branch meeting (三会一课), from a date."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.effective import EffectiveDatedModel
from apps.core.models import TimeStampedModel
from apps.members.choices import BranchMeetingKind, RequirementPeriod

STARTS_ON_A_MONTH = _("A rule takes effect from the first day of a month.")
STARTS_ON_A_QUARTER = _(
    "Counting by quarter begins and ends on the first day of a quarter (1 January, April, July "
    "or October)."
)


class MeetingRequirement(EffectiveDatedModel, TimeStampedModel):
    """How often the district requires a kind of party branch meeting: at least ``minimum`` per
    month or quarter, from ``effective_from`` until the kind's next rule. District
    administrators change a frequency by adding a rule from a date; each month and quarter is
    judged by the rule in force on its first day (``apps/core/effective.py``)."""

    kind = models.CharField(_("kind"), max_length=24, choices=BranchMeetingKind.choices)
    period = models.CharField(_("period"), max_length=8, choices=RequirementPeriod.choices)
    minimum = models.PositiveSmallIntegerField(
        _("minimum"), default=1, help_text=_("Meetings required in each period; 0: none.")
    )

    history = HistoricalRecords()

    effective_key = ("kind",)

    class Meta:
        verbose_name = _("meeting requirement")
        verbose_name_plural = _("meeting requirements")
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "effective_from"],
                name="meeting_requirement_once_a_day",
                violation_error_message=_("This kind already has a rule from that date."),
            )
        ]

    def __str__(self):
        rule = f"{self.get_kind_display()} ≥ {self.minimum} / {self.get_period_display()}"
        return f"{rule} ({self.effective_from.isoformat()})" if self.effective_from else rule

    @classmethod
    def first_open_day(cls, today: date) -> date:
        """This month's first day: the months that have ended keep their rules."""
        return today.replace(day=1)

    def clean(self):
        super().clean()
        if self.effective_from is None or not self.kind:
            return
        if self.effective_from.day != 1:
            raise ValidationError({"effective_from": [STARTS_ON_A_MONTH]})
        # A month or quarter is judged by the rule in force on its first day: a change to or from
        # counting by quarter in the middle of one would judge its months twice, or not at all.
        others = MeetingRequirement.objects.filter(kind=self.kind).exclude(pk=self.pk)
        before = others.filter(effective_from__lt=self.effective_from).order_by("-effective_from")
        after = others.filter(effective_from__gt=self.effective_from).order_by("effective_from")
        before, after = before.first(), after.first()
        quarterly = self.period == RequirementPeriod.QUARTER
        if (quarterly or (before and before.period == RequirementPeriod.QUARTER)) and not (
            _starts_a_quarter(self.effective_from)
        ):
            raise ValidationError({"effective_from": [STARTS_ON_A_QUARTER]})
        if quarterly and after and not _starts_a_quarter(after.effective_from):
            raise ValidationError(STARTS_ON_A_QUARTER)


def _starts_a_quarter(day: date) -> bool:
    return day.day == 1 and day.month % 3 == 1
