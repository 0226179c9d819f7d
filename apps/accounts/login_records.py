from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginRecordsConfig(AxesAppConfig):
    """django-axes, under a name district staff understand.

    Kept out of apps.py: a second AppConfig there would stop Django from
    picking AccountsConfig (and its rights) on its own.
    """

    verbose_name = _("Login records")
