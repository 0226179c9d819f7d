from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from apps.accounts import services
from apps.accounts.forms import AccountChangeForm, AccountCreationForm, AccountImportForm
from apps.accounts.models import User
from apps.core.admin_imports import SheetImportAdminMixin
from apps.organizations.admin_base import ScopedAdminMixin, ScopedHistoryAdmin
from apps.organizations.scoping import scoped

admin.site.unregister(Group)  # roles, not groups, carry rights here


@admin.register(User)
class AccountAdmin(SheetImportAdminMixin, ScopedHistoryAdmin, UserAdmin):
    """Accounts of the subtree. Nobody edits their own role or organization."""

    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person and place"), {"fields": ["name", "organization", "role", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "name", "organization", "role", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    list_display = ["username", "name", "organization", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    list_select_related = ["organization"]
    search_fields = ["username", "name", "organization__name", "organization__code"]
    ordering = ["organization__path", "username"]
    autocomplete_fields = ["organization"]
    filter_horizontal = []
    change_list_template = "admin/accounts/user/change_list.html"
    importer = services.ACCOUNTS
    import_form = AccountImportForm
    import_title = _("Import accounts from Excel")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += ["role", "organization", "is_active"]
        return fields

    def save_model(self, request, obj, form, change):
        if change and obj.pk == request.user.pk:
            original = User.objects.get(pk=obj.pk)
            services.account_guard_update(
                account=original, by=request.user, role=obj.role, organization=obj.organization
            )
        super().save_model(request, obj, form, change)


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ScopedTokenAdmin(ScopedAdminMixin, TokenAdmin):
    """API tokens of the subtree's accounts, for district administrators.

    The key is not listed: it is shown once, on the page after it is made.
    """

    list_display = ["user", "created"]
    actions = None  # as DRF's TokenAdmin: a row's id is its user's, so selections match nothing


class UsernameScopedMixin:
    """Login records name a username, not a row: show those of the subtree's accounts."""

    def get_queryset(self, request):
        usernames = scoped(User.objects.all(), request.user).values("username")
        return super().get_queryset(request).filter(username__in=usernames)


for model, model_admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (UsernameScopedMixin, model_admin), {}))
