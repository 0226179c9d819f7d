"""Councils, their meetings and topics through the API: ``/api/v1/councils/``,
``councils/meetings/``, ``councils/topics/`` (GET POST PATCH DELETE) and
``councils/topics/{id}/transition/`` (docs/councils.md)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.core.api.transitions import TransitionMixin
from apps.councils import selectors, services
from apps.councils.api.serializers import CouncilSerializer, MeetingSerializer, TopicSerializer
from apps.councils.filters import CouncilFilter, MeetingFilter, TopicFilter
from apps.councils.models import Council, Meeting, Topic
from apps.files.api import AttachmentsMixin
from apps.organizations.api.base import ScopedViewSet


@extend_schema_view(
    list=extend_schema(summary=_("Women's councils of the caller's subtree")),
    retrieve=extend_schema(summary=_("One women's council")),
    create=extend_schema(summary=_("Set up a women's council")),
    partial_update=extend_schema(
        summary=_("Change a women's council; dissolve it by its date (send the version you read)")
    ),
    destroy=extend_schema(summary=_("Mark a women's council deleted (entered by mistake)")),
)
class CouncilViewSet(ScopedViewSet):
    model = Council
    serializer_class = CouncilSerializer
    filterset_class = CouncilFilter

    def get_queryset(self):
        return selectors.council_list(user=self.request.user)

    def create_object(self, data):
        return services.council_create(by=self.request.user, **data)

    def update_object(self, instance, data):
        data.pop("organization", None)
        return services.council_update(by=self.request.user, council=instance, **data)

    def delete_object(self, instance):
        return services.council_delete(by=self.request.user, council=instance)


@extend_schema_view(
    list=extend_schema(summary=_("Council meetings of the caller's subtree, newest first")),
    retrieve=extend_schema(summary=_("One council meeting with the members present")),
    create=extend_schema(summary=_("Record a council meeting, on site or online")),
    partial_update=extend_schema(summary=_("Change a council meeting (send the version you read)")),
    destroy=extend_schema(summary=_("Mark a council meeting deleted")),
)
class MeetingViewSet(AttachmentsMixin, ScopedViewSet):
    """Meetings with their minutes' scans and photos (attachments)."""

    model = Meeting
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def get_queryset(self):
        return selectors.meeting_list(user=self.request.user)

    @staticmethod
    def _fields(data) -> dict:
        data.pop("organization", None)  # the council's, set by the service
        if "present_people" in data:
            data["attendance"] = data.pop("present_people")
        return data

    def create_object(self, data):
        return services.meeting_create(by=self.request.user, **self._fields(data))

    def update_object(self, instance, data):
        fields = self._fields(data)
        return services.meeting_update(by=self.request.user, meeting=instance, **fields)

    def delete_object(self, instance):
        return services.meeting_delete(by=self.request.user, meeting=instance)


@extend_schema_view(
    list=extend_schema(summary=_("Council topics of the caller's subtree, newest first")),
    retrieve=extend_schema(summary=_("One council topic")),
    create=extend_schema(summary=_("Record a topic raised at a meeting or in the online hall")),
    partial_update=extend_schema(summary=_("Change a council topic (send the version you read)")),
    destroy=extend_schema(summary=_("Mark a council topic deleted")),
)
class TopicViewSet(AttachmentsMixin, TransitionMixin, ScopedViewSet):
    """Topics, their evidence files (attachments) and ``{id}/transition/``: raised → accepted
    or not adopted → assigned → in progress → resolved or turned into a result."""

    model = Topic
    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    permission_actions = {"transition": "change"}

    def get_queryset(self):
        return selectors.topic_list(user=self.request.user)

    def create_object(self, data):
        data.pop("organization", None)
        return services.topic_create(by=self.request.user, **data)

    def update_object(self, instance, data):
        data.pop("organization", None)
        return services.topic_update(by=self.request.user, topic=instance, **data)

    def delete_object(self, instance):
        return services.topic_delete(by=self.request.user, topic=instance)
