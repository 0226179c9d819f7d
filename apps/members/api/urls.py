from rest_framework.routers import SimpleRouter

from apps.members.api.views import AppointmentViewSet, MemberViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("appointments", AppointmentViewSet, basename="appointment")
urlpatterns = router.urls
