"""三会一课 through the API: the meeting serializer, then its viewset."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from apps.files.api import AttachmentsMixin
from apps.members.filters import BranchMeetingFilter
from apps.members.models import BranchAttendance, BranchMeeting, Member
from apps.members.selectors import branch as branch_selectors
from apps.members.services import branch as branch_services
from apps.organizations.api.base import ScopedRecordSerializer, ScopedRefField, ScopedViewSet


class BranchAttendanceSerializer(serializers.ModelSerializer):
    """Who was at the meeting; read-only here (attendance is kept in the admin)."""

    member = ScopedRefField(read_only=True)

    class Meta:
        model = BranchAttendance
        fields = ["member", "status", "reason"]
        read_only_fields = fields


class BranchMeetingSerializer(ScopedRecordSerializer):
    """A party branch meeting (三会一课). ``organization`` is the one whose branch held it;
    ``chair`` and ``recorder`` are people of its subtree."""

    attendance = BranchAttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = BranchMeeting
        fields = [
            "id",
            "organization",
            "kind",
            "held_on",
            "topic",
            "chair",
            "recorder",
            "minutes",
            "attendance",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        for name in ("chair", "recorder"):
            fields[name].queryset = Member.objects.alive()
        return fields


@extend_schema_view(
    list=extend_schema(summary=_("Party branch meetings (三会一课) of the caller's subtree")),
    retrieve=extend_schema(summary=_("One party branch meeting, with its attendance")),
    create=extend_schema(summary=_("Record a party branch meeting")),
    partial_update=extend_schema(
        summary=_("Change a party branch meeting (send the version you read)")
    ),
)
class BranchMeetingViewSet(AttachmentsMixin, ScopedViewSet):
    """The minutes' photos and scans are the meeting's attachments."""

    model = BranchMeeting
    serializer_class = BranchMeetingSerializer
    filterset_class = BranchMeetingFilter

    def get_queryset(self):
        return branch_selectors.branch_meeting_list(user=self.request.user)

    def create_object(self, data):
        return branch_services.branch_meeting_create(by=self.request.user, **data)

    def update_object(self, instance, data):
        return branch_services.branch_meeting_update(by=self.request.user, meeting=instance, **data)
