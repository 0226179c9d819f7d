"""The log, and the count, of ID numbers checked by roles that read numbers masked
(docs/identity.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdentityCheck(models.Model):
    """One ID number an account that reads numbers masked sent to be checked against the people
    on file: a look-up, or a create or change that is refused if the number is taken.

    Each could confirm a guess at a masked number, so each is counted (one limit per account,
    ``apps.members.services.identity_checks``) and kept for district admins to read, within
    their subtree (by the account's organization). The number itself is not kept: its mask,
    and a keyed hash that tells the same number checked again.
    """

    class Through(models.TextChoices):
        LOOKUP = "lookup", _("look-up by ID number")
        CREATE = "create", _("new person")
        CHANGE = "change", _("changed ID number")

    at = models.DateTimeField(_("checked at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    through = models.CharField(_("through"), max_length=8, choices=Through.choices)
    masked_number = models.CharField(_("resident ID number"), max_length=18, blank=True)
    number_key = models.CharField(_("number key"), max_length=64, editable=False)
    refused = models.BooleanField(
        _("refused"), default=False, help_text=_("Over the limit: the number was not checked.")
    )

    scope_field = "user__organization"

    class Meta:
        verbose_name = _("ID number check")
        verbose_name_plural = _("ID number checks")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="identitycheck_user_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.masked_number}"
