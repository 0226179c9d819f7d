from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.accounts import acts, services, tokens
from apps.accounts.forms import AccountChangeForm, AccountCreationForm, AccountImportForm
from apps.accounts.models import DeviceToken, User
from apps.core.admin_imports import SheetImportAdminMixin
from apps.core.history import history_note
from apps.core.models import AccessLog as FullRead
from apps.core.validators import ascii_digits
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
        (
            _("Person and place"),
            {"fields": ["name", "organization", "role", "email", "is_active"]},
        ),
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

    def get_fieldsets(self, request, obj=None):
        """No password field for an account that reads cases in full: its owner sets it
        through a link (docs/roles.md, Account rules)."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.reads_cases_in_full:
            fieldsets = [(None, {"fields": ["username"]}), *fieldsets[1:]]
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        """A case worker's account is changed by the district's own admins only."""
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or acts.may_manage(request.user, obj.role))

    def get_urls(self):
        return [
            path(
                "<id>/set-password-link/",
                self.admin_site.admin_view(self.set_password_link_view),
                name="accounts_user_set_password_link",
            ),
            *super().get_urls(),
        ]

    def user_change_password(self, request, id, form_url=""):
        """Nobody sets the password of an account that reads cases in full: a link does."""
        account = self.get_object(request, id)
        if account is not None and account.reads_cases_in_full:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def set_password_link_view(self, request, id):
        """A new one-time set-password link, shown on this page only (POST; GET asks first)."""
        account = get_object_or_404(self.get_queryset(request), pk=id if ascii_digits(id) else None)
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        link = None
        if request.method == "POST":
            link = request.build_absolute_uri(
                acts.issue_set_password_link(account, by=request.user)
            )
        return self._link_page(request, account, link)

    def _link_page(self, request, account, link):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": account,
            "title": _("Set-password link"),
            "link": link,
        }
        response = TemplateResponse(request, "admin/accounts/user/set_password_link.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "set_password_link", None):
            return self._link_page(request, obj, request.set_password_link)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "set_password_link", None):
            return self._link_page(request, obj, request.set_password_link)
        return super().response_change(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += ["role", "organization", "is_active"]
        return fields

    def save_model(self, request, obj, form, change):
        original = User.objects.get(pk=obj.pk) if change else None
        if change and obj.pk == request.user.pk:
            services.account_guard_update(
                account=original, by=request.user, role=obj.role, organization=obj.organization
            )
        # A new account that reads cases in full, or one that starts to: its password (which
        # the admin may know) stops working, its tokens go, and its owner gets a link.
        becomes_reader = obj.reads_cases_in_full and not (original and original.reads_cases_in_full)
        if becomes_reader:
            obj.set_unusable_password()
            history_note(obj, by=request.user, reason=_("Set-password link issued"))
        super().save_model(request, obj, form, change)
        if becomes_reader:
            DeviceToken.objects.filter(user=obj).delete()
            request.set_password_link = request.build_absolute_uri(acts.set_password_path(obj))


@admin.register(DeviceToken)
class DeviceTokenAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """API tokens of the subtree's accounts, for district administrators: seen and revoked,
    never made here (a device makes its own when it signs in). Only the key's first
    characters are ever shown: the key itself is not stored."""

    list_display = ["prefix", "device", "user", "created", "expiry"]
    list_select_related = ["user__organization"]
    search_fields = ["user__username", "user__name", "device"]
    fields = ["prefix", "device", "user", "created", "expiry"]
    readonly_fields = fields

    @admin.display(description=_("key (first characters)"))
    def prefix(self, obj):
        return f"{obj.prefix}…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        tokens.revoke_token(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            tokens.revoke_token(token, by=request.user)


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


@admin.register(FullRead)
class FullReadAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Who read which sensitive record in full, or took it away in a file (a case's page, a
    download, an export): for district admins, by the readers of their subtree. Written by
    the code only; nobody adds, changes or deletes a row through the app (docs/rights.md)."""

    list_display = ["at", "user", "content_type", "object_id", "through"]
    list_select_related = ["user", "content_type"]
    search_fields = ["user__username", "user__name"]
    actions = None  # not even an export: the log stays where it is

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
