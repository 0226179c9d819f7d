from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    """Photos and documents attached to records, read only through their record's rules."""

    name = "apps.files"
    verbose_name = _("Files")
