from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from apps.accounts import services
from apps.accounts.forms import AccountChangeForm, AccountCreationForm, AccountImportForm
from apps.accounts.models import User
from apps.core.xlsx import SheetError
from apps.organizations.admin_base import ScopedAdminMixin, ScopedHistoryAdmin
from apps.organizations.scoping import scoped

admin.site.unregister(Group)  # roles, not groups, carry rights here


@admin.register(User)
class AccountAdmin(ScopedHistoryAdmin, UserAdmin):
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

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="accounts_user_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Many accounts at once from an .xlsx sheet; a dry run lists every bad row."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = AccountImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            try:
                report = services.accounts_import(
                    data=form.cleaned_data["file"].read(), by=request.user, dry_run=dry_run
                )
            except SheetError as exc:
                form.add_error("file", str(exc))
            else:
                if report.created:
                    messages.success(
                        request,
                        _("%(count)d accounts were created.") % {"count": len(report.created)},
                    )
                elif report.errors:
                    messages.error(request, _("Nothing was imported: correct the rows below."))
                else:
                    messages.info(request, _("Every row is correct; untick dry run to import."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import accounts from Excel"),
            "form": form,
            "report": report,
        }
        # admin_view() sends Cache-Control: no-store, which matters: first passwords are here.
        return TemplateResponse(request, "admin/accounts/user/import.html", context)


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
