"""The reports' codes: the sign-off's states and acts (docs/reports.md, Sign-off), and the
annual report's sections, which the draft's paragraphs name (docs/reports.md, The draft)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignOffState(models.TextChoices):
    """Where one organization's figures for one period stand. A period with no row is open."""

    OPEN = "open", _("Open (provisional)")
    CONFIRMED = "confirmed", _("Confirmed by the village")
    RETURNED = "returned", _("Returned to the village")
    SIGNED = "signed", _("Signed off")


class SignOffAct(models.TextChoices):
    CONFIRM = "confirm", _("Confirm")
    SIGN = "sign", _("Sign off")
    RETURN = "return", _("Return")


# act → the states it may start from (the village's own; a street's or a district's sign starts
# from open, once everything below it is signed). A signed period is final.
ACT_FROM = {
    SignOffAct.CONFIRM: {SignOffState.OPEN, SignOffState.RETURNED},
    SignOffAct.SIGN: {SignOffState.CONFIRMED},
    SignOffAct.RETURN: {SignOffState.CONFIRMED},
}
ACT_TO = {
    SignOffAct.CONFIRM: SignOffState.CONFIRMED,
    SignOffAct.SIGN: SignOffState.SIGNED,
    SignOffAct.RETURN: SignOffState.RETURNED,
}


class ReportSection(models.TextChoices):
    GUIDANCE = "guidance", _("Ideological guidance and party building")
    ACHIEVEMENTS = "achievements", _("Women's achievements, family education and assistance")
    RIGHTS = "rights", _("Rights protection and councils")
    POSITIONS = "positions", _("Positions and demonstration titles")
