from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.forms import SheetImportForm


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["username", "name", "organization", "role"]


class AccountChangeForm(UserChangeForm):
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
