"""The annual report's sections, by code (docs/reports.md, The annual report): the draft's
paragraphs name the section they belong to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSection(models.TextChoices):
    GUIDANCE = "guidance", _("Ideological guidance and party building")
    ACHIEVEMENTS = "achievements", _("Women's achievements, family education and assistance")
    RIGHTS = "rights", _("Rights protection and councils")
    POSITIONS = "positions", _("Positions and demonstration titles")
