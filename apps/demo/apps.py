from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo district. It reads every app; no app imports it."""

    name = "apps.demo"
    verbose_name = _("Demo district")
