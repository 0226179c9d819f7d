"""The log of ID numbers checked by roles that read them masked, for district admins
(docs/identity.md)."""

from django.contrib import admin

from apps.members.models import IdentityCheck
from apps.organizations.admin_base import ScopedModelAdmin


@admin.register(IdentityCheck)
class IdentityCheckAdmin(ScopedModelAdmin):
    """Who checked which (masked) number, when and through what: the accounts of the admin's
    subtree. Read only: the rows are written by the checks themselves."""

    list_display = ["at", "user", "through", "masked_number", "refused"]
    list_filter = ["through", "refused"]
    list_select_related = ["user"]
    sortable_by = []
    fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
