from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import as_api_error
from apps.files.api import AttachmentsMixin
from apps.members import selectors, services
from apps.members.api.serializers import (
    AppointmentSerializer,
    IdNumberLookupSerializer,
    MemberSerializer,
)
from apps.members.filters import AppointmentFilter, MemberFilter
from apps.members.models import Appointment, Member
from apps.organizations.api.base import ScopedViewSet


def offering_the_existing_person(exc: DjangoValidationError):
    """The 400 for an ID number on file, naming the person it belongs to (in the caller's
    subtree: ``check_id_number_free`` looks nowhere else) so the client can use that record."""
    error = as_api_error(exc)
    for problem in getattr(exc, "error_dict", {}).get("id_number", []):
        if problem.code == "taken":
            existing = problem.params["existing"]
            error.detail["existing"] = {"id": existing.pk, "name": existing.name}
    return error


@extend_schema_view(
    list=extend_schema(summary="People of the caller's subtree (ID and phone numbers masked)"),
    retrieve=extend_schema(summary="One person (full numbers for roles that may read them)"),
    create=extend_schema(summary="Add a person"),
    partial_update=extend_schema(summary="Change a person (send the version you read)"),
)
class MemberViewSet(AttachmentsMixin, ScopedViewSet):
    model = Member
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    permission_actions = {"lookup": "view"}
    full_read_perm = "members.view_identity"  # lists stay masked for every role

    def get_queryset(self):
        return selectors.member_list(user=self.request.user)

    @extend_schema(
        summary="Find people of the caller's subtree by ID number (in the body, never a URL)",
        request=IdNumberLookupSerializer,
        responses=MemberSerializer(many=True),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def lookup(self, request):
        body = IdNumberLookupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        people = self.get_queryset().alive().filter(id_number=body.validated_data["id_number"])
        return Response(self.get_serializer(people, many=True).data)

    def create_object(self, data):
        try:
            return services.member_create(user=self.request.user, **data)
        except DjangoValidationError as exc:
            raise offering_the_existing_person(exc) from exc

    def update_object(self, instance, data):
        try:
            return services.member_update(member=instance, user=self.request.user, **data)
        except DjangoValidationError as exc:
            raise offering_the_existing_person(exc) from exc


@extend_schema_view(
    list=extend_schema(summary="Appointments (任职) held in the caller's subtree"),
    retrieve=extend_schema(summary="One appointment"),
    create=extend_schema(summary="Appoint a person to a role for a term"),
    partial_update=extend_schema(summary="Change a term or end it (send the version you read)"),
)
class AppointmentViewSet(ScopedViewSet):
    model = Appointment
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter

    def get_queryset(self):
        return selectors.appointment_list(user=self.request.user)

    def create_object(self, data):
        return services.appointment_create(**data)

    def update_object(self, instance, data):
        return services.appointment_update(appointment=instance, **data)
