"""The councils' serializers (docs/councils.md, docs/api.md)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api.records import CodeLookupField
from apps.councils.models import Council, Meeting, Topic, TopicCategory
from apps.members.models import Member
from apps.organizations.api.base import ScopedRecordSerializer, ScopedRefField


class CouncilSerializer(ScopedRecordSerializer):
    """A women's council; dissolved by giving ``dissolved_on``."""

    class Meta:
        model = Council
        fields = [
            *("id", "organization", "name", "established_on", "dissolved_on", "themes"),
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class MeetingSerializer(ScopedRecordSerializer):
    """A council's meeting. Its organization is the council's (set by the server); the council
    is set once. ``attendance`` is the members present, as people's ids."""

    attendance = ScopedRefField(
        many=True,
        required=False,
        source="present_people",
        queryset=Member.objects.alive().select_related("organization"),
        help_text=_("The council members present: people's ids. Guests are counted apart."),
    )

    class Meta:
        model = Meeting
        fields = [
            *("id", "organization", "council", "held_on", "mode", "channel", "place"),
            *("chair", "recorder", "minutes", "guests_count", "attendance", "updated_at"),
        ]
        read_only_fields = ["organization", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["council"].read_only = True
        else:
            fields["council"].queryset = Council.objects.alive().select_related("organization")
        for name in ("chair", "recorder"):
            fields[name].queryset = Member.objects.alive().select_related("organization")
        return fields


class CategoryField(CodeLookupField):
    """A topic category by its fixed English code (``village_affairs``); only active ones."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs["queryset"] = TopicCategory.objects.filter(active=True)
        super().__init__(**kwargs)


# Set by a status move (``transition/``), read-only everywhere else.
MOVE_FIELDS = (
    "not_adopted_reason",
    "responsible_organization",
    "responsible_body",
    "due_on",
    "result_kind",
)


class TopicSerializer(ScopedRecordSerializer):
    """A topic followed to its outcome. Its organization is the council's; ``status`` and what
    the moves set change only through ``transition/``. ``responsible_organization`` may be
    an ancestor of the caller (docs/scoping.md, exception one)."""

    category = CategoryField()
    overdue = serializers.SerializerMethodField(
        help_text=_("Assigned or in progress and past its due date (today in Beijing).")
    )

    class Meta:
        model = Topic
        fields = [
            *("id", "organization", "council", "meeting", "raised_via", "raised_by"),
            *("raised_on", "title", "description", "category", "status", "not_adopted_reason"),
            *("responsible_organization", "responsible_body", "assigned_on", "due_on"),
            *("closed_on", "result_kind", "evidence", "feedback", "overdue", "updated_at"),
        ]
        read_only_fields = [
            *("organization", "status", "assigned_on", "closed_on", "updated_at"),
        ]
        ancestor_fields = ["responsible_organization"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["council"].read_only = True
        else:
            fields["council"].queryset = Council.objects.alive().select_related("organization")
        fields["meeting"].queryset = Meeting.objects.alive()
        fields["raised_by"].queryset = Member.objects.alive().select_related("organization")
        for name in MOVE_FIELDS:  # the transition's door turns the one it takes back on
            fields[name].read_only = True
        return fields

    def get_overdue(self, topic) -> bool:
        return topic.is_overdue(timezone.localdate())
