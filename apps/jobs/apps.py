from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Work that runs in a worker beside the web server: large imports (docs/jobs.md)."""

    name = "apps.jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from apps.organizations.roles import ALL_ROLES, grant, model_perms

        # Everyone reads their own jobs (district admins their subtree's): starting one is the
        # right of whatever the job does (an import: adding the rows), checked again as it runs.
        grant(ALL_ROLES, *model_perms("jobs", "job", "view"))
