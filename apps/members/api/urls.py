from rest_framework.routers import SimpleRouter

from apps.members.api.branch import BranchMeetingViewSet
from apps.members.api.people import AppointmentViewSet, MemberViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("branch-meetings", BranchMeetingViewSet, basename="branchmeeting")
urlpatterns = router.urls
