from rest_framework.routers import SimpleRouter

from apps.reports.api.annual import AnnualReportViewSet
from apps.reports.api.signoffs import SignOffViewSet
from apps.reports.api.views import ReportViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
# GET reports/annual/: an action of its own viewset, beside the summary (docs/reports.md)
router.register("reports", AnnualReportViewSet, basename="report-annual")
# GET and POST reports/signoffs/: the sign-off of a period's figures (docs/reports.md, Sign-off)
router.register("reports", SignOffViewSet, basename="signoff")
urlpatterns = router.urls
