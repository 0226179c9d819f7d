"""A test-only resource with statuses (Ticket), mounted beside the real URL conf."""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from apps.core.api import Move, TransitionMixin
from apps.organizations.api.base import ScopedRecordSerializer, ScopedViewSet
from apps.organizations.scoping import scoped
from federation.urls import urlpatterns as real_urlpatterns
from tests.scoping_app.models import Ticket


class TicketSerializer(ScopedRecordSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "organization", "title", "status", "outcome", "notes"]


class CloseNeeds(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["mediated", "withdrawn"])


class TicketViewSet(TransitionMixin, ScopedViewSet):
    model = Ticket
    serializer_class = TicketSerializer
    transitions = {
        "accepted": Move(sources=frozenset({"open"})),
        "closed": Move(sources=frozenset({"accepted"}), needs=CloseNeeds),
    }

    def get_queryset(self):
        return scoped(Ticket.objects.all(), self.request.user)

    def create_object(self, data):
        return Ticket.objects.create(**data)

    def update_object(self, instance, data):
        for name, value in data.items():
            setattr(instance, name, value)
        instance.save()
        return instance


router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")
urlpatterns = [path("api/test/", include(router.urls)), *real_urlpatterns]
