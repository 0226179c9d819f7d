"""Cases through the API: ``/api/v1/rights/cases/`` (GET POST PATCH; never DELETE: a case is
withdrawn by its outcome), ``{id}/transition/``, ``{id}/parties/``, ``{id}/followups/`` and
``{id}/attachments/``. A party or a visit added after intake is retry-safe by its
``client_id``, as every create is (docs/api-machinery.md): the same key and body answer 200 with
the stored row, another body 409.

Two shapes (docs/rights.md, Cases): the masked one (number, station, received day, channel,
category, risk, status, outcome) is every list's, and every page's for the roles that do not
read cases in full; the full one (narrative and parties) is a full reader's page, each read
logged and none of it cached. Who reads in full is decided in one place:
``apps.rights.selectors.cases.reads_cases_in_full``.
"""

import django_filters
from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from apps.core.api.records import CodeLookupField, body_hash
from apps.core.api.schema import ConflictSerializer, ValidationErrorSerializer
from apps.core.api.transitions import TransitionMixin
from apps.core.api.writes import CLIENT_ID_REUSED
from apps.core.audit import access_log_write
from apps.core.errors import Conflict
from apps.core.forms import SheetImportForm
from apps.core.xlsx import SheetError
from apps.files.api import AttachmentsMixin
from apps.organizations.api.base import ScopedRecordSerializer, ScopedViewSet
from apps.organizations.filters import DatedRecordFilterSet
from apps.rights import imports
from apps.rights.choices import CaseStatus, Channel, Outcome, Risk
from apps.rights.models import Case, CaseCategory, CaseParty, FollowUp
from apps.rights.selectors import cases as selectors
from apps.rights.services import cases as services


class CategoryField(CodeLookupField):
    """A category by its fixed English code (``domestic_violence``); only active ones."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs["queryset"] = CaseCategory.objects.filter(active=True)
        super().__init__(**kwargs)


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


KEY_REUSED = OpenApiResponse(
    ConflictSerializer, description=_("This client_id was sent before with another body.")
)
PARTY_PK = OpenApiParameter(
    "party_pk",
    int,
    OpenApiParameter.PATH,
    description=_("The party's id, from the case's list of parties."),
)


def client_id_field():
    return serializers.UUIDField(
        write_only=True,
        help_text=_(
            "Required on create: a UUID the client makes once per record; a retry "
            "with the same one returns the stored record instead of making another."
        ),
    )


class PartyCreateSerializer(PartySerializer):
    """A party named after intake: with the client's key (a party given at intake has none)."""

    client_id = client_id_field()

    class Meta(PartySerializer.Meta):
        fields = [*PartySerializer.Meta.fields, "client_id"]


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


class FollowUpCreateSerializer(FollowUpSerializer):
    client_id = client_id_field()

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "client_id"]


class RegisterImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Excel file (.xlsx)"))
    dry_run = serializers.BooleanField(
        default=False, help_text=_("Dry run: check every row, import nothing")
    )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    message = serializers.CharField()


class ImportAnswerSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    imported = serializers.ListField(child=serializers.CharField(), help_text=_("case number"))
    errors = ImportErrorSerializer(many=True)


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
    destroy=extend_schema(exclude=True),
)
class CaseViewSet(AttachmentsMixin, TransitionMixin, ScopedViewSet):
    model = Case
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    # DELETE only removes a party (``{id}/parties/{party_id}/``): a case is never deleted.
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    full_read_perm = selectors.FULL_READ_PERM
    log_full_reads = True
    attachments_log_downloads = True
    permission_actions = {
        "transition": "change",
        "followup_create": "add",
        "party_create": "add",
        "party": "change",  # a party's PATCH and DELETE change the case (docs/rights.md)
        "party_remove": "change",
        "register_import": "add",  # a station's past register: the roles that register cases
    }

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

    def destroy(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)  # withdrawn is an outcome, not a deletion

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
        request=PartyCreateSerializer,
        responses={201: PartySerializer, 200: PartySerializer, 409: KEY_REUSED},
        filters=False,
    )
    @parties.mapping.post
    def party_create(self, request, pk=None):
        case = self.get_object()
        party, code = self.keyed_create(
            case,
            PartyCreateSerializer,
            lambda data: services.party_create(by=request.user, case=case, **data),
        )
        return Response(PartySerializer(party).data, status=code)

    @extend_schema(
        summary=_("Change a party of the case (full readers; the history keeps no identity)"),
        parameters=[PARTY_PK],
        request=PartySerializer,
        responses=PartySerializer,
        filters=False,
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"parties/(?P<party_pk>[0-9]+)",
        pagination_class=None,
        filter_backends=[],
    )
    def party(self, request, pk=None, party_pk=None):
        _case, party = self.party_of(party_pk)
        body = PartySerializer(party, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        party = self.write(
            lambda: services.party_update(by=request.user, party=party, **body.validated_data)
        )
        return Response(PartySerializer(party).data)

    @extend_schema(
        summary=_("Remove a party from an open case"),
        parameters=[PARTY_PK],
        responses={
            204: None,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description=_("The case is closed, or another case's party is linked to it."),
            ),
        },
        filters=False,
    )
    @party.mapping.delete
    def party_remove(self, request, pk=None, party_pk=None):
        _case, party = self.party_of(party_pk)
        self.write(lambda: services.party_remove(by=request.user, party=party))
        return Response(status=204)

    @extend_schema(
        summary=_("Import a station's past register (.xlsx): a dry run, then all rows or none"),
        request={"multipart/form-data": RegisterImportSerializer},
        responses={200: ImportAnswerSerializer, 201: ImportAnswerSerializer},
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        pagination_class=None,
        filter_backends=[],
    )
    def register_import(self, request):
        """The sheet of apps/rights/imports.py: 200 with the report of a dry run (or of a sheet
        whose every row is correct), 201 once imported, 400 with every bad row and why."""
        form = SheetImportForm(request.data, request.FILES)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        try:
            report = imports.cases_import(
                data=form.cleaned_data["file"].read(),
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except SheetError as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from exc
        answer = {
            "rows": report.rows,
            "imported": [case.number for case in report.created],
            "errors": [{"row": number, "message": message} for number, message in report.errors],
        }
        code = 201 if report.created else 400 if report.errors else 200
        return Response(answer, status=code)

    def party_of(self, party_pk):
        """The case (in the caller's reach, else 404) and its party; full readers only."""
        case = self.get_object()
        if not self.full():
            raise PermissionDenied
        party = selectors.party_list(case=case).filter(pk=party_pk).first()
        if party is None:
            raise NotFound
        return case, party

    def keyed_create(self, case, body_class, create):
        """A row below ``case`` made retry-safe by its ``client_id`` (docs/api-machinery.md): the
        key goes into the row's own INSERT, whose unique constraint decides; a replay, resent or
        racing the first, answers 200 with the stored row, a key reused with another body 409.
        (row, status code)."""
        body = body_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        client_id = data.pop("client_id")
        digest = body_hash(data)
        try:
            row = self.write(
                lambda: create({**data, "client_id": client_id, "request_hash": digest})
            )
        except (IntegrityError, serializers.ValidationError):
            # Whatever a replay tripped over (the key, or a rule its stored twin now fails,
            # e.g. the case reopened since), the answer is its row.
            model = body_class.Meta.model
            stored = model.objects.filter(client_id=client_id).first()
            if stored is None:
                raise
            if stored.case_id != case.pk or stored.request_hash != digest:
                raise Conflict(CLIENT_ID_REUSED, code="client_id_reused") from None
            return stored, 200
        return row, 201

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
        request=FollowUpCreateSerializer,
        responses={201: FollowUpSerializer, 200: FollowUpSerializer, 409: KEY_REUSED},
        filters=False,
    )
    @followups.mapping.post
    def followup_create(self, request, pk=None):
        case = self.get_object()
        followup, code = self.keyed_create(
            case,
            FollowUpCreateSerializer,
            lambda data: services.followup_add(by=request.user, case=case, **data),
        )
        return Response(
            FollowUpSerializer(followup, context={"full": self.full()}).data, status=code
        )


router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
urlpatterns = router.urls
