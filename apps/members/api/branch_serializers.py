from rest_framework import serializers

from apps.members.models import BranchAttendance, BranchMeeting, Member
from apps.organizations.api.base import ScopedRecordSerializer, ScopedRefField


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
            fields[name].queryset = Member.objects.filter(deleted_at__isnull=True)
        return fields
