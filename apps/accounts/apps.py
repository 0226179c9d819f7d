from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from apps.accounts.acts import tell_at_login
        from apps.accounts.models import DeviceToken
        from apps.organizations.roles import Role, grant, model_perms
        from apps.organizations.scoping import register_scope

        admins = [Role.DISTRICT_ADMIN]
        grant(admins, *model_perms("accounts", "user", "view", "add", "change"))
        # Tokens are made by the devices themselves; an admin sees and revokes them.
        grant(admins, *model_perms("accounts", "devicetoken", "view", "delete"))
        grant(admins, *model_perms("axes", "accessattempt", "view", "delete"))
        grant(admins, *model_perms("axes", "accesslog", "view"))
        grant(admins, *model_perms("axes", "accessfailurelog", "view"))
        # The log of full reads (a case's page, a download, an export): district admins read
        # it, nobody writes it through the app (docs/rights.md, Cases).
        grant(admins, *model_perms("core", "accesslog", "view"))
        register_scope(DeviceToken, "user__organization")
        user_logged_in.connect(tell_at_login, dispatch_uid="accounts.tell_at_login")
