"""The rights app's API, mounted at ``/api/v1/rights/``."""

from apps.rights.api.cases import urlpatterns as case_urls

urlpatterns = [*case_urls]
