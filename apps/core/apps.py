from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self):
        from apps.core import lookups  # noqa: F401 - registers field__any
        from apps.core.api import schema  # noqa: F401 - registers the schema extensions
