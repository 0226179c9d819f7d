from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api.records import RefField
from apps.organizations.api.base import ScopedRecordSerializer, ScopedRefField
from apps.organizations.models import Organization


class OrganizationSerializer(ScopedRecordSerializer):
    """An organization as the API shows it. ``kind``, ``parent`` and ``code`` are set once."""

    parent = ScopedRefField(
        queryset=Organization.objects.all(),
        allow_null=True,  # the district, read as an ancestor, has none
        help_text=_(
            "The parent organization's id; it must be in the caller's subtree. "
            "Only the district has none."
        ),
    )
    street = RefField(read_only=True, allow_null=True)
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

    def validate_parent(self, parent):
        if parent is None:  # a new district is made from the shell, not through the API
            raise serializers.ValidationError(_("This field may not be null."))
        return parent


class OrganizationUpdateSerializer(OrganizationSerializer):
    """PATCH: the tree position, kind and code do not change through the API."""

    parent = RefField(read_only=True, allow_null=True)

    class Meta(OrganizationSerializer.Meta):
        read_only_fields = ["depth", "updated_at", "kind", "code"]
