"""The annual report's draft as data (docs/reports.md, The draft)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.reports.choices import ReportSection


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
