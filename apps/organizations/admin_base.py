"""The scoped admin every app's ModelAdmin is built on."""

import functools
import html
from collections.abc import Callable
from typing import NamedTuple

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.core import xlsx_export
from apps.core.admin_services import ServiceAdminMixin
from apps.core.audit import export_log_write
from apps.core.identity import mask_id_number, mask_phone
from apps.core.pagination import ChangeListPaginator
from apps.core.validators import ascii_digits
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

    def get_changelist_instance(self, request):
        """Django's, kept on the request: the export's title names the list's filters."""
        changelist = super().get_changelist_instance(request)
        request.export_changelist = changelist
        return changelist

    @admin.action(permissions=["view"], description=_("Export the selected rows to Excel"))
    def export_to_excel(self, request, queryset):
        """The selected rows, every column of the record, masked as lists mask them
        (docs/identity.md, Exports), on a named sheet under a title row; logged.

        ``queryset`` is the changelist's (scoped, with its ``list_select_related``), so
        ids of other subtrees posted as selected find nothing, and the file takes the
        same fixed number of queries however many rows it has.
        """
        handed_on = _large_export is not None
        rows = self.export_rows(request, queryset, refuse=not handed_on)
        if rows is None:
            if handed_on:  # too many for a request: a background job's (docs/jobs.md)
                return _large_export(self, request, queryset, self.get_export_filters(request))
            return None
        sheet = self.export_sheet(request, rows, filters=self.get_export_filters(request))
        export_log_write(by=request.user, records=rows)
        opts = self.model._meta
        today = timezone.localdate().strftime("%Y%m%d")
        return xlsx_export.workbook_response(
            f"{opts.verbose_name_plural}_{today}.xlsx",
            [sheet],
            ascii_filename=f"{opts.app_label}_{opts.model_name}_{today}.xlsx",
        )

    def get_export_columns(self, request) -> list["ExportColumn"]:
        """The list's columns as the list shows them (masked), then every other field of the
        record but the internal ones (``EXPORT_INTERNAL_FIELDS``) and a column the list
        already has under the same heading. No birth date beside an ID number: the
        numbers are masked in every export (docs/identity.md, Exports)."""
        names = [name for name in self.get_list_display(request) if name != "action_checkbox"]
        columns = [
            ExportColumn(
                header=str(label_for_field(name, self.model, self)),
                value=functools.partial(_shown_value, self, name),
                related=_foreign_key(self.model, name),
            )
            for name in names
        ]
        shown = {_heading(column.header) for column in columns}
        fields = {field.name for field in self.model._meta.concrete_fields}
        for field in self.model._meta.concrete_fields:
            if field.primary_key or field.name in EXPORT_INTERNAL_FIELDS:
                continue
            if field.name == "birth_date" and "id_number" in fields:
                continue  # the hidden middle of the masked number
            header = str(field.verbose_name)
            if _heading(header) in shown:
                continue
            shown.add(_heading(header))
            related = field.name if field.is_relation else None
            value = functools.partial(_field_value, field)
            columns.append(ExportColumn(header=header, value=value, related=related))
        return columns

    def get_export_filters(self, request) -> list[str]:
        """The list's filters in force, as "title: choice", and its search."""
        changelist = getattr(request, "export_changelist", None)
        if changelist is None:
            return []
        said = []
        for spec in changelist.filter_specs:
            if not getattr(spec, "used_parameters", None):
                continue
            chosen = [str(c["display"]) for c in spec.choices(changelist) if c["selected"]]
            said.append(filter_text(spec.title, "、".join(chosen)))
        if changelist.query:
            said.append(gettext("search: “%(text)s”") % {"text": changelist.query})
        return said

    def export_rows(self, request, queryset, *, refuse=True, limit=None) -> list | None:
        """The rows to export, with the related records the columns name (one query, on the
        changelist's queryset or any other, as the roster's); None past ``limit`` rows
        (``EXPORT_MAX_ROWS``), with a message if ``refuse``."""
        limit = EXPORT_MAX_ROWS if limit is None else limit
        related = [column.related for column in self.get_export_columns(request)]
        if isinstance(self.list_select_related, list | tuple):
            related += self.list_select_related  # what the list's display methods read
        queryset = queryset.select_related(*[name for name in related if name])
        rows = list(queryset[: limit + 1])
        if len(rows) > limit:
            if not refuse:
                return None
            message = _(
                "At most %(max)s rows can be exported at once: narrow the list with its "
                "filters or search, then export again."
            )
            self.message_user(request, message % {"max": f"{EXPORT_MAX_ROWS:,}"}, messages.ERROR)
            return None
        return rows

    def export_sheet(self, request, rows, *, filters: list[str]) -> xlsx_export.Sheet:
        """``rows`` as a sheet named after the model, under a title: the account's
        organization, what the sheet holds, the filters in force, the date and the count."""
        columns = self.get_export_columns(request)
        name = str(capfirst(self.model._meta.verbose_name_plural))
        today = date_format(timezone.localdate(), "DATE_FORMAT")
        parts = [
            str(request.user.organization),
            name,
            gettext("filters: %(filters)s") % {"filters": "；".join(filters)}
            if filters
            else gettext("no filters"),
            gettext("exported on %(date)s") % {"date": today},
            ngettext("%(count)s row", "%(count)s rows", len(rows)) % {"count": len(rows)},
        ]
        return xlsx_export.Sheet(
            name=name,
            title=" · ".join(parts),
            headers=[column.header for column in columns],
            rows=([_tidy(column.value(obj)) for column in columns] for obj in rows),
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


EXPORT_MAX_ROWS = 10_000  # in the request; more through a background job, if connected

# A selection past EXPORT_MAX_ROWS is handed to this, when an app above connects one:
# ``handler(model_admin, request, queryset, filters) -> HttpResponse`` (apps/jobs: a background
# export, docs/jobs.md). Without one it is refused with a message.
_large_export = None


def connect_large_export(handler) -> None:
    global _large_export  # one handler, set once when the apps are ready
    _large_export = handler


# Fields no export shows (docs/identity.md, Exports): the machinery of sync and replays (the
# client's key and request hash, the version), the deletion marks (an export has living rows
# only), a sort key, the tree's own columns (its parent and path to the root say the same in
# words), and secrets or keys (a password, a token's digest and prefix, a number's hash). The
# primary key is left out too: an id means nothing on paper.
EXPORT_INTERNAL_FIELDS = frozenset(
    {
        "client_id",
        "request_hash",
        "version",
        "deleted_at",
        "merged_into",
        "name_pinyin",
        "path",
        "depth",
        "numchild",
        "password",
        "digest",
        "token_key",
        "number_key",
        "notices_seen_at",
    }
)
# A field of these names is masked wherever an export finds it, as the lists mask it, to every
# role: full numbers are read on a person's own page only (docs/identity.md, Exports).
EXPORT_MASKS = {"id_number": mask_id_number, "phone": mask_phone}
# The indentation a list draws a tree with: the page's, not the cell's.
PADDING = " \t\u00a0\u3000—"


class ExportColumn(NamedTuple):
    header: str
    value: Callable[[models.Model], object]
    related: str | None = None  # a foreign key to read with the rows


def filter_text(title, choice) -> str:
    """A filter in force, as an export's title names it: "性别：女"."""
    return gettext("%(filter)s: %(choice)s") % {"filter": title, "choice": choice}


def _foreign_key(model, name: str) -> str | None:
    """``name`` if it is a foreign key of ``model`` (read with the rows), else None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return name if field.many_to_one else None


def _heading(header: str) -> str:
    return header.strip().casefold()


def _tidy(value):
    """A cell's value: text without the padding a list indents it with; blank as empty."""
    if isinstance(value, models.Model | Promise):
        value = str(value)
    if isinstance(value, str):
        return value.lstrip(PADDING).rstrip() or None
    return value


def _field_value(field, obj):
    """A field as an export shows it: masked, a choice by its label, a related record by
    its name, a yes/no in words."""
    if field.is_relation:
        return getattr(obj, field.name)
    value = getattr(obj, field.attname)
    if field.name in EXPORT_MASKS:
        return EXPORT_MASKS[field.name](value or "")
    if field.flatchoices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.BooleanField) and value is not None:
        return gettext("Yes") if value else gettext("No")
    return value


def _shown_value(model_admin, name, obj):
    """A changelist cell as a value for Excel: what the list shows, as a date or number if so.

    As Django's ``items_for_result``: a choice by its label, a related record by its name,
    a yes/no in words; HTML that a display method made becomes its text. A column that is an
    ID number or phone field itself is masked.
    """
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except ObjectDoesNotExist:
        return None
    boolean = getattr(attr, "boolean", False) if field is None else False
    if field is not None:
        if field.name in EXPORT_MASKS:
            return EXPORT_MASKS[field.name](value or "")
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
            not ascii_digits(str(object_id))
            or not self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404  # reverting from history is not offered


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass
