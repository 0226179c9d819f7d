from rest_framework import serializers

from apps.core.identity import normalize_id_number, normalize_mobile
from apps.members.models import Appointment, Member
from apps.organizations.api.base import ScopedRecordSerializer


class MemberSerializer(ScopedRecordSerializer):
    """A person. ``id_number`` and ``phone`` come back masked (``110105********002X``,
    ``138****5678``) and ``birth_date`` as null (its digits are the masked middle of the ID
    number; ``birth_year`` stays) except on the person's own page for roles that read them."""

    birth_year = serializers.IntegerField(read_only=True, allow_null=True)
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
