from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    """Rights protection (维权): stations and posts, the legal service center, information-
    collection points; and, next, the cases they receive (docs/rights.md)."""

    name = "apps.rights"
    verbose_name = _("Rights protection")
