"""People and their appointments through the API: serializers, then viewsets."""

from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from apps.core.errors import as_api_error
from apps.core.identity import normalize_id_number, normalize_mobile
from apps.files.api import AttachmentsMixin
from apps.members.filters import AppointmentFilter, MemberFilter
from apps.members.models import Appointment, Member
from apps.members.selectors import people as selectors
from apps.members.services import identity_checks
from apps.members.services import people as services
from apps.organizations.api.base import ScopedRecordSerializer, ScopedViewSet


class MemberSerializer(ScopedRecordSerializer):
    """A person. ``id_number`` and ``phone`` come back masked (``110105********002X``,
    ``138****5678``) and ``birth_date`` as null (its digits are the masked middle of the ID
    number) except on the person's own page for roles that read them. ``birth_year`` is null
    for roles that read numbers masked: beside the last four digits it would leave some 33
    candidates for the rest (docs/identity.md)."""

    birth_year = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Null for roles that read ID numbers masked (docs/identity.md)."),
    )
    masked = {"id_number": "id_number_masked", "phone": "phone_masked", "birth_date": None}

    class Meta:
        model = Member
        fields = [
            "id",
            "organization",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "birth_year",
            "id_number",
            "phone",
            "political_status",
            "education",
            "occupation",
            "address",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate_id_number(self, value):
        return normalize_id_number(value) if value else value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.reads_numbers_masked:
            data["birth_year"] = None
        return data

    @cached_property
    def reads_numbers_masked(self) -> bool:
        """Asked once per answer, not once per row of a list."""
        request = self.context.get("request")
        return request is not None and identity_checks.reads_numbers_masked(request.user)

    def validate_phone(self, value):
        return normalize_mobile(value) if value else value


class AppointmentSerializer(ScopedRecordSerializer):
    """A person's role in an organization for a term. The person and organization are set once."""

    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "member",
            "organization",
            "role",
            "started_on",
            "ended_on",
            "is_current",
            "note",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["member"].read_only = True
        else:
            fields["member"].queryset = Member.objects.alive()
        return fields


class IdNumberLookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=20)

    def validate_id_number(self, value):
        return normalize_id_number(value)


def offering_the_existing_person(exc: DjangoValidationError):
    """The 400 for an ID number on file, naming the person it belongs to (in the caller's
    subtree: ``check_id_number_free`` looks nowhere else) so the client can use that record."""
    error = as_api_error(exc)
    for problem in getattr(exc, "error_dict", {}).get("id_number", []):
        if problem.code == "taken":
            existing = problem.params["existing"]
            error.detail["existing"] = {"id": existing.pk, "name": existing.name}
    return error


class IdentityChecksExhausted(Throttled):
    """429: the account checked as many ID numbers this hour as it may (docs/identity.md)."""

    default_detail = _(
        "This account has checked as many ID numbers as it may in an hour; please try again later."
    )
    default_code = "identity_checks_exhausted"

    def __init__(self, wait: int):
        super().__init__()  # DRF's "Expected available in …" stays out of the Chinese sentence
        self.wait = wait  # the Retry-After header


MASKED = _(
    "ID numbers and phones come back masked (110105********002X, 138****5678) and birth_date "
    "as null, in lists for every role; birth_year is null too for roles that read numbers "
    "masked. Only a person's own page shows them in full, to the roles that may read them."
)


@extend_schema_view(
    list=extend_schema(
        summary=_("People of the caller's subtree (ID and phone numbers masked)"),
        description=MASKED,
    ),
    retrieve=extend_schema(
        summary=_("One person (full numbers for roles that may read them)"), description=MASKED
    ),
    create=extend_schema(summary=_("Add a person")),
    partial_update=extend_schema(summary=_("Change a person (send the version you read)")),
)
class MemberViewSet(AttachmentsMixin, ScopedViewSet):
    model = Member
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    permission_actions = {"lookup": "view"}
    full_read_perm = "members.view_identity"  # lists stay masked for every role
    list_only = (
        *("id", "updated_at", "version", "deleted_at", "name", "gender", "ethnicity"),
        *("birth_date", "id_number", "phone", "political_status", "education", "occupation"),
        *("address", "organization_id", "organization__id", "organization__name"),
    )

    def get_queryset(self):
        return selectors.member_list(user=self.request.user)

    @extend_schema(
        summary=_("Find people of the caller's subtree by ID number (in the body, never a URL)"),
        description=MASKED,
        request=IdNumberLookupSerializer,
        responses=MemberSerializer(many=True),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def lookup(self, request):
        body = IdNumberLookupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.charge_identity_check(body.validated_data["id_number"], "lookup")
        people = self.get_queryset().alive().filter(id_number=body.validated_data["id_number"])
        return Response(self.get_serializer(people, many=True).data)

    def create(self, request, *args, **kwargs):
        self.charge_identity_check(_sent_id_number(request), "create")
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        self.charge_identity_check(_sent_id_number(request), "change")
        return super().update(request, *args, **kwargs)

    def charge_identity_check(self, id_number, through: str) -> None:
        """Count a check of ``id_number`` for a role that reads numbers masked, before (and
        outside) the transaction that checks it: a refused write keeps its count."""
        try:
            identity_checks.identity_check_charge(
                by=self.request.user, id_number=id_number, through=through
            )
        except identity_checks.TooManyIdentityChecks as exc:
            raise IdentityChecksExhausted(exc.wait) from exc

    def create_object(self, data):
        try:
            return services.member_create(by=self.request.user, **data)
        except DjangoValidationError as exc:
            raise offering_the_existing_person(exc) from exc

    def update_object(self, instance, data):
        try:
            return services.member_update(member=instance, by=self.request.user, **data)
        except DjangoValidationError as exc:
            raise offering_the_existing_person(exc) from exc


def _sent_id_number(request):
    """The body's ``id_number`` as sent, if any (the serializer checks it afterwards)."""
    return request.data.get("id_number") if hasattr(request.data, "get") else None


@extend_schema_view(
    list=extend_schema(summary=_("Appointments (任职) held in the caller's subtree")),
    retrieve=extend_schema(summary=_("One appointment")),
    create=extend_schema(summary=_("Appoint a person to a role for a term")),
    partial_update=extend_schema(summary=_("Change a term or end it (send the version you read)")),
)
class AppointmentViewSet(ScopedViewSet):
    model = Appointment
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter

    def get_queryset(self):
        return selectors.appointment_list(user=self.request.user)

    def create_object(self, data):
        return services.appointment_create(by=self.request.user, **data)

    def update_object(self, instance, data):
        return services.appointment_update(by=self.request.user, appointment=instance, **data)
