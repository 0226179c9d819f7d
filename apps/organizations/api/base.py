"""The scoped pieces every resource's API is built from.

``ScopedViewSet`` and ``ScopedRecordSerializer`` put the scoping rule on top
of the shared machinery of apps.core.api: a resource names its model, its
selector and its services, and gets retry-safe creates, version checks,
scoped related fields, sync filters and the caller's organization as the
default. See docs/api-machinery.md.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.viewsets import GenericViewSet

from apps.core.api import IdempotentCreateMixin, RecordSerializer, VersionedUpdateMixin
from apps.core.errors import as_api_error
from apps.organizations.permissions import RolePermission
from apps.organizations.scoping import has_scope, in_scope, scoped


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object written by id that must lie in the caller's subtree.

    An id outside the subtree gets the same "does not exist" message as an
    id that exists nowhere, so a write tells nothing about other villages.
    """

    def get_queryset(self):
        request = self.context["request"]
        return scoped(super().get_queryset(), request.user)


class ScopedRefField(ScopedPrimaryKeyRelatedField):
    """Written as an id; read back as ``{"id": …, "name": …}`` (api.md, Objects and lists).

    The schema says so in each direction (apps/organizations/api/schema.py).
    """

    def use_pk_only_optimization(self):
        return False  # the name is needed; selectors select_related the object

    def to_representation(self, value):
        return {"id": value.pk, "name": str(value)}


class CallerOrganization:
    """The default ``organization`` of a new record: the caller's own."""

    requires_context = True

    def __call__(self, serializer_field):
        return serializer_field.context["request"].user.organization

    def __repr__(self):
        return "CallerOrganization()"


class ScopedRecordSerializer(RecordSerializer):
    """Every related object a client writes must be in its subtree; ``organization``
    defaults to the caller's own and is set once."""

    serializer_related_field = ScopedRefField

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if not has_scope(relation_info.related_model):
            field_class = serializers.PrimaryKeyRelatedField
        if field_name == "organization" and "read_only" not in kwargs:
            kwargs.update(
                required=False,
                default=CallerOrganization(),
                help_text=_("Defaults to the caller's own organization; set once."),
            )
            kwargs.pop("allow_null", None)
        return field_class, kwargs


class ScopedViewSet(
    IdempotentCreateMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """List, read, create and PATCH, always inside the caller's subtree.

    A resource names its ``model``, its selector in ``get_queryset`` and its
    services in ``create_object`` / ``update_object``. Each write runs in a
    transaction that checks the saved object's scope again before it commits.
    """

    model = None
    permission_classes = [RolePermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.request.method not in SAFE_METHODS and hasattr(queryset.model, "deleted_at"):
            queryset = queryset.filter(deleted_at__isnull=True)  # a deleted record is not edited
        return queryset

    def create_object(self, data: dict):
        raise NotImplementedError

    def update_object(self, instance, data: dict):
        raise NotImplementedError

    def perform_create(self, serializer):
        serializer.instance = self.write(lambda: self.create_object(serializer.validated_data))

    def write(self, write):
        """Run ``write`` in a transaction that rolls back if its result left the subtree."""
        try:
            with transaction.atomic():
                obj = write()
                if not in_scope(obj, self.request.user):
                    raise NotFound  # rolls the write back
        except DjangoValidationError as exc:
            raise as_api_error(exc) from exc
        return obj
