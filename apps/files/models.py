"""Files attached to records, and the log of who downloaded them."""

import re
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import ClientKeyedModel, TimeStampedModel

_EXTENSION = re.compile(r"[a-z0-9]{1,8}")


def attachment_path(instance, filename: str) -> str:
    """A name of our own, ``attachments/%Y/%m/<uuid4 hex>.<ext>``.

    The user's file name never reaches the disk: it could carry a path, a
    name that says who the woman is, or characters the file system dislikes.
    Only the extension of ``filename`` is kept, and ``filename`` is the one
    the upload cleaner chose from the file's real type.
    """
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    if not _EXTENSION.fullmatch(ext):
        ext = "bin"
    folder = timezone.localdate().strftime("attachments/%Y/%m")
    return f"{folder}/{uuid.uuid4().hex}.{ext}"


class Attachment(ClientKeyedModel, TimeStampedModel):
    """A cleaned photo or document attached to one record.

    It belongs to its record's organization (copied at upload), so the
    scoping rule can find it; but it is read only through its record's API,
    which applies the record's rules.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("record type")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("organization"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    mime = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("uploaded by"),
    )

    # Who moved a file to another record (two records of one person merged), and when.
    history = HistoricalRecords(excluded_fields=["client_id", "request_hash"])

    scope_field = "organization"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.original_name


class Download(models.Model):
    """One download of an attachment: who read the file, and when.

    Append-only: there is no admin and no update path, so the log of reads
    of sensitive records cannot be edited after the fact.
    """

    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        related_name="downloads",
        verbose_name=_("attachment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="downloads",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("downloaded at"), auto_now_add=True, db_index=True)

    scope_field = "attachment__organization"

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.user_id} {self.attachment_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        """Refuse to rewrite a logged download."""
        if not self._state.adding:
            raise ValueError("A download record is never changed.")
        super().save(*args, **kwargs)
