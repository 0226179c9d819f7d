"""The events app's list filters; an organization filter covers its subtree (docs/api.md)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.events.choices import FundSource
from apps.events.models import Campaign, Event, EventParticipant, Fund
from apps.organizations.filters import DatedRecordFilterSet, RecordFilterSet

CAMPAIGN_HELP = _("A campaign's id: only the records attached to it.")


class EventFilter(DatedRecordFilterSet):
    """``?organization=`` (its subtree), ``?date_after=``/``?date_before=`` on the day it
    started, ``?line=``, ``?category=`` (codes), ``?campaign=`` (an id), ``?updated_after=``."""

    date_field = "starts_at"

    line = django_filters.CharFilter(
        label=_("line of work"), field_name="line__code", help_text=_("A line of work's code.")
    )
    category = django_filters.CharFilter(
        label=_("category"), field_name="category__code", help_text=_("A category's code.")
    )
    campaign = django_filters.NumberFilter(
        label=_("campaign"), field_name="campaign_id", help_text=CAMPAIGN_HELP
    )

    class Meta:
        model = Event
        fields = ["organization", "line", "category", "campaign"]


class CampaignFilter(DatedRecordFilterSet):
    """``?organization=`` (its subtree), dates on the day it starts, ``?updated_after=``."""

    date_field = "starts_on"

    class Meta:
        model = Campaign
        fields = ["organization"]


class FundFilter(DatedRecordFilterSet):
    """``?organization=``, ``?source=``, ``?campaign=``, ``?event_category=`` (the code of the
    category of the event the money was for: the annual report's funds for training link here,
    docs/reports.md), dates on the day received."""

    date_field = "received_on"

    source = django_filters.ChoiceFilter(label=_("source"), choices=FundSource.choices)
    campaign = django_filters.NumberFilter(
        label=_("campaign"), field_name="campaign_id", help_text=CAMPAIGN_HELP
    )
    event_category = django_filters.CharFilter(
        label=_("event's category"),
        field_name="event__category__code",
        help_text=_("The code of the category of the event the money was for."),
    )

    class Meta:
        model = Fund
        fields = ["organization", "source", "campaign", "event_category"]


class ParticipantFilter(RecordFilterSet):
    """``?event=`` (an id: one event's list), ``?organization=`` (its subtree),
    ``?updated_after=``."""

    event = django_filters.NumberFilter(
        label=_("event"), field_name="event_id", help_text=_("An event's id: its list.")
    )

    class Meta:
        model = EventParticipant
        fields = ["organization", "event"]
