from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The figures leadership reads (docs/reports.md): one catalogue, read by the dashboard,
    the summary API and the Excel export alike. It sits on top of the domain apps, reads them
    all, and nothing imports it (docs/architecture.md)."""

    name = "apps.reports"
    verbose_name = _("Reports")
