"""The councils' API, mounted at ``/api/v1/``: meetings and topics come before
``councils/<id>/``, which would otherwise take their names."""

from rest_framework.routers import SimpleRouter

from apps.councils.api.views import CouncilViewSet, MeetingViewSet, TopicViewSet

router = SimpleRouter()
router.register("councils/meetings", MeetingViewSet, basename="councilmeeting")
router.register("councils/topics", TopicViewSet, basename="counciltopic")
router.register("councils", CouncilViewSet, basename="council")
urlpatterns = router.urls
