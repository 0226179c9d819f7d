"""The organization API with attachments mounted: the mixin tried on a real resource."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from apps.files.api import AttachmentsMixin
from apps.organizations.api.views import OrganizationViewSet
from federation.urls import urlpatterns as federation_urlpatterns


class OrganizationWithFiles(AttachmentsMixin, OrganizationViewSet):
    """Test only: organizations are no record that carries files in the product."""


router = SimpleRouter()
router.register(
    "organizations-with-files", OrganizationWithFiles, basename="organization-with-files"
)
urlpatterns = [path("api/v1/", include(router.urls)), *federation_urlpatterns]
