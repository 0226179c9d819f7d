from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.organizations.api.base import ScopedPrimaryKeyRelatedField, ScopedRecordSerializer
from apps.organizations.models import Organization


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]


class OrganizationSerializer(ScopedRecordSerializer):
    """An organization as the API shows it. ``kind``, ``parent`` and ``code`` are set once."""

    parent = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        help_text=_("The parent organization's id; it must be in the caller's subtree."),
    )
    street = OrganizationRefSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "sector",
            "parent",
            "street",
            "depth",
            "opened_on",
            "closed_on",
            "is_open",
            "address",
            "updated_at",
        ]
        read_only_fields = ["depth", "updated_at"]
        # The DB unique constraint is checked by the service, which words the message.
        extra_kwargs = {"code": {"validators": []}}


class OrganizationUpdateSerializer(OrganizationSerializer):
    """PATCH: the tree position, kind and code do not change through the API."""

    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(OrganizationSerializer.Meta):
        read_only_fields = ["depth", "updated_at", "kind", "code"]
