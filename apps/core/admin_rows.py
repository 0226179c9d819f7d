"""A changelist's rows as Django's admin renders them, with the work per column done once.

Django's ``items_for_result`` decides, for every cell of every row, what kind of column it
is: it looks the name up among the model's fields (an exception for each display method),
builds the choices' dict again, reverses the row's URL, re-reads the kept filters and
formats each cell twice. A page of 100 people spent more on that than on its queries and
rows together (docs/quality.md, 26). Here each column is worked out once per page, and a
row costs only its values. The HTML is Django's to the byte (tests/core/test_admin_rows.py
compares the two for every admin of the site); a popup or an editable list is left to Django.
"""

import html
from collections.abc import Callable, Iterator
from datetime import date, time

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    items_for_result,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

PK_MARK = "__pk__"  # stands for the row's id in the change URL, worked out once a page


def _escaped(value) -> str:
    """Django's ``conditional_escape`` without its lazy-string wrapper around every call."""
    if isinstance(value, Promise):
        value = str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _shown(value):
    return "" if isinstance(value, str) and value.strip() == "" else value


def _flags(attr, empty) -> tuple[bool, str]:
    """(boolean, empty value display) as a display function or property declares them."""
    if isinstance(attr, property) and hasattr(attr, "fget"):
        boolean = getattr(attr.fget, "boolean", False)
    else:
        boolean = getattr(attr, "boolean", False)
    return boolean, getattr(attr, "empty_value_display", empty)


def _value_cell(get, attr, empty, checkbox=False) -> Callable:
    boolean, empty = _flags(attr, empty)

    def cell(obj):
        value = _shown(get(obj))
        if value.__class__ is str and not boolean:  # display_for_value's answer, sooner
            return (value or empty), None
        shown = display_for_value(value, empty, boolean)
        if checkbox:
            return shown, "action-checkbox"
        return shown, "nowrap" if isinstance(value, date | time) else None

    return cell


def _attribute_cell(cl, name, empty) -> Callable:
    """A display method, a callable or an attribute: Django's ``lookup_field`` without
    looking among the fields again for every row."""
    model_admin = cl.model_admin
    if callable(name):
        return _value_cell(name, name, empty)
    if hasattr(model_admin, name) and name != "__str__":
        method = getattr(model_admin, name)
        return _value_cell(method, method, empty, checkbox=name == "action_checkbox")

    def cell(obj):  # an attribute of the row, perhaps through others: Django's own look-up
        _field, attr, value = lookup_field(name, obj, model_admin)
        return _value_cell(lambda obj: value, attr, empty)(obj)

    return cell


def _field_cell(field, empty, link) -> Callable:
    nowrap = "nowrap" if isinstance(field, models.DateField | models.TimeField) else None
    if isinstance(field.remote_field, models.ManyToOneRel):
        name = field.name

        def related(obj):
            value = getattr(obj, name)
            return (empty if value is None else value), "nowrap"

        return related
    name = field.name

    def shown(obj):
        return display_for_field(_shown(getattr(obj, name)), field, empty, avoid_link=link)

    if getattr(field, "flatchoices", None):
        try:  # each label translated and escaped once a page, not once a row
            choices = {key: mark_safe(_escaped(label)) for key, label in field.flatchoices}  # noqa: S308
        except TypeError:  # list-like choices
            return lambda obj: (shown(obj), nowrap)

        def chosen(obj):
            try:
                return choices.get(_shown(getattr(obj, name)), empty), nowrap
            except TypeError:  # an unhashable value: Django's way
                return shown(obj), nowrap

        return chosen
    return lambda obj: (shown(obj), nowrap)


def _column(cl, name, link: bool) -> Callable:
    """cell(obj) -> (shown value, extra class or None) for one column of ``list_display``."""
    empty = cl.model_admin.get_empty_value_display()
    try:
        field = _get_non_gfk_field(cl.model._meta, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        cell = _attribute_cell(cl, name, empty)
    else:
        if field.auto_created:
            cell = _value_cell(lambda obj: getattr(obj, name), None, empty)
        else:
            cell = _field_cell(field, empty, link)

    def guarded(obj):
        try:
            return cell(obj)
        except ObjectDoesNotExist:
            return empty, None

    return guarded


def _links(cl) -> Callable | None:
    """url(obj) for the link to a row's page, the kept filters with it; None where Django's
    own look-up is needed (ids that are not integers)."""
    opts = cl.opts
    try:
        marked = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=(PK_MARK,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None
    marked = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": opts}, marked
    )
    return lambda obj: marked.replace(PK_MARK, str(obj.pk), 1)  # integer ids only


def _django_link(cl, obj):
    try:
        url = cl.url_for_result(obj)
    except NoReverseMatch:
        return None
    return add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)


def results(cl) -> Iterator[ResultList]:
    """The rows of ``cl.result_list``, each one safe string of cells (the template joins a
    row's items with nothing between them)."""
    if cl.formset or cl.is_popup:
        yield from (ResultList(None, items_for_result(cl, obj, None)) for obj in cl.result_list)
        return
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        link = cl.list_display_links is not None and (
            (first and not cl.list_display_links) or name in cl.list_display_links
        )
        tag = ("th" if first else "td") if link else "td"
        first = first and not link
        css = f"field-{_coerce_field_name(name, index)}"
        columns.append((css, tag, link, _column(cl, name, link)))
    fast_link = _links(cl)
    linked = any(link for _, _, link, _ in columns)
    for obj in cl.result_list:
        url = None
        if linked:
            fast = fast_link is not None and isinstance(obj.pk, int)
            url = fast_link(obj) if fast else _django_link(cl, obj)
        cells = []
        for css, tag, link, cell in columns:
            shown, extra = cell(obj)
            if extra == "action-checkbox":
                css = extra
            elif extra:
                css = f"{css} {extra}"
            shown = _escaped(shown)
            if link and url is not None:
                shown = f'<a href="{_escaped(url)}">{shown}</a>'
            cells.append(f'<{tag} class="{css}">{shown}</{tag}>')
        yield ResultList(None, [mark_safe("".join(cells))])  # noqa: S308 - every part escaped


def result_list(cl) -> dict:
    """Django's ``result_list`` context, with the rows from ``results`` above."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(results(cl)),
    }
