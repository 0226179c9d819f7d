"""The API machinery every resource shares: retry-safe creates, versions, transitions.

A resource's viewset gets all of it from ``ScopedViewSet`` (apps.organizations),
which mixes these in; what a model carries (``ClientKeyedModel``,
``VersionedModel``, ``SoftDeletableModel``) decides what applies. See
docs/api-machinery.md.
"""

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import Conflict, PreconditionRequired
from apps.core.models import ClientKeyedModel, SoftDeletableModel, VersionedModel

# Set by the server, or once at creation: a PATCH naming any of these changes nothing.
SET_ONCE_FIELDS = ("organization", "created_by", "client_id")


def canonical(value):
    """The validated body as plain JSON values: objects by id, dates as ISO text, keys sorted."""
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


def body_hash(validated_data: dict) -> str:
    text = json.dumps(canonical(validated_data), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class RecordSerializer(serializers.ModelSerializer):
    """A ModelSerializer that knows the shared columns and limits free text.

    ``client_id`` is required on create and read-only after; ``version`` and
    ``deleted`` are read-only; a TextField takes at most API_TEXT_MAX_LENGTH
    characters.
    """

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


class IdempotentCreateMixin:
    """POST with ``client_id``: 201 the first time, 200 with the stored record on a replay
    with the same body (even after later edits), 409 with another body.

    The unique constraint on ``client_id`` settles a race: the loser's insert
    fails, its transaction rolls back, and it answers as a replay.
    """

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client_id = data.pop("client_id", None)
        if client_id is None:  # a model without client ids
            self.perform_create(serializer)
            return Response(self.get_serializer(serializer.instance).data, status=201)
        digest = body_hash(data)
        replay = self.replayed(client_id, digest)
        if replay is not None:
            return replay
        model = self.model
        try:
            obj = self.write(lambda: self.create_keyed(model, data, client_id, digest))
        except (IntegrityError, serializers.ValidationError):
            # A racing replay may have committed first; whatever this insert then
            # tripped over (client_id, or another unique field), the answer is its row.
            replay = self.replayed(client_id, digest)
            if replay is None:
                raise
            return replay
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def create_keyed(self, model, data, client_id, digest):
        obj = self.create_object(data)
        model.objects.filter(pk=obj.pk).update(client_id=client_id, request_hash=digest)
        obj.client_id, obj.request_hash = client_id, digest
        return obj

    def replayed(self, client_id, digest):
        """The answer to a replay of ``client_id``, or None if it is new."""
        stored = self.model.objects.filter(client_id=client_id).only("pk", "request_hash").first()
        if stored is None:
            return None
        readable = self.get_queryset().filter(pk=stored.pk).first()
        if stored.request_hash != digest or readable is None:
            raise Conflict(_("This client_id was already used for a different record."))
        return Response(self.get_serializer(readable).data, status=status.HTTP_200_OK)


IF_MATCH = re.compile(r'^\s*(?:W/)?"?([0-9]{1,9})"?\s*$')
VERSION = re.compile(r"[0-9]{1,9}")


def expected_version(request) -> tuple[int, bool]:
    """(the version the client read, whether it came as If-Match).

    428 when there is none, 400 when it is not a whole number.
    """
    header = request.headers.get("If-Match")
    if header is not None:
        match = IF_MATCH.match(header)
        if match is None:
            message = _("If-Match must be a version number.")
            raise serializers.ValidationError({"version": [message]})
        return int(match.group(1)), True
    raw = request.data.get("version") if hasattr(request.data, "get") else None
    if raw is None:
        raise PreconditionRequired
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not VERSION.fullmatch(str(raw)):
        raise serializers.ValidationError({"version": [_("A whole number is required.")]})
    return int(raw), False


class VersionedUpdateMixin:
    """PATCH through the resource's service; for a versioned record, only if the version the
    client read is still the stored one (checked under a row lock)."""

    def perform_update(self, serializer):
        if not issubclass(self.model, VersionedModel):
            instance = serializer.instance
            serializer.instance = self.write(
                lambda: self.update_object(instance, serializer.validated_data)
            )
            return
        expected, if_match = expected_version(self.request)

        def update():
            current = self.locked_current(serializer.instance, expected, if_match)
            return self.update_object(current, serializer.validated_data)

        serializer.instance = self.write(update)

    def locked_current(self, instance, expected, if_match):
        current = type(instance).objects.select_for_update().get(pk=instance.pk)
        if current.version != expected:
            raise Conflict(
                current=self.get_serializer(self.get_queryset().get(pk=current.pk)).data,
                status_code=412 if if_match else 409,
            )
        return current

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if "version" in response.data:
            response["ETag"] = f'"{response.data["version"]}"'
        return response


@dataclass(frozen=True)
class Move:
    """A status a record may move to: from which statuses, and what the move needs."""

    sources: frozenset
    needs: type[serializers.Serializer] | None = None


class TransitionSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=32)
    version = serializers.IntegerField(min_value=1, required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TransitionMixin:
    """``POST …/{id}/transition/`` with {"to", "version", "note"} and what the target needs.

    A resource with statuses adds this mixin and a ``transitions`` table that
    maps each target status to its ``Move``. The status field is read-only
    everywhere else, and each move is saved with its note as the history
    row's change reason. The model must be a ``VersionedModel``.
    """

    transitions: dict[str, Move] = {}
    status_field = "status"
    permission_actions = {"transition": "change"}

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.status_field in getattr(serializer, "fields", {}):
            serializer.fields[self.status_field].read_only = True
        return serializer

    @extend_schema(
        request=TransitionSerializer,
        summary="Change the status: {to, version, note} plus what the target status needs",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        obj = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        move = self.transitions.get(body.validated_data["to"])
        if move is None:
            raise serializers.ValidationError({"to": [_("Unknown status.")]})
        extra = {}
        if move.needs is not None:
            needs = move.needs(data=request.data, context=self.get_serializer_context())
            needs.is_valid(raise_exception=True)
            extra = dict(needs.validated_data)
        expected, if_match = expected_version(request)

        def write():
            current = self.locked_current(obj, expected, if_match)
            if getattr(current, self.status_field) not in move.sources:
                raise Conflict(
                    _("This record can't move to that status from where it is now."),
                    current=self.get_serializer(current).data,
                )
            note = body.validated_data["note"]
            return self.apply_transition(current, body.validated_data["to"], extra, note)

        obj = self.write(write)
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    def apply_transition(self, obj, to: str, data: dict, note: str):
        """Write the move; a resource overrides this to do more (close a case, notify …)."""
        setattr(obj, self.status_field, to)
        for name, value in data.items():
            setattr(obj, name, value)
        obj._change_reason = note or to
        obj.save()
        return obj
