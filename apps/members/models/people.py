"""People (人员): one record per person, which every later app points at."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.identity import (
    id_number_birth_date,
    id_number_gender,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_mobile,
)
from apps.core.models import AliveQuerySet
from apps.core.validators import past_birth_date, plain_text
from apps.members.choices import (
    AppointmentRole,
    Education,
    Ethnicity,
    Gender,
    PoliticalStatus,
)
from apps.organizations.models import OrganizationRecord, pinyin_key


class Member(OrganizationRecord):
    """A person the federation works with: an executive member, a volunteer, a client …

    The ID number and phone are stored normalized (18 characters, E.164) and
    shown masked everywhere except the person's own page, to the roles that
    may read them. A birth date and gender that disagree with the ID number
    are refused.
    """

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, validators=[plain_text])
    name_pinyin = models.CharField(_("pinyin sort key"), max_length=255, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=16, choices=Ethnicity.choices, default=Ethnicity.HAN
    )
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, validators=[past_birth_date]
    )
    id_number = models.CharField(
        _("resident ID number"),
        max_length=18,
        blank=True,
        help_text=_("18 characters; the birth date and gender are read from it."),
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=24, choices=PoliticalStatus.choices, blank=True
    )
    education = models.CharField(
        _("education"), max_length=16, choices=Education.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Set when this record was a duplicate, merged into another person's."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_pinyin", "id"]
        permissions = [("view_identity", _("Can see full ID numbers and phone numbers"))]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["organization", "name_pinyin"], name="member_org_name"),
            models.Index(fields=["id_number"], condition=~Q(id_number=""), name="member_id_number"),
            # The other two keys of a likely duplicate (apps/members/merging.py): a person's
            # pairs are found through these as she is saved, an import's through them set-wise.
            models.Index(
                fields=["name", "phone"], condition=~Q(phone=""), name="member_name_phone"
            ),
            models.Index(
                fields=["name", "birth_date"],
                condition=Q(birth_date__isnull=False),
                name="member_name_birth",
            ),
            # An index behind every ordering and filter the lists offer (docs/quality.md, 25
            # and 26): the district's page reads its 50 rows in order, whatever a filter keeps.
            models.Index(fields=["name_pinyin", "id"], name="member_name"),
            models.Index(fields=["gender", "name_pinyin", "id"], name="member_gender_name"),
            models.Index(
                fields=["political_status", "name_pinyin", "id"], name="member_political_name"
            ),
            models.Index(fields=["education", "name_pinyin", "id"], name="member_education_name"),
            models.Index(fields=["ethnicity", "name_pinyin", "id"], name="member_ethnicity_name"),
            # A street's count (up to 10,001, apps/core/pagination.py) read from the index
            # alone: its people lie spread through the table, which the count read to find them.
            models.Index(
                fields=["organization"],
                condition=Q(deleted_at__isnull=True),
                name="member_org_alive",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def birth_year(self) -> int | None:
        """What lists show: the full date is the hidden middle of a masked ID number."""
        return self.birth_date.year if self.birth_date else None

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                self.id_number = normalize_id_number(self.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
            else:
                errors.update(self._disagreements_with_id_number())
        if self.phone:
            try:
                self.phone = normalize_mobile(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def _disagreements_with_id_number(self) -> dict:
        errors = {}
        born = id_number_birth_date(self.id_number)
        if self.birth_date is None:
            self.birth_date = born
        elif self.birth_date != born:
            errors["birth_date"] = [_("The birth date does not agree with the ID number.")]
        if self.gender and self.gender != id_number_gender(self.id_number):
            errors["gender"] = [_("The gender does not agree with the ID number.")]
        return errors

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin"}
        super().save(*args, **kwargs)


class AppointmentQuerySet(AliveQuerySet):
    def current(self, on=None):
        """Terms running on ``on`` (today in Beijing time by default)."""
        on = on or timezone.localdate()
        return self.alive().filter(
            Q(started_on__lte=on), Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )

    def past(self, on=None):
        on = on or timezone.localdate()
        return self.alive().filter(ended_on__lt=on)


class Appointment(OrganizationRecord):
    """A person's role in an organization for a term (任职): chair, executive member …

    The person is one record however many roles they hold; the organization is
    where the role is held, which may be above the person's own village.
    """

    member = models.ForeignKey(
        Member, verbose_name=_("person"), on_delete=models.PROTECT, related_name="appointments"
    )
    role = models.CharField(_("role"), max_length=24, choices=AppointmentRole.choices)
    started_on = models.DateField(_("term starts"))
    ended_on = models.DateField(
        _("term ends"), null=True, blank=True, help_text=_("Empty while the term runs on.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["organization", "role", "-started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="appointment_ends_after_it_starts",
                violation_error_message=_("A term cannot end before it starts."),
            )
        ]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["organization", "role", "ended_on"], name="appointment_org_role"),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_role_display()}"

    def clean(self):
        errors = {}
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = [_("A term cannot end before it starts.")]
        if (
            self.member_id
            and self.organization_id
            and not self.member.organization.path.startswith(self.organization.path)
        ):
            # The appointment is the organization's record: it names only people that
            # organization can see (docs/scoping.md), never a sibling village's.
            errors["member"] = [
                _("This person does not belong to the organization or one below it.")
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (
            self.deleted_at is None
            and self.started_on <= today
            and (self.ended_on is None or self.ended_on >= today)
        )
