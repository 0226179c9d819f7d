"""``POST …/{id}/transition/``: the API's door to ``apps.core.transitions.transition``.

The service decides; this adapter reads the body, checks the needed fields
with the resource's own serializer fields (so a needed reference is scoped
like any other) and turns the service's refusals into API answers.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.writes import expected_version
from apps.core.errors import Conflict
from apps.core.transitions import IllegalMove, StaleVersion, moves_of, transition


class TransitionSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=32, help_text=_("The status to move to."))
    version = serializers.IntegerField(
        min_value=1, required=False, help_text=_("The version you read (or send If-Match).")
    )
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why: kept as the reason in the record's history."),
    )


class TransitionMixin:
    """Adds ``transition/`` to a ``RecordViewSet`` whose model has a ``transitions`` table.

    The status field is read-only everywhere else.
    """

    permission_actions = {"transition": "change"}

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        status_field = self.model.status_field
        if status_field in getattr(serializer, "fields", {}):
            serializer.fields[status_field].read_only = True
        return serializer

    @extend_schema(
        request=TransitionSerializer,
        summary=_("Change the status: {to, version, note} plus what the target status needs"),
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        obj = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to = body.validated_data["to"]
        move = moves_of(self.model).get(to)
        if move is None:
            raise serializers.ValidationError({"to": [_("Unknown status.")]})
        needs = self.transition_needs(obj, move.takes, request.data)
        expected, if_match = expected_version(request)
        note = body.validated_data["note"]
        try:
            obj = self.write(
                lambda: self.transition_object(
                    obj, to=to, by=request.user, note=note, version=expected, **needs
                )
            )
        except StaleVersion as exc:
            raise self.stale(exc.current, if_match) from exc
        except IllegalMove as exc:
            current = self.get_serializer(self.get_queryset().get(pk=obj.pk)).data
            raise Conflict(IllegalMove.message, code="illegal_move", current=current) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    def transition_object(self, obj, **kwargs):
        """The move itself: ``transition()``, or the resource's service that wraps it."""
        return transition(obj, **kwargs)

    def transition_needs(self, obj, names: tuple[str, ...], data) -> dict:
        """The needed fields from the body, validated as the resource's serializer fields."""
        if not names:
            return {}
        fields = self.get_serializer_class()(context=self.get_serializer_context()).get_fields()
        checker = serializers.Serializer(context=self.get_serializer_context())
        errors, values = {}, {}
        for name in names:
            if name not in data:
                continue
            field = fields[name]
            field.read_only = False
            field.bind(name, checker)
            try:
                values[name] = field.run_validation(data[name])
            except serializers.ValidationError as exc:
                errors[name] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return values
