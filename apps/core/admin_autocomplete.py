"""Autocompletes in admin inlines that cost one query for all their rows, not one per row.

Django's ``AutocompleteSelect`` renders the option already chosen by querying
the related model, once per widget: an inline of 20 rows makes 20 queries. Here
the formset loads the chosen options of all its rows at once and hands each
widget the labels; a widget rendered alone (the empty row for "add another")
still asks Django's way, which for no value is no query.
"""

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An ``AutocompleteSelect`` that renders its chosen option from ``labels`` when given:
    {value as a string: label}, loaded by ``PreloadedAutocompleteFormSetMixin``."""

    labels: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        if self.labels is None:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for chosen in (str(v) for v in value):
            if chosen in self.labels:
                options.append(
                    self.create_option(name, chosen, self.labels[chosen], True, len(options))
                )
        return [(None, options, 0)]


class PreloadedAutocompleteInlineMixin:
    """An inline whose autocomplete fields use ``PreloadedAutocompleteSelect`` (its formset
    must use ``PreloadedAutocompleteFormSetMixin``)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PreloadedAutocompleteFormSetMixin:
    """Loads the chosen options of every row's ``PreloadedAutocompleteSelect``: one query per
    such field, from the field's own (scoped) queryset."""

    @cached_property
    def forms(self):
        forms = super().forms
        if not forms:
            return forms
        for name, field in forms[0].fields.items():
            if isinstance(_unwrapped(field.widget), PreloadedAutocompleteSelect):
                labels = _labels(field, [form[name].value() for form in forms])
                for form in forms:
                    _unwrapped(form.fields[name].widget).labels = labels
        return forms


def _unwrapped(widget):
    """The widget inside the admin's ``RelatedFieldWidgetWrapper`` (the add/change links)."""
    return getattr(widget, "widget", widget)


def _labels(field, values) -> dict[str, str]:
    """{value: label} of the records ``values`` name; a value that names none is left out, as
    Django leaves out what its query does not find."""
    key = field.to_field_name or field.queryset.model._meta.pk.name
    model_field = field.queryset.model._meta.get_field(key)
    wanted = set()
    for value in values:
        if value in field.empty_values:
            continue
        try:
            wanted.add(model_field.to_python(value))
        except ValidationError:
            continue
    if not wanted:
        return {}
    return {
        str(getattr(obj, model_field.attname)): field.label_from_instance(obj)
        for obj in field.queryset.filter(**{f"{key}__in": wanted})
    }
