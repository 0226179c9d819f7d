"""Base models that know no domain."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_note


class TimeStampedModel(models.Model):
    """A record that knows when it was made and last changed (clients sync on updated_at)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ClientKeyedModel(models.Model):
    """A record a client creates with its own key, so a retried POST finds it again.

    ``client_id`` is the UUID the client made once for the record; the unique
    constraint, not a look-up, is what keeps two racing retries to one row.
    ``request_hash`` is the hash of the first request's validated body, so a
    replay with a different body is told apart (409). Records made in the
    admin or by an import have neither.
    """

    client_id = models.UUIDField(_("client id"), unique=True, null=True, editable=False)
    request_hash = models.CharField(_("request hash"), max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


# What a service takes besides a record's own fields when the API creates it: the record's one
# INSERT stores the key (apps/core/api/writes.py).
CLIENT_KEY_FIELDS = ("client_id", "request_hash")


def checked_by_the_database(instance: models.Model) -> list[str]:
    """What ``full_clean(exclude=…)`` may leave to the database's constraints, a query each
    saved: the client's key (its unique constraint settles even racing retries, which the API
    answers as replays) and a foreign key to an object read from the database (the constraint
    refuses one gone since; its scope was checked where it was read)."""
    exclude = list(CLIENT_KEY_FIELDS) if isinstance(instance, ClientKeyedModel) else []
    for field in instance._meta.concrete_fields:
        if not field.many_to_one or field.remote_field.limit_choices_to:
            continue
        related = field.get_cached_value(instance, None) if field.is_cached(instance) else None
        if (
            related is not None
            and not related._state.adding
            and related.pk == getattr(instance, field.attname)
        ):
            exclude.append(field.name)
    return exclude


class VersionedModel(models.Model):
    """A record two people may edit at once: each change raises ``version`` by one.

    The API compares the version a client read with the stored one before it
    writes (409/412 when stale, 428 when missing); a client never sets it.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class AliveQuerySet(models.QuerySet):
    """Records of a soft-deletable model: ``alive()`` leaves the deleted out."""

    def alive(self):
        return self.filter(deleted_at__isnull=True)


class SoftDeletableModel(models.Model):
    """A record whose deletion clients must learn about when they sync.

    Deleting sets ``deleted_at`` (and so ``updated_at``); lists leave the row
    out, except a sync list (``?updated_after=``), which shows it as
    ``"deleted": true``.
    """

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = AliveQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self, *, by=None, reason: str = ""):
        """Delete as clients see it: gone from lists, kept for history and for sync."""
        self.deleted_at = timezone.now()
        if by is not None:
            history_note(self, by=by, reason=reason)
        self.save(update_fields=["deleted_at", "updated_at"])
        return self


class AccessLog(models.Model):
    """One full read of a sensitive record: who, when, which record, through what.

    Written by the full-read hook of the API (``RecordViewSet.log_full_read``)
    and by the admin pages of such records; never changed through the app.
    District administrators read it within their subtree (by the reader's
    organization).
    """

    at = models.DateTimeField(_("read at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("read by"), on_delete=models.PROTECT
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    through = models.CharField(_("through"), max_length=16)

    scope_field = "user__organization"

    class Meta:
        verbose_name = _("full read")
        verbose_name_plural = _("full reads")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="accesslog_record")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} #{self.object_id}"


class ThrottleCount(models.Model):
    """Requests counted for one throttle key (an account or an address) in its current window.

    Written by one statement per request (apps/core/throttling.py), shared by every server
    process (docs/quality.md, 8). One row per key: a new window starts the count again.
    """

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("throttle count")
        verbose_name_plural = _("throttle counts")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
