"""The keys two records of one person share, counted as people are written (docs/merging.md).

A likely duplicate shares an ID number, or a name with a phone or a birth date, with another
person alive. Grouping the whole people table by each key on every visit to the duplicates
page read all of it (456 ms at 200,000 people). Instead, triggers on the people table
(migration 0010) count, in the statement of every write, the people alive with each key, and
the page starts from the few keys more than one person has. The triggers see every write
(services, imports, bulk inserts, COPY), and two transactions writing one key wait for each
other on its row, so a person entered at once by two villages is still counted twice.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.members.choices import DuplicateKeyKind


class DuplicateKey(models.Model):
    """One key a person may share with another, and how many people alive have it. Written by
    the database's triggers only; never shown (``likely_duplicates`` reads the people)."""

    kind = models.CharField(_("kind"), max_length=16, choices=DuplicateKeyKind.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    value = models.CharField(
        _("ID number, phone or birth date"), max_length=20, help_text=_("A date as YYYY-MM-DD.")
    )
    people = models.IntegerField(_("number of people"), default=0)

    class Meta:
        verbose_name = _("shared key of people")
        verbose_name_plural = _("shared keys of people")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "value"], name="duplicatekey_once")
        ]
        indexes = [
            models.Index(
                fields=["kind", "name", "value"],
                condition=Q(people__gt=1),
                name="duplicatekey_shared",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.people}"
