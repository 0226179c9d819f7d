"""The scoped admin every app's ModelAdmin is built on."""

import html

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.core import xlsx_export
from apps.core.admin_services import ServiceAdminMixin
from apps.core.pagination import ChangeListPaginator
from apps.organizations.scoping import has_scope, in_scope, scoped


class ScopedAdminMixin(ServiceAdminMixin):
    """Changelists, dropdowns, filters and autocompletes limited to the user's subtree;
    saves through the app's services (``ServiceAdminMixin``), rolled back when the saved
    record left the subtree.

    Autocompletes go through the related model's admin ``get_queryset``, so
    they are scoped by that admin's own use of this mixin.
    """

    show_full_result_count = False
    actions = ["export_to_excel"]  # an admin that names its own actions lists this one too

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """Counted as the API counts (docs/api.md, Lists), never a COUNT of the whole table."""
        whole_tree = getattr(request.user, "sees_whole_tree", False)
        return ChangeListPaginator(
            queryset, per_page, orphans, allow_empty_first_page, whole_tree=whole_tree
        )

    def action_checkbox(self, obj):
        """Django's checkbox, the same HTML written out: rendering its widget's template for
        each row cost a third of a 100-row page (docs/quality.md, 26)."""
        label = gettext("Select this object for an action - {}").format(html.escape(str(obj)))
        return mark_safe(  # noqa: S308 - the name and label escaped, the rest fixed
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" '
            f'value="{html.escape(str(obj.pk))}" class="action-select" aria-label="{label}">'
        )

    def check_saved(self, request, saved):
        if not in_scope(saved, request.user):
            raise PermissionDenied  # the save's transaction rolls the write back

    @admin.action(permissions=["view"], description=_("Export the selected rows to Excel"))
    def export_to_excel(self, request, queryset):
        """The selected rows as the list shows them: its columns, labels and masks.

        ``queryset`` is the changelist's (scoped, with its ``list_select_related``), so
        ids of other subtrees posted as selected find nothing, and the file takes the
        same fixed number of queries however many rows it has.
        """
        rows = list(queryset[: EXPORT_MAX_ROWS + 1])
        if len(rows) > EXPORT_MAX_ROWS:
            message = _(
                "At most %(max)s rows can be exported at once: narrow the list with its "
                "filters or search, then export again."
            )
            self.message_user(request, message % {"max": f"{EXPORT_MAX_ROWS:,}"}, messages.ERROR)
            return None
        names = [name for name in self.get_list_display(request) if name != "action_checkbox"]
        headers = [str(label_for_field(name, self.model, self)) for name in names]
        opts = self.model._meta
        today = timezone.localdate().strftime("%Y%m%d")
        return xlsx_export.workbook_response(
            f"{opts.verbose_name_plural}_{today}.xlsx",
            headers,
            ([_shown_value(self, name, obj) for name in names] for obj in rows),
            ascii_filename=f"{opts.app_label}_{opts.model_name}_{today}.xlsx",
        )

    def lookup_allowed(self, lookup, value, request=None):
        """Only the list's own filters may be used as URL lookups.

        Django also accepts any lookup on the model's own fields, such as
        ``?id_number__startswith=``, which would let a user probe the digits
        a masked column hides (and put them in a URL).
        """
        if lookup in {
            f.parameter_name
            for f in self.list_filter
            if isinstance(f, type) and issubclass(f, admin.SimpleListFilter)
        }:
            return True  # a filter of our own, which reads its value itself
        filters = {
            f.parameter_name if isinstance(f, type) else f if isinstance(f, str) else f[0]
            for f in self.list_filter
        }  # a filter class by its parameter: Django asks about it too, before it filters
        if self.date_hierarchy:
            filters.add(self.date_hierarchy)
        if lookup.split(LOOKUP_SEP)[0] not in filters:
            return False
        return super().lookup_allowed(lookup, value, request)

    def _scoped_choices(self, db_field, request, kwargs):
        remote = db_field.remote_field.model
        if has_scope(remote):
            queryset = kwargs.get("queryset", remote._default_manager.all())
            kwargs["queryset"] = scoped(queryset, request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


EXPORT_MAX_ROWS = 10_000


def _shown_value(model_admin, name, obj):
    """A changelist cell as a value for Excel: what the list shows, as a date or number if so.

    As Django's ``items_for_result``: a choice by its label, a related record by its name,
    a yes/no in words; HTML that a display method made becomes its text.
    """
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except ObjectDoesNotExist:
        return None
    boolean = getattr(attr, "boolean", False) if field is None else False
    if field is not None:
        if field.flatchoices:
            return dict(field.flatchoices).get(value, value)
        boolean = isinstance(field, models.BooleanField)
    if boolean and value is not None:
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, SafeData):
        return html.unescape(strip_tags(value))
    return value


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """A scoped admin with history; a record outside the subtree has no history page either.

    simple-history falls back to the last historical row when the object is
    not in ``get_queryset``; here that is a 404, so history leaks nothing.
    """

    def history_view(self, request, object_id, extra_context=None):
        if (
            not str(object_id).isdigit()
            or not self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404  # reverting from history is not offered


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass
