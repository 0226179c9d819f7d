from rest_framework.routers import SimpleRouter

from apps.reports.api.annual import AnnualReportViewSet
from apps.reports.api.views import ReportViewSet

router = SimpleRouter()
router.register("reports/annual", AnnualReportViewSet, basename="report-annual")
router.register("reports", ReportViewSet, basename="report")
urlpatterns = router.urls
