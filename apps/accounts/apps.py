from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from rest_framework.authtoken.models import Token

        from apps.organizations.roles import Role, grant, model_perms
        from apps.organizations.scoping import register_scope

        admins = [Role.DISTRICT_ADMIN]
        grant(admins, *model_perms("accounts", "user", "view", "add", "change"))
        grant(admins, *model_perms("authtoken", "tokenproxy", "view", "add", "delete"))
        grant(admins, *model_perms("axes", "accessattempt", "view", "delete"))
        grant(admins, *model_perms("axes", "accesslog", "view"))
        grant(admins, *model_perms("axes", "accessfailurelog", "view"))
        register_scope(Token, "user__organization")
