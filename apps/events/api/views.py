"""Events, campaigns, funds and the lists they are counted by, through the API (docs/events.md)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.writes import BulkCreateMixin
from apps.events import selectors, services
from apps.events.api.serializers import (
    CampaignReportSerializer,
    CampaignSerializer,
    EventCategorySerializer,
    EventSerializer,
    FundSerializer,
    LineOfWorkSerializer,
    ParticipantSerializer,
    pk_key,
)
from apps.events.filters import CampaignFilter, EventFilter, FundFilter, ParticipantFilter
from apps.events.models import (
    Campaign,
    Event,
    EventCategory,
    EventParticipant,
    Fund,
    LineOfWork,
)
from apps.files.api import AttachmentsMixin
from apps.organizations.api.base import ScopedViewSet
from apps.organizations.models import Organization, Position
from apps.organizations.scoping import scoped, with_ancestors


@extend_schema_view(
    list=extend_schema(summary=_("Events of the caller's subtree, newest first")),
    retrieve=extend_schema(summary=_("One event")),
    create=extend_schema(summary=_("Record an event")),
    partial_update=extend_schema(summary=_("Change an event (send the version you read)")),
    destroy=extend_schema(summary=_("Mark an event deleted")),
)
class EventViewSet(BulkCreateMixin, AttachmentsMixin, ScopedViewSet):
    """Events with their photos (attachments) and ``bulk/`` for a station's batch.

    A batch is checked in a fixed number of queries: each kind of reference its items name is
    loaded once, in the caller's reach (``preload``), and every item's serializer reads from
    those rows; the new events are one INSERT (``services.events_create``).
    """

    model = Event
    serializer_class = EventSerializer
    filterset_class = EventFilter
    # A batch's new events carry the rows preloaded for it (organization, category and line,
    # campaign, position): answered as they are, not read again.
    bulk_answers_created = True

    def get_queryset(self):
        return selectors.event_list(user=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "_preloaded", None) is not None:
            context["preloaded"] = self._preloaded
        return context

    def bulk_check(self, items):
        self._preloaded = self.preload(items)
        try:
            checked = super().bulk_check(items)
        finally:
            self._preloaded = None
        self._sent_at = {client_id: index for index, _data, client_id, _digest in checked}
        return checked

    def preload(self, items: list) -> dict:
        """The rows a batch's items name, each kind in one query, within the caller's reach
        (the campaign's also its ancestors': docs/scoping.md, exception one)."""
        user = self.request.user
        named = {"organization": set(), "campaign": set(), "position": set(), "category": set()}
        for item in items:
            if not isinstance(item, dict):
                continue
            for name in ("organization", "campaign", "position"):
                key = pk_key(item.get(name))
                if key is not None:
                    named[name].add(key)
            if isinstance(item.get("category"), str):
                named["category"].add(item["category"])
        organizations = scoped(Organization.objects.filter(pk__in=named["organization"]), user)
        campaigns = with_ancestors(
            Campaign.objects.alive()
            .select_related("organization")
            .filter(pk__in=named["campaign"]),
            user,
        )
        positions = scoped(Position.objects.filter(pk__in=named["position"]), user)
        categories = selectors.published_readable(
            EventCategory.objects.select_related("line").filter(code__in=named["category"]), user
        )
        return {
            "organization": {o.pk: o for o in organizations} if named["organization"] else {},
            "campaign": {c.pk: c for c in campaigns} if named["campaign"] else {},
            "position": {p.pk: p for p in positions} if named["position"] else {},
            "category": {c.code: c for c in categories} if named["category"] else {},
        }

    def create_object(self, data):
        return services.event_create(by=self.request.user, **data)

    def create_objects(self, items):
        try:
            return services.events_create(by=self.request.user, items=items)
        except services.InvalidItems as exc:  # checked by the serializers first: a last guard
            sent_at = getattr(self, "_sent_at", {})
            errors = {
                str(sent_at.get(items[int(position)]["client_id"], position)): messages
                for position, messages in exc.errors.items()
            }  # by the index the client sent, not the position among the new items
            raise serializers.ValidationError({"errors": errors}) from exc

    def update_object(self, instance, data):
        return services.event_update(by=self.request.user, event=instance, **data)

    def delete_object(self, instance):
        return services.event_delete(by=self.request.user, event=instance)


@extend_schema_view(
    list=extend_schema(summary=_("Participant lists of the caller's subtree's events")),
    retrieve=extend_schema(summary=_("One person on an event's list")),
    create=extend_schema(summary=_("Put a person on an event's list")),
    partial_update=extend_schema(
        summary=_("Change whether she attended or completed (send the version you read)")
    ),
    destroy=extend_schema(summary=_("Take a person off an event's list")),
)
class ParticipantViewSet(ScopedViewSet):
    """Events' participant lists (a training's trainees); ``?event=`` reads one event's."""

    model = EventParticipant
    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter

    def get_queryset(self):
        return selectors.participant_list(user=self.request.user)

    def create_object(self, data):
        return services.participant_add(by=self.request.user, **data)

    def update_object(self, instance, data):
        return services.participant_update(by=self.request.user, participant=instance, **data)

    def delete_object(self, instance):
        return services.participant_remove(by=self.request.user, participant=instance)


@extend_schema_view(
    list=extend_schema(summary=_("Campaigns of the caller's subtree and of its ancestors")),
    retrieve=extend_schema(summary=_("One campaign (an ancestor's is read-only)")),
    create=extend_schema(summary=_("Launch a campaign")),
    partial_update=extend_schema(summary=_("Change a campaign (send the version you read)")),
    destroy=extend_schema(summary=_("Mark a campaign deleted")),
)
class CampaignViewSet(ScopedViewSet):
    """Campaigns (专项行动): the caller's own and its ancestors' (read-only), and on each one
    ``report/``, who has reported events and the totals, within the caller's own subtree."""

    model = Campaign
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter

    def get_queryset(self):
        return selectors.campaign_readable(user=self.request.user)

    def create_object(self, data):
        return services.campaign_create(by=self.request.user, **data)

    def update_object(self, instance, data):
        return services.campaign_update(by=self.request.user, campaign=instance, **data)

    def delete_object(self, instance):
        return services.campaign_delete(by=self.request.user, campaign=instance)

    @extend_schema(
        summary=_("Who has reported events to the campaign, and the totals, in your subtree"),
        responses=CampaignReportSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def report(self, request, pk=None):
        campaign = self.get_object()
        report = selectors.campaign_report(user=request.user, campaign=campaign)
        return Response(CampaignReportSerializer(report).data)


@extend_schema_view(
    list=extend_schema(summary=_("Funding records of the caller's subtree")),
    retrieve=extend_schema(summary=_("One funding record")),
    create=extend_schema(summary=_("Record money obtained or raised")),
    partial_update=extend_schema(summary=_("Change a funding record (send the version you read)")),
    destroy=extend_schema(summary=_("Mark a funding record deleted")),
)
class FundViewSet(ScopedViewSet):
    model = Fund
    serializer_class = FundSerializer
    filterset_class = FundFilter

    def get_queryset(self):
        return selectors.fund_list(user=self.request.user)

    def create_object(self, data):
        return services.fund_create(by=self.request.user, **data)

    def update_object(self, instance, data):
        return services.fund_update(by=self.request.user, fund=instance, **data)

    def delete_object(self, instance):
        return services.fund_delete(by=self.request.user, fund=instance)


class PublishedListViewSet(ScopedViewSet):
    """A read-only list the district extends in the admin (docs/api.md, Objects)."""

    http_method_names = ["get", "head", "options"]


@extend_schema_view(
    list=extend_schema(summary=_("Lines of work events are counted by")),
    retrieve=extend_schema(summary=_("One line of work")),
)
class LineOfWorkViewSet(PublishedListViewSet):
    model = LineOfWork
    serializer_class = LineOfWorkSerializer

    def get_queryset(self):
        return selectors.line_list(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary=_("Event categories, each in its line of work")),
    retrieve=extend_schema(summary=_("One event category")),
)
class EventCategoryViewSet(PublishedListViewSet):
    model = EventCategory
    serializer_class = EventCategorySerializer

    def get_queryset(self):
        return selectors.category_list(user=self.request.user)
