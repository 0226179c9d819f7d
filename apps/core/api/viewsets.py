"""The resource contract: what every record resource of the API is built on.

A resource names its ``model``, reads through its selector in
``get_queryset`` and writes through its services in ``create_object``,
``update_object`` (and ``delete_object``, ``create_objects`` where it has
its own). Every write runs inside ``write()``: one transaction, Django's
validation errors as 400s, and ``check_written`` — the hook the scoping
layer fills — before it commits. See docs/api-machinery.md.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import mixins, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from apps.core.api.writes import IdempotentCreateMixin, VersionedUpdateMixin
from apps.core.audit import access_log_write
from apps.core.errors import as_api_error
from apps.core.models import SoftDeletableModel


class RecordViewSet(
    IdempotentCreateMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """List, read, create, PATCH and (for a soft-deletable model) DELETE one kind of record.

    Hooks, each with a default:

    - ``create_object(data)`` / ``update_object(instance, data)``: the services (required);
      a create's data carries the client's key (``CLIENT_KEY_FIELDS``) for its INSERT;
    - ``create_objects(items)``: a batch (``BulkCreateMixin``); one by one by default;
    - ``delete_object(instance)``: a soft delete as the caller;
    - ``check_written(objects)``: raise to roll a write back (the scope, in apps.organizations);
    - ``reads_in_full(obj)``: whether this answer shows ``masked`` fields in full;
      with ``log_full_reads``, each such read is an access-log row and is not cached.

    ``list_only``: the columns a list page reads (``QuerySet.only``), where the model has many
    its serializer never shows: each column left out is one less to read and convert per row.
    Every field the serializer shows must be among them, or each row asks for it again (the
    pinned query counts of the list tests catch that).
    """

    model = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    full_read_perm: str | None = None
    log_full_reads = False
    list_only: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # DELETE marks a record deleted, so only a record that can be marked has it.
        if cls.model is not None and not issubclass(cls.model, SoftDeletableModel):
            cls.http_method_names = [m for m in cls.http_method_names if m != "delete"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.request.method not in SAFE_METHODS and issubclass(
            queryset.model, SoftDeletableModel
        ):
            queryset = queryset.alive()  # a deleted record is not edited
        if self.list_only and getattr(self, "action", None) == "list":
            queryset = queryset.only(*self.list_only)
        return queryset

    def create_object(self, data: dict):
        raise NotImplementedError

    def create_objects(self, items: list[dict]) -> list:
        return [self.create_object(data) for data in items]

    def update_object(self, instance, data: dict):
        raise NotImplementedError

    def delete_object(self, instance):
        return instance.mark_deleted(by=self.request.user)

    def check_written(self, objects: list) -> None:
        """Raise to roll back a write whose result is not allowed (nothing by default)."""

    def perform_create(self, serializer):
        serializer.instance = self.write(lambda: self.create_object(serializer.validated_data))

    def write(self, write):
        """Run ``write`` in a transaction that ``check_written`` may still roll back."""
        try:
            with transaction.atomic():
                result = write()
                self.check_written(result if isinstance(result, list) else [result])
        except DjangoValidationError as exc:
            raise as_api_error(exc) from exc
        return result

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.write(lambda: self.delete_object(instance))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def reads_in_full(self, obj) -> bool:
        return (
            getattr(self, "action", None) == "retrieve"
            and self.full_read_perm is not None
            and self.request.user.has_perm(self.full_read_perm)
        )

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        if self.log_full_reads and self.reads_in_full(instance):
            access_log_write(by=request.user, record=instance, through="api")
            response["Cache-Control"] = "no-store"
        return with_etag(response)

    def update(self, request, *args, **kwargs):
        return with_etag(super().update(request, *args, **kwargs))


def with_etag(response):
    """The record's version as its ETag, for the client to send back as If-Match."""
    if isinstance(response.data, dict) and "version" in response.data:
        response["ETag"] = f'"{response.data["version"]}"'
    return response
