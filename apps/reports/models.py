"""The reports' own records: the sign-off of a period's figures and the log of its acts
(docs/reports.md, Sign-off), and the annual report's draft as data (The draft).

The figures themselves are never stored: they are computed from the records
(``selectors.report``). What is stored is who confirmed, returned and signed them, and, at the
final sign-off, the figures as they stood then (``SignOff.figures``), which the report shows from
then on, with any later change as a correction beside them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.reports.choices import ReportSection, SignOffAct, SignOffState


class SignOff(models.Model):
    """One organization's figures for one year or quarter: its state, and once signed off, the
    frozen figures (the summary API's JSON of that moment, computed from the primary)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="signoffs",
    )
    period = models.CharField(_("period"), max_length=7)  # a year's or a quarter's key
    state = models.CharField(
        _("state"), max_length=12, choices=SignOffState.choices, default=SignOffState.OPEN
    )
    figures = models.JSONField(
        _("frozen figures"), null=True, blank=True, encoder=DjangoJSONEncoder
    )
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_field = "organization"

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["organization__path", "period"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "period"], name="signoff_once"),
            models.CheckConstraint(
                condition=models.Q(state__in=SignOffState.values), name="signoff_state_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=SignOffState.SIGNED)
                | models.Q(figures__isnull=False, signed_at__isnull=False),
                name="signoff_signed_is_frozen",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.period} · {self.get_state_display()}"


class SignOffEntry(models.Model):
    """One act on a sign-off: who, when, what, why. Rows are only ever added."""

    signoff = models.ForeignKey(
        SignOff,
        verbose_name=_("sign-off"),
        on_delete=models.CASCADE,  # part of its sign-off
        related_name="entries",
    )
    act = models.CharField(_("act"), max_length=8, choices=SignOffAct.choices)
    state = models.CharField(_("state after"), max_length=12, choices=SignOffState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    scope_field = "signoff__organization"

    class Meta:
        verbose_name = _("sign-off act")
        verbose_name_plural = _("sign-off acts")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(act=SignOffAct.RETURN) | ~models.Q(reason=""),
                name="signoff_return_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.signoff} · {self.get_act_display()}"


class DraftParagraph(TimeStampedModel):
    """A paragraph of the annual report's draft: text with placeholders naming catalogue keys
    (``开展主题宣传教育{events.themed_publicity_held}场次``), filled with the report's figures
    in the report's style. One district-wide list, like the reference lists: it belongs to no
    organization, every report reads it, the district root's staff and administrators edit it.
    """

    section = models.CharField(_("section"), max_length=16, choices=ReportSection.choices)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("The section's paragraphs are written in this order.")
    )
    text = models.TextField(
        _("text"),
        max_length=2000,
        help_text=_(
            "A figure is written as its catalogue key in braces, {events.themed_publicity_held}; "
            "{organization} and {year} are the report's organization and year."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("paragraph of the annual report's draft")
        verbose_name_plural = _("paragraphs of the annual report's draft")
        ordering = ["order", "id"]  # the seeded orders follow the report's sections

    def __str__(self):
        return f"{self.get_section_display()} · {self.text[:30]}"

    def clean(self):
        from apps.reports.draft import placeholder_problems  # it reads the catalogue

        problems = placeholder_problems(self.text or "")
        if problems:
            raise ValidationError({"text": problems})
