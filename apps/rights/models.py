"""Rights-protection stations, posts, the legal service center and information-collection
points, and the people who staff them (docs/rights.md)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import OrganizationRecord
from apps.rights.choices import StaffRole, StationKind

CLOSED_BEFORE_OPENED = _("The closing date cannot be before the opening date.")


class Station(OrganizationRecord):
    """A place where women and children ask for help, kept by one organization: a village's
    station (维权服务站) or post (维权服务岗), the district's legal service center (its own
    organization, a committee under the district), an information-collection point. A station
    is closed by giving its closing date; its record and its cases stay."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="stations",
        help_text=_("The organization that runs it."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=StationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rights-protection station")
        verbose_name_plural = _("rights-protection stations")
        ordering = ["organization__path", "kind", "name", "id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            # Coverage: the stations open on a day, by organization (docs/rights.md).
            models.Index(fields=["organization", "kind", "opened_on"], name="station_org_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="station_closed_after_opened",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": CLOSED_BEFORE_OPENED})

    def is_open_on(self, day) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on >= day)


class StationStaff(OrganizationRecord):
    """A person of the organization's people list who works at a station, in a role, for a
    term (a mediator, a lawyer on duty). Her organization is the station's."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="station_staff",
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="staff"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=24, choices=StaffRole.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("station staff")
        verbose_name_plural = _("station staff")
        ordering = ["station", "role", "started_on", "id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["station", "ended_on"], name="stationstaff_station"),
            models.Index(fields=["member"], name="stationstaff_member"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="stationstaff_ended_after_started",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_role_display()}"

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end cannot be before the start.")})
