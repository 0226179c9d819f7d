"""The serializer every record resource starts from, and the canonical body a retry is
compared by."""

import hashlib
import json
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from functools import cached_property
from operator import attrgetter

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject

from apps.core.models import ClientKeyedModel, SoftDeletableModel, VersionedModel

# Set by the server, or once at creation: a PATCH naming any of these changes nothing.
SET_ONCE_FIELDS = ("organization", "created_by", "client_id")


# JSON's own kinds, which canonical() gives back as they are: looked up first, as most values
# of a body are such (a batch hashes every item: docs/quality.md, 24).
_AS_IS = frozenset({str, int, float, bool, type(None)})


def canonical(value):
    """The validated body as plain JSON values: objects by id, dates as ISO text, keys sorted."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple | set | models.QuerySet):
        return [canonical(v) for v in value]
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _shows_a_row(field, references: set) -> bool:
    """Whether ``field`` shows one of the model's foreign keys from the related row alone: a
    ``RefField`` (id and name) or a ``SlugRelatedField`` (a code), read as DRF reads it."""
    shown_by = type(field).to_representation
    return (
        isinstance(field, serializers.RelatedField)
        and type(field).get_attribute is serializers.RelatedField.get_attribute
        and not field.use_pk_only_optimization()
        and len(field.source_attrs) == 1
        and field.source_attrs[0] in references
        and (
            shown_by is RefField.to_representation
            or shown_by is serializers.SlugRelatedField.to_representation
        )
    )


def _reference_reader(field):
    """The related row, straight off the instance; DRF's own path when it is missing."""
    read = attrgetter(field.source_attrs[0])

    def reader(instance):
        try:
            return read(instance)
        except AttributeError:  # no related row: DRF decides (default, null or skip)
            return field.get_attribute(instance)

    return reader


def _once_per_row(show):
    shown = {}

    def remembered(row):
        if row.pk not in shown:
            shown[row.pk] = show(row)
        return shown[row.pk]

    return remembered


def body_hash(validated_data: dict) -> str:
    text = json.dumps(canonical(validated_data), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class CodeLookupField(serializers.SlugRelatedField):
    """A row of a list by its fixed English ``code`` (docs/api.md, Codes). A code with a NUL in
    it is one that exists nowhere (PostgreSQL refuses the character in a query): the same 400
    as any unknown code, never a 500."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class RefField(serializers.PrimaryKeyRelatedField):
    """A related record: written as its id, read back as ``{"id": …, "name": …}``.

    Every reference an answer carries reads this way (docs/api.md, Objects), so
    the schema has one ``Ref`` component for them all (apps/core/api/schema.py).
    The queryset should select the related row: its name is read from it.
    """

    def use_pk_only_optimization(self):
        return False  # the name is needed

    def to_representation(self, value):
        return {"id": value.pk, "name": str(value)}


class RecordSerializer(serializers.ModelSerializer):
    """A ModelSerializer that knows the shared columns, limits free text and masks.

    ``client_id`` is required on create and read-only after; ``version`` and
    ``deleted`` are read-only; a TextField takes at most API_TEXT_MAX_LENGTH
    characters. ``masked = {"field": "attribute"}`` shows each field as the
    attribute (a masked form, or None when the attribute is None) unless the
    view reads this record in full (``RecordViewSet.reads_in_full``).
    """

    masked: dict[str, str | None] = {}

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.TextField) and not kwargs.get("read_only"):
            kwargs.setdefault("max_length", settings.API_TEXT_MAX_LENGTH)
        return field_class, kwargs

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        if issubclass(model, ClientKeyedModel):
            fields["client_id"] = serializers.UUIDField(
                write_only=True,
                required=self.instance is None,
                help_text=_(
                    "Required on create: a UUID the client makes once per record; a retry "
                    "with the same one returns the stored record instead of making another."
                ),
            )
        if issubclass(model, VersionedModel):
            fields["version"] = serializers.IntegerField(
                required=False,
                min_value=1,
                help_text=_(
                    "On PATCH, the version you read (or send If-Match); compared, never written."
                ),
            )
        if issubclass(model, SoftDeletableModel):
            fields["deleted"] = serializers.BooleanField(source="is_deleted", read_only=True)
        if self.instance is not None:
            for name in SET_ONCE_FIELDS:
                if name in fields:
                    fields[name].read_only = True
        return fields

    def validate(self, attrs):
        attrs.pop("version", None)  # compared by the view (VersionedUpdateMixin), never stored
        if self.instance is not None:
            attrs.pop("client_id", None)
        return super().validate(attrs)

    def to_representation(self, instance):
        data = self.fields_of(instance)
        if self.masked and not self.shows_in_full(instance):
            for name, attribute in self.masked.items():
                if name in data:
                    data[name] = getattr(instance, attribute) if attribute else None
        return data

    def fields_of(self, instance) -> dict:
        """DRF's ``Serializer.to_representation``, with the field list worked out once per
        serializer rather than once per row: a list page reads the same fields fifty times
        (docs/api-machinery.md, Lists)."""
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        data = {}
        for name, read, write in self._reading:
            try:
                value = read(instance)
            except SkipField:
                continue
            if value is None or (isinstance(value, PKOnlyObject) and value.pk is None):
                data[name] = None
            else:
                data[name] = write(value)
        return data

    @cached_property
    def _reading(self) -> list:
        """Each readable field as (name, how its value is read, how it is written). A field
        that plainly shows one of the model's own columns reads it straight off the row, as
        DRF's ``get_attribute`` would after its checks; any other field reads as DRF does."""
        concrete = self.Meta.model._meta.concrete_fields
        columns = {field.name for field in concrete if not field.is_relation}
        references = {field.name for field in concrete if field.many_to_one}
        plan = []
        for field in self._readable_fields:
            plain = (
                type(field).get_attribute is Field.get_attribute
                and len(field.source_attrs) == 1
                and field.source_attrs[0] in columns
            )
            read = attrgetter(field.source_attrs[0]) if plain else field.get_attribute
            if _shows_a_row(field, references):
                # The same related row reads the same on every row of the answer (a batch's
                # 500 events name one organization): worked out once per row it names.
                read = _reference_reader(field)
                plan.append((field.field_name, read, _once_per_row(field.to_representation)))
                continue
            if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
                # The current timezone, looked up once for the serializer's rows rather than
                # once a value (DRF's default_timezone(), a context-local read each time).
                field.timezone = field.default_timezone()
            plan.append((field.field_name, read, field.to_representation))
        return plan

    def shows_in_full(self, instance) -> bool:
        view = self.context.get("view")
        reads_in_full = getattr(view, "reads_in_full", None)
        return reads_in_full is not None and reads_in_full(instance)
