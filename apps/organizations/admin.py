from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.organizations import selectors, services
from apps.organizations.admin_base import ScopedHistoryAdmin
from apps.organizations.admin_filters import TREE_FILTERS
from apps.organizations.choices import Kind, TitleStatus
from apps.organizations.models import Organization, Position, PositionKind, Title, TitleKind
from apps.organizations.scoping import in_scope, scoped

INDENT = "\u3000"  # a full-width space per level of the tree

# Inlines the apps above add to an organization's page (its leadership, from people): the
# organizations app shows them without importing those apps (docs/architecture.md, the layers).
_organization_inlines: list[type] = []


def add_organization_inline(inline: type) -> None:
    """Show ``inline`` on every organization's page; called from an app's admin module."""
    if inline not in _organization_inlines:
        _organization_inlines.append(inline)


@dataclass(frozen=True)
class Figure:
    """A count on an organization's page, of its whole subtree, linked to the list where the
    list can be narrowed to that subtree (``subtree_list_url``)."""

    label: str
    count: int
    url: str | None = None


# Figures the apps above add to an organization's page (its people, from members), the same way
# as inlines: each is ``figures(request, organization) -> list[Figure]``.
_organization_figures: list[Callable] = []


def add_organization_figures(figures: Callable) -> None:
    """Show what ``figures(request, organization)`` returns on every organization's page."""
    if figures not in _organization_figures:
        _organization_figures.append(figures)


# The street and village filters' parameters, by the kind of organization they pick.
TREE_FILTER_PARAMETERS = {f.kind: f.parameter_name for f in TREE_FILTERS}


def subtree_list_url(request, organization, changelist: str, query: str = "") -> str | None:
    """The admin list named ``changelist`` (with ``query``) narrowed to ``organization``'s
    subtree, or None where it cannot be (docs/workbench.md). The account's own organization is
    the whole list; a street or a village is the list's street or village filter
    (``admin_filters.py``, which every list linked to has); a women's committee has no filter."""
    parameters = [query] if query else []
    if organization.pk != request.user.organization_id:
        parameter = TREE_FILTER_PARAMETERS.get(organization.kind)
        if parameter is None:
            return None
        parameters.insert(0, f"{parameter}={organization.pk}")
    url = reverse(f"admin:{changelist}")
    return f"{url}?{'&'.join(parameters)}" if parameters else url


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["parent", "kind", "sector", "name", "code", "opened_on", "closed_on", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.fields.get("parent")
        if parent is not None:
            parent.required = True  # a new root district is made from the shell, not here
            parent.queryset = parent.queryset.exclude(kind=Kind.COMMITTEE)
            parent.label_from_instance = lambda org: f"{INDENT * (org.depth - 1)}{org.name}"

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            raise ValidationError(
                _("An organization cannot be moved under itself or its own subtree.")
            )
        return parent


class OpenFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open")), ("no", _("Dissolved"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(closed_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(closed_on__isnull=False)
        return queryset


@admin.register(Organization)
class OrganizationAdmin(ScopedHistoryAdmin):
    """The tree, indented, with the path to the root; moving is choosing another parent."""

    form = OrganizationForm
    list_display = ["tree_name", "code", "kind", "ancestry_display", "opened_on", "closed_on"]
    list_filter = ["kind", "sector", OpenFilter]
    search_fields = ["name", "code", "name_pinyin"]
    ordering = ["path"]
    list_per_page = 100

    def get_queryset(self, request):
        return selectors.with_ancestry(super().get_queryset(request))

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *_organization_inlines]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """An organization's page also shows the organizations right below it and the counts of
        its subtree (its own, then those the apps above add): a query each."""
        if obj is not None:
            below = Organization.objects.filter(parent=obj).order_by("path")
            context["children"] = list(scoped(below, request.user))
            context["figures"] = [
                *self.figures(request, obj),
                *(
                    figure
                    for add_figures in _organization_figures
                    for figure in add_figures(request, obj)
                ),
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def figures(self, request, organization) -> list[Figure]:
        """The subtree's open positions and awarded titles."""
        positions = Position.objects.filter(
            organization__path__startswith=organization.path, closed_on__isnull=True
        )
        titles = Title.objects.filter(
            organization__path__startswith=organization.path, status=TitleStatus.AWARDED
        )
        return [
            Figure(
                _("open positions"),
                scoped(positions, request.user).count(),
                subtree_list_url(
                    request, organization, "organizations_position_changelist", "open=yes"
                ),
            ),
            Figure(
                _("titles awarded"),
                scoped(titles, request.user).count(),
                subtree_list_url(
                    request, organization, "organizations_title_changelist", "status__exact=awarded"
                ),
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.parent_id and not in_scope(obj.parent, request.user):
            return ["kind", "parent"]  # the top of one's own subtree stays where it is
        return ["kind"]

    @admin.display(description=_("name"), ordering="name_pinyin")
    def tree_name(self, obj):
        return format_html("{}{}", INDENT * (obj.depth - 1), obj.name)

    @admin.display(description=_("path to the root"))
    def ancestry_display(self, obj):
        return " › ".join(obj.ancestry or [])

    service_fields = services.ORGANIZATION_EDITABLE_FIELDS

    def create_object(self, request, form, data):
        parent, kind = form.cleaned_data["parent"], form.cleaned_data["kind"]
        return services.organization_create(parent=parent, kind=kind, **data)

    def update_object(self, request, obj, form, data):
        if "parent" in form.changed_data:
            services.organization_move(organization=obj, parent=form.cleaned_data["parent"])
        return services.organization_update(organization=obj, **data)


@admin.register(TitleKind)
class ReferenceListAdmin(admin.ModelAdmin):
    """Lists staff can extend; a code, once given, does not change."""

    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def _at_the_root(self, request) -> bool:
        """The lists serve the whole district: only its own administrators change them."""
        return request.user.organization.is_root()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._at_the_root(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._at_the_root(request)


@admin.register(PositionKind)
class PositionKindAdmin(ReferenceListAdmin):
    """A kind of position, and the activity each of its positions owes (docs/reports.md,
    Completeness)."""

    list_display = ["name", "code", "events_per_quarter", "sort_order"]


@admin.register(Position)
class PositionAdmin(ScopedHistoryAdmin):
    list_display = ["name", "kind", "organization", "opened_on", "closed_on"]
    list_filter = [*TREE_FILTERS, "kind", OpenFilter]
    list_select_related = ["kind", "organization"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(Title)
class TitleAdmin(ScopedHistoryAdmin):
    list_display = ["kind", "organization", "position", "level", "year", "status"]
    list_filter = [*TREE_FILTERS, "year", "level", "status", "kind"]
    list_select_related = ["kind", "organization", "position"]
    search_fields = ["organization__name", "position__name", "note"]
    autocomplete_fields = ["organization", "position"]
