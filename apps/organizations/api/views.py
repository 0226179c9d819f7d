from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.core.models import CLIENT_KEY_FIELDS
from apps.organizations import selectors, services
from apps.organizations.api.base import ScopedViewSet
from apps.organizations.api.serializers import OrganizationSerializer, OrganizationUpdateSerializer
from apps.organizations.filters import OrganizationFilter
from apps.organizations.models import Organization


@extend_schema_view(
    list=extend_schema(summary=_("The caller's subtree of organizations")),
    retrieve=extend_schema(
        summary=_("One organization of the subtree, or an ancestor (read-only)")
    ),
    create=extend_schema(summary=_("Add an organization (district administrators)")),
    partial_update=extend_schema(summary=_("Change an organization (district administrators)")),
)
class OrganizationViewSet(ScopedViewSet):
    model = Organization
    filterset_class = OrganizationFilter

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return selectors.organization_list(user=user).select_related("parent", "street")
        return selectors.organization_readable(user=user).select_related("parent", "street")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return OrganizationUpdateSerializer
        return OrganizationSerializer

    def create_object(self, data):
        # The tree's service places the node through treebeard and takes no client key: the
        # machinery keys it after, in one UPDATE (apps/core/api/writes.py).
        fields = {name: value for name, value in data.items() if name not in CLIENT_KEY_FIELDS}
        return services.organization_create(**fields)

    def update_object(self, instance, data):
        return services.organization_update(organization=instance, **data)
