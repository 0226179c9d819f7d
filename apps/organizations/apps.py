from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "apps.organizations"
    verbose_name = _("Organizations")

    def ready(self):
        from apps.organizations.reference import sync_reference_lists
        from apps.organizations.roles import (
            ALL_ROLES,
            RECORD_READERS,
            Role,
            grant,
            model_perms,
        )

        # Everyone reads its own subtree of the tree (leadership picks from it in reports).
        grant(ALL_ROLES, *model_perms("organizations", "organization", "view"))
        grant([Role.DISTRICT_ADMIN], *model_perms("organizations", "organization", "add", "change"))
        for model in ("position", "title"):
            grant(RECORD_READERS, *model_perms("organizations", model, "view"))
            grant([Role.DISTRICT_ADMIN], *model_perms("organizations", model, "add", "change"))
        for model in ("positionkind", "titlekind"):
            grant(RECORD_READERS, *model_perms("organizations", model, "view"))
            grant([Role.DISTRICT_ADMIN], *model_perms("organizations", model, "add", "change"))

        post_migrate.connect(sync_reference_lists, sender=self)
