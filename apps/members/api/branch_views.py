from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.files.api import AttachmentsMixin
from apps.members import branch_selectors, branch_services
from apps.members.api.branch_serializers import BranchMeetingSerializer
from apps.members.filters import BranchMeetingFilter
from apps.members.models import BranchMeeting
from apps.organizations.api.base import ScopedViewSet


@extend_schema_view(
    list=extend_schema(summary="Party branch meetings (三会一课) of the caller's subtree"),
    retrieve=extend_schema(summary="One party branch meeting, with its attendance"),
    create=extend_schema(summary="Record a party branch meeting"),
    partial_update=extend_schema(
        summary="Change a party branch meeting (send the version you read)"
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
        return branch_services.branch_meeting_create(**data)

    def update_object(self, instance, data):
        return branch_services.branch_meeting_update(meeting=instance, **data)
