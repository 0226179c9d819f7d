"""The events app's serializers. A batch (``events/bulk/``) loads each kind of reference once
for all its items and hands the loaded rows to every item's serializer in its context
(``preloaded``), so 500 items cost the queries of one (docs/events.md)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.events import selectors
from apps.events.models import (
    Campaign,
    Event,
    EventCategory,
    EventParticipant,
    Fund,
    LineOfWork,
)
from apps.members.models import Member
from apps.organizations.api.base import ScopedRecordSerializer, ScopedRefField


class PreloadedLookup:
    """A related field that takes its rows from ``context["preloaded"][field name]`` (a dict of
    key → row, loaded in the caller's reach for a whole batch) when there is one, and asks the
    database otherwise. A key missing from it does not exist, as in the database."""

    def preloaded(self) -> dict | None:
        return self.context.get("preloaded", {}).get(self.field_name)

    @staticmethod
    def key_of(data):
        raise NotImplementedError

    def to_internal_value(self, data):
        rows = self.preloaded()
        if rows is None:
            return super().to_internal_value(data)
        key = self.key_of(data)
        if key is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if key not in rows:
            self.fail("does_not_exist", slug_name=getattr(self, "slug_field", "id"), value=key)
        return rows[key]


def pk_key(data):
    """An id as a batch's rows are keyed; None for what is not a whole number."""
    if isinstance(data, bool) or not isinstance(data, int | str):
        return None
    try:
        return int(data)
    except ValueError:
        return None


class PreloadedRefField(PreloadedLookup, ScopedRefField):
    key_of = staticmethod(pk_key)


class CodeField(PreloadedLookup, serializers.SlugRelatedField):
    """A published list's row, written and read as its English ``code`` (docs/api.md)."""

    default_error_messages = {
        "does_not_exist": _("Unknown code: %(value)s."),
        "invalid": _("Send a code."),
        "incorrect_type": _("Send a code."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    @staticmethod
    def key_of(data):
        return data if isinstance(data, str) else None

    def get_queryset(self):
        return selectors.published_readable(super().get_queryset(), self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:  # no code has one; PostgreSQL refuses it
            self.fail("does_not_exist", value=data.replace("\x00", ""))
        return super().to_internal_value(data)

    def fail(self, key, **kwargs):
        if key == "does_not_exist":  # the code sent back, never a name of the row it is not
            raise serializers.ValidationError(
                self.error_messages[key] % {"value": str(kwargs.get("value"))[:50]}, code=key
            )
        super().fail(key, **kwargs)


class EventSerializer(ScopedRecordSerializer):
    """An event an organization held. ``category`` is a category's code and decides ``line``;
    ``campaign`` may be an ancestor's (a village's event in the district's campaign)."""

    serializer_related_field = PreloadedRefField

    line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = CodeField(queryset=EventCategory.objects.select_related("line"))

    class Meta:
        model = Event
        fields = [
            "id",
            "organization",
            "title",
            "line",
            "category",
            "campaign",
            "starts_at",
            "ends_at",
            "place",
            "position",
            "partners",
            "participants",
            "people_reached",
            "volunteers",
            "spent",
            "summary",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        ancestor_fields = ["campaign"]

    def get_fields(self):
        fields = super().get_fields()
        fields["campaign"].queryset = Campaign.objects.alive().select_related("organization")
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None:  # a change is checked by its service, against the stored row
            fields = {k: v for k, v in attrs.items() if k != "client_id"}
            event = Event(**fields)
            event.line = event.category.line
            try:
                event.clean()
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class ParticipantSerializer(ScopedRecordSerializer):
    """A person on an event's list: attended, completed. Her organization is the event's (set
    by the server); the event and the person are set once."""

    class Meta:
        model = EventParticipant
        fields = ["id", "organization", "event", "member", "attended", "completed", "updated_at"]
        read_only_fields = ["organization", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["event"].read_only = True
            fields["member"].read_only = True
        else:
            fields["event"].queryset = Event.objects.alive().select_related("organization")
            fields["member"].queryset = Member.objects.alive().select_related("organization")
        return fields


class CampaignSerializer(ScopedRecordSerializer):
    """A campaign (专项行动) of ``organization``'s subtree over a period."""

    class Meta:
        model = Campaign
        fields = [
            "id",
            "organization",
            "title",
            "starts_on",
            "ends_on",
            "description",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class FundSerializer(ScopedRecordSerializer):
    """Money obtained from higher levels or raised as donations, for a campaign or an event."""

    class Meta:
        model = Fund
        fields = [
            "id",
            "organization",
            "source",
            "amount",
            "received_on",
            "purpose",
            "campaign",
            "event",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        ancestor_fields = ["campaign"]

    def get_fields(self):
        fields = super().get_fields()
        fields["campaign"].queryset = Campaign.objects.alive().select_related("organization")
        fields["event"].queryset = Event.objects.alive().select_related("organization")
        return fields


class LineOfWorkSerializer(ScopedRecordSerializer):
    class Meta:
        model = LineOfWork
        fields = ["id", "code", "name", "sort_order", "updated_at"]
        read_only_fields = fields


class EventCategorySerializer(ScopedRecordSerializer):
    line = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = EventCategory
        fields = ["id", "code", "name", "line", "sort_order", "updated_at"]
        read_only_fields = fields


class CampaignRowSerializer(serializers.Serializer):
    organization = serializers.SerializerMethodField()
    reported = serializers.BooleanField()
    events = serializers.IntegerField()
    participants = serializers.IntegerField()
    people_reached = serializers.IntegerField()
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)

    def get_organization(self, row) -> dict:
        return {"id": row.organization.pk, "name": row.organization.name}


class TotalsSerializer(serializers.Serializer):
    events = serializers.IntegerField()
    participants = serializers.IntegerField()
    people_reached = serializers.IntegerField()
    volunteers = serializers.IntegerField()
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)


class CampaignReportSerializer(serializers.Serializer):
    """Who has reported to a campaign and the totals, within the reader's own subtree."""

    organizations = CampaignRowSerializer(source="rows", many=True)
    totals = TotalsSerializer()
