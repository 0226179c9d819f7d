from rest_framework.routers import SimpleRouter

from apps.rights.api.views import StationStaffViewSet, StationViewSet

router = SimpleRouter()
router.register("stations", StationViewSet, basename="station")
router.register("station-staff", StationStaffViewSet, basename="stationstaff")
urlpatterns = router.urls
