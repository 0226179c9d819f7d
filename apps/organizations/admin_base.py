"""The scoped admin every app's ModelAdmin is built on."""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from apps.organizations.scoping import has_scope, scoped


class ScopedAdminMixin:
    """Changelists, dropdowns, filters and autocompletes limited to the user's subtree.

    Autocompletes go through the related model's admin ``get_queryset``, so
    they are scoped by that admin's own use of this mixin.
    """

    show_full_result_count = False

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

    def lookup_allowed(self, lookup, value, request=None):
        """Only the list's own filters may be used as URL lookups.

        Django also accepts any lookup on the model's own fields, such as
        ``?id_number__startswith=``, which would let a user probe the digits
        a masked column hides (and put them in a URL).
        """
        filters = {
            f if isinstance(f, str) else f[0] for f in self.list_filter if not isinstance(f, type)
        }
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
