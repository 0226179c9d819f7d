from rest_framework.routers import SimpleRouter

from apps.events.api.views import (
    CampaignViewSet,
    EventCategoryViewSet,
    EventViewSet,
    FundViewSet,
    LineOfWorkViewSet,
    ParticipantViewSet,
)

# The lists under events/ come before events/<id>/, which would otherwise take their names.
router = SimpleRouter()
router.register("events/campaigns", CampaignViewSet, basename="campaign")
router.register("events/funds", FundViewSet, basename="fund")
router.register("events/participants", ParticipantViewSet, basename="eventparticipant")
router.register("events/lines", LineOfWorkViewSet, basename="lineofwork")
router.register("events/categories", EventCategoryViewSet, basename="eventcategory")
router.register("events", EventViewSet, basename="event")
urlpatterns = router.urls
