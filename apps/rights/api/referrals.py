"""Referrals through the API: ``/api/v1/rights/referrals/`` (GET for both sides, POST by the
case's side, PATCH while ``sent``; never DELETE) and ``{id}/transition/`` (accepted, declined
with ``decline_reason``, answered with ``answer``; send ``version``). docs/rights.md,
Referrals."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from apps.core.api.records import RefField
from apps.core.api.transitions import TransitionMixin
from apps.organizations.api.base import ScopedRecordSerializer, ScopedViewSet
from apps.organizations.filters import RecordFilterSet
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped
from apps.rights.models import Case
from apps.rights.models_referrals import OutsideBody, Referral, ReferralStatus
from apps.rights.selectors import cases as case_selectors
from apps.rights.selectors import referrals as selectors
from apps.rights.services import referrals as services


class ReceiverField(RefField):
    """An organization of the caller's district, by id; which of them may receive a case is the
    service's rule (``services.referrals.receivers``), answered with its own message."""

    default_error_messages = {
        "does_not_exist": _("The chosen organization does not exist or is not within your reach."),
        "incorrect_type": _("Send the id of the organization: a whole number."),
    }

    def get_queryset(self):
        user = self.context["request"].user
        organization = getattr(user, "organization", None)
        if organization is None:
            return Organization.objects.none()
        return Organization.objects.filter(
            path__startswith=organization.path[: Organization.steplen]
        )


class ReferralSerializer(ScopedRecordSerializer):
    """In full for the roles that read cases in full; district admins and staff, and every
    list, read it without the case's words: no reason, no decline reason, no answer."""

    to_organization = ReceiverField(required=False, allow_null=True, default=None)
    masked = {"reason": None, "decline_reason": None, "answer": None}

    class Meta:
        model = Referral
        fields = [
            *("id", "organization", "case", "to_organization", "outside_kind", "outside_name"),
            *("reason", "share_identity", "share_narrative", "status", "sent_at", "due_at"),
            *("decline_reason", "answer", "responded_at", "answered_at", "updated_at"),
        ]
        read_only_fields = [
            *("organization", "status", "sent_at", "decline_reason", "answer"),
            *("responded_at", "answered_at", "updated_at"),
        ]
        # Masked answers carry null in the words' place (the schema says so); a sent null is
        # refused as a missing reason.
        extra_kwargs = {
            "due_at": {"required": False},
            "reason": {"allow_null": True},
            "decline_reason": {"allow_null": True},
            "answer": {"allow_null": True},
        }

    def get_fields(self):
        fields = super().get_fields()
        fields["case"].queryset = Case.objects.all()  # the service decides whose case it is
        if self.instance is not None:  # the case and its receiver are set once
            for name in ("case", "to_organization", "outside_kind", "outside_name"):
                fields[name].read_only = True
        return fields


class ReferralBriefSerializer(serializers.ModelSerializer):
    """One step of a case's exchange, on the case's page (full readers only)."""

    to_organization = RefField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            *("id", "to_organization", "outside_kind", "outside_name", "reason", "status"),
            *("sent_at", "due_at", "responded_at", "decline_reason", "answered_at", "answer"),
        ]
        read_only_fields = fields


class ReferralFilter(RecordFilterSet):
    """``?organization=`` (the sending side's subtree), ``?status=``, ``?case=`` (its id),
    ``?outside_kind=``, ``?side=sent|received``."""

    case = django_filters.NumberFilter(label=_("case"), field_name="case_id")

    status = django_filters.ChoiceFilter(label=_("status"), choices=ReferralStatus.choices)
    outside_kind = django_filters.ChoiceFilter(label=_("outside body"), choices=OutsideBody.choices)
    side = django_filters.ChoiceFilter(
        label=_("side"),
        choices=[("sent", _("Sent from my reach")), ("received", _("Received by my reach"))],
        method="filter_side",
    )

    class Meta:
        model = Referral
        fields = ["organization", "status", "case", "outside_kind"]

    def filter_side(self, queryset, name, value):
        user = self.request.user
        own = scoped(queryset, user)
        if value == "sent":
            return own
        return queryset.exclude(pk__in=own.values("pk"))


@extend_schema_view(
    list=extend_schema(summary=_("Referrals sent from the caller's reach or made to it")),
    retrieve=extend_schema(summary=_("One referral")),
    create=extend_schema(summary=_("Refer a case (only with the consent to refer)")),
    partial_update=extend_schema(summary=_("Change a referral while it is sent")),
)
class ReferralViewSet(TransitionMixin, ScopedViewSet):
    model = Referral
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    http_method_names = ["get", "post", "patch", "head", "options"]  # never deleted
    full_read_perm = case_selectors.FULL_READ_PERM
    log_full_reads = True  # a referral's page in full is a full read, as a case's

    def get_queryset(self):
        return selectors.referral_list(user=self.request.user)

    def reads_in_full(self, obj) -> bool:
        """Lists are masked for everyone; a page, and the answer to a write, in full for the
        roles that read cases in full (only the page's GET is logged)."""
        return getattr(self, "action", None) != "list" and case_selectors.reads_cases_in_full(
            self.request.user
        )

    def writable(self, queryset):
        if getattr(self, "action", None) == "transition":  # the receiver answers (the service
            return selectors.referral_list(user=self.request.user).filter(  # checks the side)
                pk__in=queryset.values("pk")
            )
        return super().writable(queryset)  # sending and changing: the case's own side

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # a referral speaks of a case
        return response

    def create_object(self, data):
        return services.referral_send(by=self.request.user, **data)

    def update_object(self, instance, data):
        return services.referral_update(by=self.request.user, referral=instance, **data)

    def transition_object(self, obj, **kwargs):
        return services.referral_transition(referral=obj, **kwargs)


router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
urlpatterns = router.urls
