from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.accounts.acts import CASE_WORKERS_BY_ROOT, may_manage
from apps.accounts.models import CASE_READERS, User
from apps.core.forms import SheetImportForm


class RoleRuleMixin:
    """docs/roles.md, Account rules: case-worker accounts by the district's own admins only.
    ``acting_user`` is set by the admin's ``get_form``."""

    acting_user = None

    def clean_role(self):
        role = self.cleaned_data["role"]
        if self.acting_user is not None and not may_manage(self.acting_user, role):
            raise ValidationError(CASE_WORKERS_BY_ROOT, code="case_workers_by_root")
        return role


class AccountCreationForm(RoleRuleMixin, AdminUserCreationForm):
    """A password for roles that do not read cases in full; for those that do, none: the
    admin gets a one-time set-password link to hand over instead."""

    class Meta:
        model = User
        fields = ["username", "name", "organization", "role"]

    def clean(self):
        if self.cleaned_data.get("role") in CASE_READERS:
            if self.cleaned_data.get("password1") or self.cleaned_data.get("password2"):
                self.add_error(
                    "password1",
                    _(
                        "This role reads cases in full: leave the password empty, and hand the "
                        "person the set-password link shown after saving."
                    ),
                )
            self.cleaned_data["usable_password"] = "false"  # noqa: S105 - no password at all
        return super().clean()


class AccountChangeForm(RoleRuleMixin, UserChangeForm):
    class Meta:
        model = User
        fields = ["username", "name", "organization", "role", "is_active"]


class AccountImportForm(SheetImportForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_(
            "Columns: 用户名 (username), 姓名 (name), 组织代码 (organization code), 角色 (role)."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check every row, create nothing"), required=False, initial=True
    )
