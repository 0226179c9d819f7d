"""A test-only resource that uses every hook of the resource contract (docs/api-machinery.md),
mounted beside the real URL conf: Ticket, in about the lines a real resource needs."""

from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from apps.core.admin_transitions import TransitionAdminMixin
from apps.core.api.transitions import TransitionMixin
from apps.core.api.writes import BulkCreateMixin
from apps.organizations.admin_base import ScopedHistoryAdmin
from apps.organizations.api.base import ScopedRecordSerializer, ScopedViewSet
from apps.organizations.scoping import with_referrals
from federation.urls import urlpatterns as real_urlpatterns
from tests.scoping_app.models import Ticket

REFERRAL_OPEN = ("sent", "accepted")


class TicketSerializer(ScopedRecordSerializer):
    masked = {"secret": "secret_masked"}

    class Meta:
        model = Ticket
        fields = ["id", "organization", "title", "status", "outcome", "notes", "secret"]
        fields += ["campaign", "updated_at"]
        read_only_fields = ["outcome", "updated_at"]
        ancestor_fields = ["campaign"]


class TicketViewSet(BulkCreateMixin, TransitionMixin, ScopedViewSet):
    model = Ticket
    serializer_class = TicketSerializer
    full_read_perm = "scoping_app.view_ticket_secret"
    log_full_reads = True

    def get_queryset(self):
        return self.referred(Ticket.objects.select_related("organization", "campaign"))

    def writable(self, queryset):
        return self.referred(queryset)  # the receiving organization works the referred ticket

    def referred(self, queryset):
        return with_referrals(
            queryset,
            self.request.user,
            target="referrals__target",
            status="referrals__status",
            readable_statuses=REFERRAL_OPEN,
        )

    def create_object(self, data):
        return Ticket.objects.create(**data)

    def update_object(self, instance, data):
        for name, value in data.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        return instance


class PlainTicketViewSet(TicketViewSet):
    """The same resource whose referred tickets are read-only: only the subtree writes."""

    writable = ScopedViewSet.writable


class TicketAdmin(TransitionAdminMixin, ScopedHistoryAdmin):
    list_display = ["title", "status"]


# Its own admin site, so the real site's registry (and the tests that walk it) stay as they are.
test_site = admin.AdminSite(name="testadmin")
test_site.register(Ticket, TicketAdmin)

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("plain-tickets", PlainTicketViewSet, basename="plain-ticket")
urlpatterns = [
    path("api/test/", include(router.urls)),
    path("testadmin/", test_site.urls),
    *real_urlpatterns,
]
