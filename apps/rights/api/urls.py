"""The rights app's API, mounted at ``/api/v1/rights/``: stations and their staff, and cases."""

from rest_framework.routers import SimpleRouter

from apps.rights.api.cases import urlpatterns as case_urls
from apps.rights.api.referrals import urlpatterns as referral_urls
from apps.rights.api.views import StationStaffViewSet, StationViewSet

router = SimpleRouter()
router.register("stations", StationViewSet, basename="station")
router.register("station-staff", StationStaffViewSet, basename="stationstaff")
urlpatterns = [*router.urls, *case_urls, *referral_urls]
