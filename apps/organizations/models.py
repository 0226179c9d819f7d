"""The organization tree, its positions (阵地) and demonstration titles (示范点)."""

import functools

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from apps.core.models import (
    ClientKeyedModel,
    SoftDeletableModel,
    TimeStampedModel,
    VersionedModel,
)
from apps.core.validators import NOT_AVAILABLE, code_characters, plain_text
from apps.organizations.choices import ALLOWED_PARENT_KINDS, Kind, Level, Sector, TitleStatus


@functools.lru_cache(maxsize=2**16)
def pinyin_key(name: str) -> str:
    """A sort key that orders Chinese names by pinyin without an ICU collation.

    Kept for the names met last: most names repeat (王芳, 张秀英 …), and finding the pinyin
    was a fifth of the time an import of 100,000 people spent per row.
    """
    return " ".join(lazy_pinyin(name)).lower()[:255]


STREET_DEPTH = 2  # a street's (or town's) level in the tree: the district is 1


class Organization(MP_Node, ClientKeyedModel, TimeStampedModel):
    """One organization of the federation's tree.

    The tree is a materialized path (``path``): a subtree is one indexed
    ``LIKE 'prefix%'`` query however deep or wide (Django gives the unique
    ``path`` a ``varchar_pattern_ops`` index on PostgreSQL for exactly that).
    ``parent`` and ``street`` are kept beside it by the services, so a list
    can name its parent and a report can group by street without walking
    the path.
    """

    steplen = 4

    name = models.CharField(_("name"), max_length=100, validators=[plain_text])
    name_pinyin = models.CharField(_("pinyin sort key"), max_length=255, editable=False)
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_characters],
        error_messages={"unique": NOT_AVAILABLE},
        help_text=_("A unique code, such as 330299001001."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sector = models.CharField(
        _("sector"),
        max_length=16,
        choices=Sector.choices,
        blank=True,
        help_text=_("Only for women's committees: organ, enterprise or new forms of employment."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children_set",
    )
    street = models.ForeignKey(
        "self",
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("The second-level ancestor (or the organization itself at that level)."),
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        help_text=_("Set when the organization is dissolved; it stays in history and reports."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    history = HistoricalRecords(
        excluded_fields=["path", "depth", "numchild", "name_pinyin", "client_id", "request_hash"]
    )

    scope_field = ""  # the organization is its own scope

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"], name="org_kind_path"),
            models.Index(fields=["name_pinyin"], name="org_name_pinyin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="org_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.DISTRICT, parent__isnull=True)
                | (~Q(kind=Kind.DISTRICT) & Q(parent__isnull=False)),
                name="org_only_districts_are_roots",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.COMMITTEE) | Q(sector=""),
                name="org_sector_only_for_committees",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("The closing date cannot be before the opening date.")
        if self.kind and self.kind != Kind.COMMITTEE and self.sector:
            errors["sector"] = _("Only a women's committee has a sector.")
        if self.kind:
            allowed = ALLOWED_PARENT_KINDS[self.kind]
            if self.parent_id is None and allowed:
                errors["parent"] = _("A %(kind)s needs a parent organization.") % {
                    "kind": self.get_kind_display()
                }
            elif self.parent is not None and self.parent.kind not in allowed:
                errors["parent"] = _("A %(kind)s cannot be placed under a %(parent_kind)s.") % {
                    "kind": self.get_kind_display(),
                    "parent_kind": self.parent.get_kind_display(),
                }
            elif self.parent is not None and self.parent.closed_on and not self.closed_on:
                errors["parent"] = _("The parent organization has been dissolved.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def ancestor_paths(self) -> list[str]:
        """The paths of every ancestor, root first, computed from the path alone."""
        return [self.path[:end] for end in range(self.steplen, len(self.path), self.steplen)]


class ReferenceList(models.Model):
    """A list staff can extend: an immutable English code and a Chinese name."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class PositionKind(ReferenceList):
    """A kind of position: 妇女之家, 妇女党建微家, 巾帼家政服务站 …"""

    events_per_quarter = models.PositiveSmallIntegerField(
        _("events required a quarter"),
        default=0,
        help_text=_(
            "Each open position of this kind holds at least this many events a quarter; 0: "
            "none required. The reports list the positions that fell short."
        ),
    )

    class Meta(ReferenceList.Meta):
        verbose_name = _("position kind")
        verbose_name_plural = _("position kinds")


class TitleKind(ReferenceList):
    """A kind of demonstration title: 小马扎巾帼流动课堂示范点, 共同富裕示范村 …"""

    class Meta(ReferenceList.Meta):
        verbose_name = _("title kind")
        verbose_name_plural = _("title kinds")


class Position(TimeStampedModel):
    """A position (阵地) an organization runs, such as a women's home."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT
    )
    kind = models.ForeignKey(PositionKind, verbose_name=_("kind"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    history = HistoricalRecords()

    scope_field = "organization"

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["organization__path", "kind__sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="position_closed_after_opened",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError(
                {"closed_on": _("The closing date cannot be before the opening date.")}
            )


class Title(TimeStampedModel):
    """A demonstration title (示范点 …) applied for or awarded, to an organization or position.

    The report counts both what was applied for and what was won, so a
    title is kept in every status, by level and year.
    """

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Leave empty when the title is given to the organization itself."),
    )
    kind = models.ForeignKey(TitleKind, verbose_name=_("kind"), on_delete=models.PROTECT)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=16, choices=TitleStatus.choices, default=TitleStatus.APPLIED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    scope_field = "organization"

    class Meta:
        verbose_name = _("demonstration title")
        verbose_name_plural = _("demonstration titles")
        ordering = ["-year", "organization__path"]
        indexes = [models.Index(fields=["year", "level", "status"], name="title_year_level")]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1949) & Q(year__lte=2100), name="title_year_plausible"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.kind} ({self.get_level_display()})"

    def clean(self):
        if (
            self.position_id
            and self.organization_id
            and self.position.organization_id != self.organization_id
        ):
            raise ValidationError({"position": _("The position belongs to another organization.")})


class RecordHistory(HistoricalRecords):
    """simple-history, leaving out also the columns a model names in ``history_excluded``.

    The inherited history of every ``OrganizationRecord`` is one object for all of them, so a
    record whose text must never be copied into its history (a case's narrative,
    docs/rights.md) names those columns on its own class instead.
    """

    def fields_included(self, model):
        excluded = getattr(model, "history_excluded", ())
        return [field for field in super().fields_included(model) if field.name not in excluded]

    # A model may name in ``history_unindexed`` the columns of its history that nothing looks
    # rows up by: simple-history indexes every copied foreign key and ``history_date``, each
    # one more entry written for every change (docs/events.md, "A batch from the field").

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name in getattr(model, "history_unindexed", ()):
            if name in fields:  # history_date is not copied: get_extra_fields makes it
                fields[name].db_index = False
        return fields

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        if "history_date" in getattr(model, "history_unindexed", ()):
            extra["history_date"].db_index = False
        return extra


class OrganizationRecord(ClientKeyedModel, VersionedModel, SoftDeletableModel, TimeStampedModel):
    """What every record an organization keeps has: its organization, a client's key, a
    version, soft deletion, timestamps, history and the index a syncing client reads by.

    A record of a village's work (a person, a meeting, an event, a case)
    extends this and adds its own fields; its history is kept by
    simple-history (who, when, before and after), its ``organization`` is
    where it is scoped. A subclass that adds indexes keeps the sync index:
    ``indexes = [*OrganizationRecord.Meta.indexes, ...]``.
    """

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="%(class)ss",  # organization.members, organization.appointments …
    )

    history = RecordHistory(inherit=True, excluded_fields=["client_id", "request_hash"])

    scope_field = "organization"

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["updated_at", "id"], name="%(class)s_sync")]


class MonthRollup(models.Model):
    """A rollup of an organization's records by month (Beijing time): the organization, the
    month, and what a subclass adds (its codes, its counts). Kept by the database's triggers,
    made in the subclass's migration with ``apps.core.rollups.monthly_rollup``; nothing in
    Python writes it (docs/reports.md, Rollups). A subclass names its unique key (the
    organization first) and an index by month."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the subclass's unique key leads with it
    )
    month = models.DateField(_("month"))

    scope_field = "organization"

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m}"
