"""Referrals through the green channel (绿色通道): a case handed to the legal service center,
another organization of the tree or an outside body, and what came back (docs/rights.md,
Referrals). Imported at the end of ``apps/rights/models.py`` so Django finds them."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.transitions import Move
from apps.organizations.models import OrganizationRecord
from apps.rights.models_deadlines import EscalationLevel

TEXT_LIMIT = settings.API_TEXT_MAX_LENGTH


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")  # 已转介
    ACCEPTED = "accepted", _("Accepted by the receiver")  # 已接收
    DECLINED = "declined", _("Declined")  # 已退回
    ANSWERED = "answered", _("Answered")  # 已反馈


class OutsideBody(models.TextChoices):
    """A body outside the federation's tree a case is referred to."""

    POLICE = "police", _("Police")  # 公安
    COURT = "court", _("Court")  # 法院
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")  # 民政
    HOSPITAL = "hospital", _("Hospital")  # 医院
    OTHER = "other", _("Other body")


# While a referral is in one of these, the receiver reads and works the case (docs/scoping.md,
# exception two) until the case is closed. A declined referral opens nothing.
OPENING_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.ANSWERED)
# Waiting for the receiver: the deadline to answer runs.
WAITING_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)

REFERRAL_MOVES = {
    ReferralStatus.ACCEPTED: Move(sources=frozenset({ReferralStatus.SENT})),
    ReferralStatus.DECLINED: Move(
        sources=frozenset({ReferralStatus.SENT}), needs=("decline_reason",)
    ),
    ReferralStatus.ANSWERED: Move(sources=frozenset({ReferralStatus.ACCEPTED}), needs=("answer",)),
}


class Referral(OrganizationRecord):
    """A case referred by its organization (``organization``, the case's) to a receiver: an
    organization of the tree (``to_organization``) or an outside body (``outside_kind`` and
    ``outside_name``). Only with the seeker's consent to refer; the letter carries what
    ``share_identity`` and ``share_narrative`` allow."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("referring organization"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        help_text=_("The case's organization."),
    )
    case = models.ForeignKey(
        "rights.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="referrals"
    )
    to_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("receiving organization"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
        null=True,
        blank=True,
    )
    outside_kind = models.CharField(
        _("outside body"), max_length=16, choices=OutsideBody.choices, blank=True
    )
    outside_name = models.CharField(_("name of the outside body"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), validators=[MaxLengthValidator(TEXT_LIMIT)])
    share_identity = models.BooleanField(
        _("share the seeker's identity"),
        default=False,
        help_text=_("Only with the consent to record identity."),
    )
    share_narrative = models.BooleanField(_("share the narrative"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_at = models.DateTimeField(_("sent at"))
    due_at = models.DateTimeField(_("answer due at"))
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )
    answer = models.TextField(
        _("what was done"), blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)]
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    transitions = REFERRAL_MOVES
    status_field = "status"

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [
            *OrganizationRecord.Meta.indexes,
            models.Index(fields=["to_organization", "status"], name="referral_receiver"),
            models.Index(fields=["case", "status"], name="referral_case"),
            models.Index(fields=["status", "due_at"], name="referral_waiting"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(to_organization__isnull=False) & Q(outside_kind=""))
                | (Q(to_organization__isnull=True) & ~Q(outside_kind="")),
                name="referral_one_receiver",
                violation_error_message=_(
                    "A referral goes to one receiver: an organization or an outside body."
                ),
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("sent_at")), name="referral_due_after_sent"
            ),
        ]

    def __str__(self):
        return f"{self.case} → {self.receiver_name}"

    @property
    def receiver_name(self) -> str:
        if self.to_organization_id:
            return str(self.to_organization)
        return self.outside_name or self.get_outside_kind_display()


class ReferralEscalation(models.Model):
    """A referral with no answer by its deadline, recorded once per level (the database refuses
    a second row, so two runs at once make one)."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.PROTECT, related_name="escalations"
    )
    level = models.CharField(_("level"), max_length=16, choices=EscalationLevel.choices)
    due_at = models.DateTimeField(_("due at"))
    created_at = models.DateTimeField(_("escalated at"))

    scope_field = "referral__organization"

    class Meta:
        verbose_name = _("referral escalation")
        verbose_name_plural = _("referral escalations")
        ordering = ["referral", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "level"], name="referral_escalation_once_per_level"
            )
        ]

    def __str__(self):
        return self.get_level_display()
