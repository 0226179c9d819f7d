"""Writes that survive a poor network: retry-safe creates (one or a batch) and version checks.

These mixins belong to ``RecordViewSet`` (``apps.core.api.viewsets``), whose
``model``, ``create_object``, ``update_object`` and ``write`` they call.
See docs/api.md, "Writes that survive a poor network".
"""

import re

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.records import body_hash
from apps.core.errors import Conflict, PreconditionRequired
from apps.core.models import VersionedModel

CLIENT_ID_REUSED = _("This client_id was sent before with other content.")


class IdempotentCreateMixin:
    """POST with ``client_id``: 201 the first time, 200 with the stored record on a replay
    with the same body (even after later edits), 409 with another body.

    The key goes into the record's own INSERT, whose unique constraint decides: a replay, sent
    again or racing the first, fails there (or earlier, on a check its stored twin now fails),
    its transaction rolls back, and it answers as a replay. So a first create, by far the most
    common, looks nothing up first.
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
        try:
            obj = self.write(lambda: self.create_keyed([(data, client_id, digest)])[0])
        except (IntegrityError, serializers.ValidationError):
            # Whatever a replay tripped over (client_id, or a check such as an ID number
            # already on file: its own), the answer is its row.
            replay = self.replayed(client_id, digest)
            if replay is None:
                raise
            return replay
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def create_keyed(self, items: list[tuple[dict, object, str]]) -> list:
        """Create each (data, client_id, digest) through the resource's services, the key among
        the data (``CLIENT_KEY_FIELDS``) so the one INSERT stores it. A resource whose service
        cannot take it leaves it out; its records are keyed after, in one UPDATE."""
        objects = self.create_objects(
            [
                {**data, "client_id": client_id, "request_hash": digest}
                for data, client_id, digest in items
            ]
        )
        unkeyed = []
        for obj, (_data, client_id, digest) in zip(objects, items, strict=True):
            if obj.client_id != client_id or obj.request_hash != digest:
                obj.client_id, obj.request_hash = client_id, digest
                unkeyed.append(obj)
        if unkeyed:
            self.model.objects.bulk_update(unkeyed, ["client_id", "request_hash"])
        return objects

    def replayed(self, client_id, digest):
        """The answer to a replay of ``client_id``, or None if it is new."""
        stored = self.model.objects.filter(client_id=client_id).only("pk", "request_hash").first()
        if stored is None:
            return None
        readable = self.get_queryset().filter(pk=stored.pk).first()
        if stored.request_hash != digest or readable is None:
            raise Conflict(CLIENT_ID_REUSED, code="client_id_reused")
        return Response(self.get_serializer(readable).data, status=status.HTTP_200_OK)


class BulkCreateMixin:
    """``POST …/bulk/`` with a bare JSON array: all or nothing, errors by index, retry-safe.

    Each item is what a single create takes, ``client_id`` included. 201 with
    the stored records (in the order sent) when any item is new, 200 when
    every item was a replay; 400 ``{"errors": {"<index>": {...}}}`` when any
    item is invalid (a ``client_id`` twice in the batch is an error at the
    later index), 409 with the same shape for a ``client_id`` reused with
    another body. A resource makes the batch fast by overriding
    ``create_objects`` (one ``bulk_create``).
    """

    bulk_max = 500
    # Whether the records ``create_objects`` returns are answered as they are (their related
    # rows loaded, nothing the list's queryset adds), rather than read again: a resource
    # whose serializer reads only their own fields and loaded references may say so.
    bulk_answers_created = False

    @extend_schema(
        summary=_("Create many records at once (all or nothing)"),
        request={"application/json": {"type": "array", "items": {}}},
        responses={
            201: OpenApiResponse(description="Stored; at least one record was new."),
            200: OpenApiResponse(description="Every record was a replay."),
        },
        filters=False,
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def bulk(self, request):
        items = request.data
        if not isinstance(items, list) or not items:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a non-empty JSON array of records.")]}
            )
        if len(items) > self.bulk_max:
            message = _("At most %(n)s records in one request.") % {"n": self.bulk_max}
            raise serializers.ValidationError({"non_field_errors": [message]})
        checked = self.bulk_check(items)
        try:
            # A new batch, by far the most common, looks nothing up first: a client_id already
            # stored fails the INSERT's unique constraint (or a check its stored twin now fails,
            # as a single create's replay may), the write rolls back, and the batch is stored
            # again knowing which of its items are replays.
            return self.bulk_store(checked, look_first=False)
        except (IntegrityError, serializers.ValidationError):
            pass
        try:
            return self.bulk_store(checked)
        except IntegrityError:
            return self.bulk_store(checked)  # a racing resubmission committed first: replays now

    def bulk_check(self, items: list) -> list[tuple[int, dict, object, str]]:
        """Each item's fields (``bulk_item``), then the resource's rules over the items whose
        fields are good (``bulk_rules``): every failing item's errors at once, by index."""
        errors, checked, first_at = {}, [], {}
        # One serializer for the batch, as DRF's ListSerializer has one child: its fields are
        # worked out once, not once an item (that was two thirds of a batch's time).
        serializer = self.get_serializer()
        for index, item in enumerate(items):
            try:
                data = self.bulk_item(serializer, item)
            except serializers.ValidationError as exc:
                detail = exc.detail
                errors[str(index)] = (
                    detail if isinstance(detail, dict) else {"non_field_errors": detail}
                )
                continue
            client_id = data.pop("client_id")
            if client_id in first_at:
                errors[str(index)] = {
                    "client_id": [_("This client_id is used earlier in this batch.")]
                }
                continue
            first_at[client_id] = index
            checked.append((index, data, client_id, body_hash(data)))
        errors.update(self.bulk_rules(checked))
        if errors:
            ordered = dict(sorted(errors.items(), key=lambda pair: int(pair[0])))
            raise serializers.ValidationError({"errors": ordered})
        return checked

    def bulk_item(self, serializer, item) -> dict:
        """One item's validated data, as a single create's serializer gives it."""
        return dict(serializer.run_validation(item))

    def bulk_rules(self, checked: list[tuple[int, dict, object, str]]) -> dict:
        """Errors by index (str) of rules the resource checks over the whole batch once the
        fields are good; none by default (the serializer checked everything)."""
        return {}

    def bulk_store(self, checked, *, look_first: bool = True):
        client_ids = [item[2] for item in checked]
        stored = {}
        if look_first:
            stored = dict(
                self.model.objects.filter(client_id__in=client_ids).values_list(
                    "client_id", "request_hash"
                )
            )
        readable = set(
            self.get_queryset().filter(client_id__in=stored).values_list("client_id", flat=True)
        )
        reused = {
            str(index): {"client_id": [CLIENT_ID_REUSED]}
            for index, _data, client_id, digest in checked
            if client_id in stored and (stored[client_id] != digest or client_id not in readable)
        }
        if reused:
            raise Conflict(CLIENT_ID_REUSED, code="client_id_reused", errors=reused)
        new = [(data, cid, digest) for _i, data, cid, digest in checked if cid not in stored]
        created = self.write(lambda: self.create_keyed(new)) if new else []
        by_client_id = {obj.client_id: obj for obj in created} if self.bulk_answers_created else {}
        if missing := [cid for cid in client_ids if cid not in by_client_id]:
            by_client_id.update(
                (obj.client_id, obj) for obj in self.get_queryset().filter(client_id__in=missing)
            )
        data = self.get_serializer([by_client_id[cid] for cid in client_ids], many=True).data
        return Response(data, status=status.HTTP_201_CREATED if new else status.HTTP_200_OK)


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
            raise self.stale(current, if_match)
        return current

    def stale(self, current, if_match: bool) -> Conflict:
        """The 409 (412 for If-Match) that shows the stored record as this caller may see it."""
        return Conflict(
            code="stale_version",
            current=self.get_serializer(self.get_queryset().get(pk=current.pk)).data,
            status_code=412 if if_match else 409,
        )
