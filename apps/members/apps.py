from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "apps.members"
    verbose_name = _("People")

    def ready(self):
        from apps.organizations.roles import RECORD_READERS, Role, grant, model_perms

        # Every role that keeps records keeps people; leadership sees figures only.
        grant(RECORD_READERS, *model_perms("members", "member", "view", "add", "change"))
        grant(RECORD_READERS, *model_perms("members", "appointment", "view", "add", "change"))
        # Full ID and phone numbers, on a person's own page (lists are always masked).
        grant([Role.DISTRICT_ADMIN, Role.STAFF], "members.view_identity")
        for model in ("member", "appointment"):
            grant([Role.DISTRICT_ADMIN, Role.STAFF], *model_perms("members", model, "delete"))
