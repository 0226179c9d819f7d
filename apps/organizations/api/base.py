"""The scoped pieces every resource's API is built from."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import mixins, serializers
from rest_framework.exceptions import NotFound
from rest_framework.viewsets import GenericViewSet

from apps.core.errors import as_api_error
from apps.organizations.permissions import RolePermission
from apps.organizations.scoping import in_scope, scoped


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object written by id that must lie in the caller's subtree.

    An id outside the subtree gets the same "does not exist" message as an
    id that exists nowhere, so a write tells nothing about other villages.
    """

    def get_queryset(self):
        request = self.context["request"]
        return scoped(super().get_queryset(), request.user)


class ScopedViewSet(
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

    def create_object(self, data: dict):
        raise NotImplementedError

    def update_object(self, instance, data: dict):
        raise NotImplementedError

    def perform_create(self, serializer):
        serializer.instance = self._write(lambda: self.create_object(serializer.validated_data))

    def perform_update(self, serializer):
        instance = serializer.instance
        serializer.instance = self._write(
            lambda: self.update_object(instance, serializer.validated_data)
        )

    def _write(self, write):
        try:
            with transaction.atomic():
                obj = write()
                if not in_scope(obj, self.request.user):
                    raise NotFound  # rolls the write back
        except DjangoValidationError as exc:
            raise as_api_error(exc) from exc
        return obj
