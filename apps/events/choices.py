from django.db import models
from django.utils.translation import gettext_lazy as _


class FundSource(models.TextChoices):
    """Where money came from: the two figures the annual report asks for, and the rest."""

    HIGHER_LEVEL = "higher_level", _("obtained from higher levels")
    DONATION = "donation", _("donations raised")
    OTHER = "other", _("other")
