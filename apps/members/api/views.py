from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.files.api import AttachmentsMixin
from apps.members import selectors, services
from apps.members.api.serializers import AppointmentSerializer, MemberSerializer
from apps.members.filters import AppointmentFilter, MemberFilter
from apps.members.models import Appointment, Member
from apps.organizations.api.base import ScopedViewSet


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

    def get_queryset(self):
        return selectors.member_list(user=self.request.user)

    def create_object(self, data):
        return services.member_create(user=self.request.user, **data)

    def update_object(self, instance, data):
        return services.member_update(member=instance, user=self.request.user, **data)


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
