"""Events an organization held, the campaigns (专项行动) they belong to, and the money behind
them: the lines of work and categories they are counted by (docs/events.md)."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
from apps.events.choices import FundSource
from apps.organizations.models import MonthRollup, OrganizationRecord

ENDS_BEFORE_IT_STARTS = _("The end cannot be before the start.")
FEWER_REACHED_THAN_TOOK_PART = _("People reached cannot be fewer than the participants.")
OUTSIDE_THE_CAMPAIGN = _("The campaign does not cover this organization.")
CATEGORY_OF_ANOTHER_LINE = _("The category belongs to another line of work.")
POSITION_OF_ANOTHER_ORGANIZATION = _("The position belongs to another organization.")


class PublishedList(TimeStampedModel):
    """A list the district extends (lines of work, categories): an immutable English code and
    a Chinese name, published by an organization for its subtree (docs/scoping.md, exception
    one). The rows seeded with the system belong to no organization: the whole district's."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the lists the system starts with: they serve the whole district."),
    )
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    scope_field = "organization"

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class LineOfWork(PublishedList):
    """A line of the federation's work (思想引领, 家庭教育 …) that events are counted by."""

    class Meta(PublishedList.Meta):
        verbose_name = _("line of work")
        verbose_name_plural = _("lines of work")


class EventCategory(PublishedList):
    """A kind of event within a line of work (讲座, 亲子活动, 流动课堂 …)."""

    line = models.ForeignKey(
        LineOfWork, verbose_name=_("line of work"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(PublishedList.Meta):
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")


class Campaign(OrganizationRecord):
    """A campaign (专项行动) an organization launches for its subtree over a period, such as
    the district's '送法进万家 家教伴成长' publicity month; the subtree's events attach to it."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="event_campaigns",  # "campaigns" is the test-only scoping app's
        help_text=_("The organization that runs the campaign: it covers its subtree."),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]
        indexes = [
            # The sync index, named apart from the test-only scoping app's Campaign's.
            models.Index(fields=["updated_at", "id"], name="event_campaign_sync"),
            models.Index(fields=["starts_on", "id"], name="campaign_starts"),
            models.Index(fields=["organization", "starts_on"], name="campaign_org_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_after_it_starts",
                violation_error_message=ENDS_BEFORE_IT_STARTS,
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": [ENDS_BEFORE_IT_STARTS]})

    def covers(self, organization) -> bool:
        """Whether ``organization`` lies in the campaign's subtree."""
        return organization.path.startswith(self.organization.path)


class Event(OrganizationRecord):
    """An event an organization held: a lecture, a parent-child activity, a mobile classroom
    session …, with the people it reached and the money it cost."""

    # Its history is read by event (the admin's history page: ``id``), never by these: their
    # indexes would be written for every event a batch stores (docs/events.md, "A batch from
    # the field").
    history_unindexed = (
        "organization",
        "line",
        "category",
        "campaign",
        "position",
        "updated_at",
        "history_date",
    )

    # As every record's, without the index of its own that would repeat the leading column of
    # event_sync (Meta.indexes): an entry more for every event.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    title = models.CharField(_("title"), max_length=200)
    line = models.ForeignKey(
        LineOfWork,
        verbose_name=_("line of work"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Taken from the category."),
        db_index=False,  # event_line_starts leads with it (Meta.indexes)
    )
    category = models.ForeignKey(
        EventCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # event_category_starts leads with it
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,  # event_campaign_starts leads with it
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    position = models.ForeignKey(
        "organizations.Position",
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("One of the organization's positions, such as its women's home."),
        db_index=False,  # event_position, of the events that name one (Meta.indexes)
    )
    partners = models.CharField(
        _("partners"),
        max_length=500,
        blank=True,
        help_text=_("Schools, courts, companies … that held it with the organization."),
    )
    participants = models.PositiveIntegerField(_("participants"), default=0)
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    volunteers = models.PositiveIntegerField(_("volunteers"), default=0)
    spent = models.DecimalField(
        _("money spent (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "-id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            # The list's order (newest first, read backwards) and each filter with it.
            models.Index(fields=["starts_at", "id"], name="event_starts"),
            models.Index(fields=["organization", "starts_at"], name="event_org_starts"),
            models.Index(fields=["line", "starts_at", "id"], name="event_line_starts"),
            models.Index(fields=["category", "starts_at", "id"], name="event_category_starts"),
            # Most events name no campaign and no position: their indexes hold only those that
            # do (a lookup by one implies it is not null), so a batch writes two fewer entries
            # an event and the redundant single-column indexes of the foreign keys are gone
            # (docs/events.md, "A batch from the field").
            models.Index(
                fields=["campaign", "starts_at", "id"],
                name="event_campaign_starts",
                condition=Q(campaign__isnull=False),
            ),
            models.Index(
                fields=["position"], name="event_position", condition=Q(position__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="event_ends_after_it_starts",
                violation_error_message=ENDS_BEFORE_IT_STARTS,
            ),
            models.CheckConstraint(
                condition=Q(people_reached__gte=F("participants")),
                name="event_reached_at_least_participants",
                violation_error_message=FEWER_REACHED_THAN_TOOK_PART,
            ),
            models.CheckConstraint(condition=Q(spent__gte=0), name="event_spent_not_negative"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = [ENDS_BEFORE_IT_STARTS]
        if (
            self.participants is not None
            and self.people_reached is not None
            and self.people_reached < self.participants
        ):
            errors["people_reached"] = [FEWER_REACHED_THAN_TOOK_PART]
        if self.category_id and self.line_id and self.category.line_id != self.line_id:
            errors["category"] = [CATEGORY_OF_ANOTHER_LINE]
        if self.organization_id:
            if self.campaign_id and not self.campaign.covers(self.organization):
                errors["campaign"] = [OUTSIDE_THE_CAMPAIGN]
            if self.position_id and self.position.organization_id != self.organization_id:
                errors["position"] = [POSITION_OF_ANOTHER_ORGANIZATION]
        if errors:
            raise ValidationError(errors)


class EventMonth(MonthRollup):
    """One organization's events of one month (Beijing time) and category, added up: what the
    reports' figures that add up read for whole months (docs/events.md, Rollups).

    Kept by the database in the transaction that writes the events, whichever way they are
    written (a service's save, a batch's or an import's COPY, a restore): the statement
    triggers of migration 0006 add each new live event, take away each old one, and upsert the
    rows in key order. Nothing in Python writes it."""

    line = models.ForeignKey(
        LineOfWork, verbose_name=_("line of work"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        EventCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    held = models.IntegerField(_("events held"), default=0)
    participants = models.BigIntegerField(_("participants"), default=0)
    people_reached = models.BigIntegerField(_("people reached"), default=0)
    volunteers = models.BigIntegerField(_("volunteers"), default=0)
    spent = models.DecimalField(_("money spent (yuan)"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("events of a month")
        verbose_name_plural = _("events by month")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "category", "line"], name="event_month_key"
            )
        ]
        indexes = [models.Index(fields=["month", "organization"], name="event_month_month")]

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m} {self.category_id}"


class Fund(OrganizationRecord):
    """Money an organization obtained: from higher levels (向上争取资金) or raised as donations
    (筹集'99公益'善款), for a campaign or an event or on its own."""

    source = models.CharField(_("source"), max_length=16, choices=FundSource.choices)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    received_on = models.DateField(_("received on"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
    )

    class Meta:
        verbose_name = _("funding record")
        verbose_name_plural = _("funding records")
        ordering = ["-received_on", "-id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["received_on", "id"], name="fund_received"),
            models.Index(fields=["organization", "received_on"], name="fund_org_received"),
            models.Index(fields=["source", "received_on", "id"], name="fund_source_received"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fund_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.amount}"

    def clean(self):
        errors = {}
        if self.organization_id:
            if self.campaign_id and not self.campaign.covers(self.organization):
                errors["campaign"] = [OUTSIDE_THE_CAMPAIGN]
            if self.event_id and not self.event.organization.path.startswith(
                self.organization.path
            ):
                errors["event"] = [_("The event was held outside this organization's subtree.")]
        if errors:
            raise ValidationError(errors)


NOT_IN_THE_EVENT_SUBTREE = _(
    "This person does not belong to the organization that held the event or one below it."
)
COMPLETED_WITHOUT_ATTENDING = _("A person who did not attend cannot have completed it.")


class EventParticipant(OrganizationRecord):
    """A person on an event's participant list (a training's trainees): whether she attended
    and whether she completed it. Her organization is the event's; large public events keep
    no list, only their numbers (docs/events.md, Participant lists)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="event_participants",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="participant_list",
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="event_participation",
    )
    attended = models.BooleanField(_("attended"), default=True)
    completed = models.BooleanField(_("completed"), default=False)

    class Meta:
        verbose_name = _("event participant")
        verbose_name_plural = _("event participants")
        ordering = ["event", "id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["event", "id"], name="eventparticipant_event"),
            models.Index(fields=["member"], name="eventparticipant_member"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(deleted_at__isnull=True),
                name="eventparticipant_once",
                violation_error_message=_("This person is already on the event's list."),
            ),
            models.CheckConstraint(
                condition=Q(attended=True) | Q(completed=False),
                name="eventparticipant_completed_attended",
                violation_error_message=COMPLETED_WITHOUT_ATTENDING,
            ),
        ]

    def __str__(self):
        return str(self.member)

    def clean(self):
        errors = {}
        if self.completed and not self.attended:
            errors["completed"] = [COMPLETED_WITHOUT_ATTENDING]
        try:
            event = self.event  # unsaved in an admin inline on the add page
        except Event.DoesNotExist:
            event = None
        if (
            event is not None
            and event.organization_id
            and self.member_id
            and not self.member.organization.path.startswith(event.organization.path)
        ):
            errors["member"] = [NOT_IN_THE_EVENT_SUBTREE]
        if errors:
            raise ValidationError(errors)
