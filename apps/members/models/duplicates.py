"""Pairs of records that are likely one person, kept on write (docs/merging.md).

A pair shares an ID number, or a name with a phone, or a name with a birth date. Statement
triggers on the people table (migration 0013) record the pairs of the people each statement
inserts or whose keys it changes, and delete the pairs of the people it deletes or merges,
whoever writes (the services, the import's COPY, bulk inserts). Each write only inserts new
rows (``ON CONFLICT DO NOTHING``) or deletes the rows of the people it wrote: no row is shared
by writers of different people, so no save waits on another's transaction for it (the counters
of commit aad1cbf did). The duplicates page reads these pairs, checked against the people's
current keys, instead of grouping the whole people table.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DuplicateReason(models.TextChoices):
    ID_NUMBER = "id_number", _("the same ID number")
    NAME_PHONE = "name_phone", _("the same name and phone")
    NAME_BIRTH_DATE = "name_birth", _("the same name and birth date")


class DuplicateCandidate(models.Model):
    """Two living records that share a key: ``person_a`` has the lower id. Never edited by hand
    nor shown as such; the database writes them, the duplicates page reads
    them. Scoped by both people (``likely_duplicates``)."""

    person_a = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    person_b = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=DuplicateReason.choices)

    scope_field = "person_a__organization"  # and person_b's, checked where they are read

    class Meta:
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["person_b"], name="duplicate_pair_b")]

    def __str__(self):
        return f"#{self.person_a_id} ~ #{self.person_b_id}"


class DistinctPair(models.Model):
    """Two records staff looked at on the duplicates page and found to be two people ("not the
    same person"): their pair is no longer shown, whatever the keys they share
    (docs/merging.md, Not the same person). ``person_a`` has the lower id."""

    person_a = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    person_b = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    scope_field = "person_a__organization"

    class Meta:
        verbose_name = _("records of two people")
        verbose_name_plural = _("records of two people")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="distinct_pair_once"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="distinct_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["person_b"], name="distinct_pair_b")]

    def __str__(self):
        return f"#{self.person_a_id} ≠ #{self.person_b_id}"
