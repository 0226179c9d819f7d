"""A notice to one account: a short title and text and a link, read or not (docs/notices.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """Something an account should know, sent by an app (an overdue case's escalation). It
    holds only what every recipient may read: the sender writes it for the least of them."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,  # part of its account: read by it alone
        related_name="notices",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    scope_field = "account__organization"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["account", "-created_at"],
                name="notice_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["account", "-created_at"], name="notice_account"),
        ]

    def __str__(self):
        return self.title
