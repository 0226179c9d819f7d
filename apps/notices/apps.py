from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Notices to accounts (docs/notices.md): knows no domain; an app above sends them with
    ``notice_send``."""

    name = "apps.notices"
    verbose_name = _("Notices")

    def ready(self):
        from apps.organizations.roles import ALL_ROLES, grant, model_perms

        # Everyone reads their own notices and marks them read; nobody else's.
        grant(ALL_ROLES, *model_perms("notices", "notice", "view", "change"))
