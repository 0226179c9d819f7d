"""Stations and their staff through the API (docs/rights.md)."""

from rest_framework import serializers

from apps.core.api.records import RefField
from apps.members.models import Member
from apps.organizations.api.base import ScopedPrimaryKeyRelatedField, ScopedRecordSerializer
from apps.organizations.models import Organization
from apps.rights.models import Station, StationStaff


class StationSerializer(ScopedRecordSerializer):
    """A station, post, legal service center or collection point. ``organization`` is set once;
    a station closes by its ``closed_on``. ``phone`` is the station's contact line."""

    class Meta:
        model = Station
        fields = [
            "id",
            "organization",
            "kind",
            "name",
            "opened_on",
            "closed_on",
            "contact",
            "phone",
            "address",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class StationStaffSerializer(ScopedRecordSerializer):
    """A person working at a station in a role for a term. Her organization is the station's
    (set by the server); the station is set once."""

    class Meta:
        model = StationStaff
        fields = [
            "id",
            "organization",
            "station",
            "member",
            "role",
            "started_on",
            "ended_on",
            "updated_at",
        ]
        read_only_fields = ["organization", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        fields["member"].queryset = Member.objects.alive()
        if self.instance is not None:
            fields["station"].read_only = True
        else:
            fields["station"].queryset = Station.objects.alive().select_related("organization")
        return fields


class CoverageSerializer(serializers.Serializer):
    """Coverage of a subtree on a day (docs/rights.md, Coverage)."""

    on = serializers.DateField()
    villages = serializers.IntegerField()
    covered = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    without = RefField(many=True, read_only=True)  # the villages without: {"id", "name"} each


class CoverageQuerySerializer(serializers.Serializer):
    """``?organization=`` (an id of the caller's subtree; the caller's own if left out) and
    ``?on=YYYY-MM-DD`` (today in Beijing if left out)."""

    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False)
    on = serializers.DateField(required=False)
