"""Cases through the API: ``/api/v1/rights/cases/`` (GET POST PATCH; never DELETE: a case is
withdrawn by its outcome), ``{id}/transition/``, ``{id}/parties/``, ``{id}/followups/`` and
``{id}/attachments/``.

Two shapes (docs/rights.md, Cases): the masked one (number, station, received day, channel,
category, risk, status, outcome) is every list's, and every page's for the roles that do not
read cases in full; the full one (narrative and parties) is a full reader's page, each read
logged and none of it cached. Who reads in full is decided in one place:
``apps.rights.selectors.cases.reads_cases_in_full``.
"""

import django_filters
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from apps.core.api.transitions import TransitionMixin
from apps.core.audit import access_log_write
from apps.files.api import AttachmentsMixin
from apps.organizations.api.base import ScopedRecordSerializer, ScopedViewSet
from apps.organizations.filters import DatedRecordFilterSet
from apps.rights.choices import CaseStatus, Channel, Outcome, Risk
from apps.rights.models import Case, CaseCategory, CaseParty, FollowUp
from apps.rights.selectors import cases as selectors
from apps.rights.services import cases as services


class CategoryField(serializers.SlugRelatedField):
    """A category by its fixed English code (``domestic_violence``); only active ones."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs["queryset"] = CaseCategory.objects.filter(active=True)
        super().__init__(slug_field="code", **kwargs)


def outcome_field():
    """Blank while the case is open: the schema says so (a read-only field would lose it).
    Set only by a closing move (``transition/``), which checks it is there."""
    return serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseParty
        fields = ["id", "role", "anonymous", "name", "gender", "id_number", "phone", "note"]
        fields += ["linked_to"]
        read_only_fields = ["linked_to"]
        extra_kwargs = {"note": {"max_length": settings.API_TEXT_MAX_LENGTH}}


class CaseSerializer(ScopedRecordSerializer):
    """A case in full: for case workers and the station that registered it."""

    category = CategoryField()
    outcome = outcome_field()
    parties = PartySerializer(many=True, required=False)
    referrals = serializers.SerializerMethodField(help_text=_("The referrals' whole exchange."))

    class Meta:
        model = Case
        fields = [
            *("id", "organization", "number", "station", "received_at", "channel", "category"),
            *("risk", "consent_to_record", "consent_to_refer", "narrative"),
            *("narrative_changed_at", "status", "outcome", "closed_at", "parties", "updated_at"),
            "referrals",
        ]
        read_only_fields = [
            *("organization", "number", "narrative_changed_at", "status", "outcome"),
            *("closed_at", "updated_at"),
        ]

    def get_referrals(self, case) -> list[dict]:
        from apps.rights.api.referrals import ReferralBriefSerializer
        from apps.rights.selectors.referrals import case_exchange

        return ReferralBriefSerializer(case_exchange(case=case), many=True).data

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # set at intake; the station decides the organization
            fields["station"].read_only = True
            fields["parties"].read_only = True
        return fields


class MaskedCaseSerializer(ScopedRecordSerializer):
    """What the other roles read, and every list: no narrative, no parties (docs/roles.md)."""

    category = CategoryField(read_only=True)
    outcome = outcome_field()
    received_on = serializers.SerializerMethodField(help_text=_("The day it was received."))

    class Meta:
        model = Case
        fields = [
            *("id", "organization", "number", "station", "received_on", "channel", "category"),
            *("risk", "status", "outcome", "updated_at"),
        ]
        read_only_fields = fields

    def get_received_on(self, case) -> str:
        return timezone.localdate(case.received_at).isoformat()


class FollowUpSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "visited_on", "method", "note", "by", "created_at"]
        read_only_fields = ["by", "created_at"]
        extra_kwargs = {"note": {"max_length": settings.API_TEXT_MAX_LENGTH}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("full"):
            data["note"] = None  # the visit's content is the case's: full readers only
        return data


class CaseFilter(DatedRecordFilterSet):
    """``?organization=``, ``?station=``, ``?status=``, ``?channel=``, ``?risk=``,
    ``?category=`` (code), ``?date_after=``/``?date_before=`` on the day received."""

    date_field = "received_at"

    status = django_filters.ChoiceFilter(label=_("status"), choices=CaseStatus.choices)
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    risk = django_filters.ChoiceFilter(label=_("risk level"), choices=Risk.choices)
    category = django_filters.CharFilter(label=_("category"), field_name="category__code")

    class Meta:
        model = Case
        fields = ["organization", "status", "channel", "risk", "category"]


@extend_schema_view(
    list=extend_schema(summary=_("Cases of the caller's reach, masked for every role")),
    retrieve=extend_schema(
        summary=_("One case: in full for case workers and its own station (logged)")
    ),
    create=extend_schema(summary=_("Register a case with its parties")),
    partial_update=extend_schema(summary=_("Change a case (send the version you read)")),
)
class CaseViewSet(AttachmentsMixin, TransitionMixin, ScopedViewSet):
    model = Case
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    http_method_names = ["get", "post", "patch", "head", "options"]  # never deleted
    full_read_perm = selectors.FULL_READ_PERM
    log_full_reads = True
    attachments_log_downloads = True
    permission_actions = {"transition": "change", "followup_create": "add", "party_create": "add"}

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    def full(self) -> bool:
        return selectors.reads_cases_in_full(getattr(self.request, "user", None))

    def get_serializer_class(self):
        if getattr(self, "action", None) == "list":
            return MaskedCaseSerializer
        if getattr(self, "swagger_fake_view", False):  # the schema: one for every caller
            return CaseSerializer
        return CaseSerializer if self.full() else MaskedCaseSerializer

    def reads_in_full(self, obj) -> bool:
        return getattr(self, "action", None) == "retrieve" and self.full()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # every case answer, lists and errors too
        return response

    def writable(self, queryset):
        # The receiver of a referral names parties of the referred case (docs/rights.md,
        # Referrals); every other write stays in the caller's own subtree.
        if getattr(self, "action", None) == "party_create":
            from apps.rights.selectors.referrals import referred

            via = "" if queryset.model is Case else "case__"
            return referred(queryset, self.request.user, via=via)
        return super().writable(queryset)

    def create_object(self, data):
        return services.case_intake(by=self.request.user, **data)

    def update_object(self, instance, data):
        return services.case_update(by=self.request.user, case=instance, **data)

    # Files: only the roles that read the case in full; each download is logged twice, as a
    # download of the file and as a full read of the case.
    def attachments_readable(self, obj) -> bool:
        return self.full()

    def _readable_record(self):
        record = super()._readable_record()
        if self.action == "attachment":
            access_log_write(by=self.request.user, record=record, through="file")
        return record

    @extend_schema(
        summary=_("The case's parties (full readers only; each read logged)"),
        responses=PartySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def parties(self, request, pk=None):
        case = self.get_object()
        if not self.full():
            raise PermissionDenied
        access_log_write(by=request.user, record=case, through="api")
        rows = selectors.party_list(case=case)
        return Response(PartySerializer(rows, many=True).data)

    @extend_schema(
        summary=_("Name a party of the case after intake (same consent rules)"),
        request=PartySerializer,
        responses={201: PartySerializer},
        filters=False,
    )
    @parties.mapping.post
    def party_create(self, request, pk=None):
        case = self.get_object()
        body = PartySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        party = self.write(
            lambda: services.party_create(by=request.user, case=case, **body.validated_data)
        )
        return Response(PartySerializer(party).data, status=201)

    @extend_schema(
        summary=_("The case's follow-up visits (notes for full readers only)"),
        responses=FollowUpSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def followups(self, request, pk=None):
        case = self.get_object()
        rows = selectors.followup_list(case=case)
        return Response(FollowUpSerializer(rows, many=True, context={"full": self.full()}).data)

    @extend_schema(
        summary=_("Record a follow-up visit (回访) of a closed case"),
        request=FollowUpSerializer,
        responses={201: FollowUpSerializer},
        filters=False,
    )
    @followups.mapping.post
    def followup_create(self, request, pk=None):
        case = self.get_object()
        body = FollowUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        followup = self.write(
            lambda: services.followup_add(by=request.user, case=case, **body.validated_data)
        )
        return Response(
            FollowUpSerializer(followup, context={"full": self.full()}).data, status=201
        )


router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
urlpatterns = router.urls
