"""The admin lists' filters by street and by village: an autocomplete over the account's subtree.

A list adds them with one line, ``list_filter = [*TREE_FILTERS, ...]`` (first, at the top of
the sidebar): filters of our own (``SimpleListFilter``), so
``ScopedAdminMixin.lookup_allowed`` lets their parameters through.
Picking an organization keeps the records of it and of everything below it (a street: all its
villages' records). The organization is looked up in the account's subtree: an id outside it
filters the list to nothing, and its name is never shown. The autocomplete asks
``organization_autocomplete`` below, which offers the subtree's organizations of one kind.
The rule in words: docs/scoping.md, "Filters by street and by village".
"""

from django.contrib import admin
from django.contrib.admin.widgets import get_select2_language
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.validators import ascii_digits
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.scoping import scope_field, scoped

PAGE_SIZE = 20  # organizations per page of the autocomplete, as Django's own
ASSETS_FLAG = "_tree_filter_assets"  # set on the request once a filter has brought its scripts


def organization_label(organization: Organization) -> str:
    """A village with its street, so two villages of one name tell apart; dissolved ones say so."""
    label = organization.name
    if organization.kind == Kind.VILLAGE and organization.street is not None:
        label = gettext("%(name)s (%(street)s)") % {
            "name": organization.name,
            "street": organization.street.name,
        }
    if organization.closed_on is not None:
        label = gettext("%(name)s (dissolved)") % {"name": label}
    return label


def _digits(value) -> int | None:
    return int(value) if ascii_digits(value) and len(value) < 12 else None


class TreeFilter(admin.SimpleListFilter):
    """The records of one organization of ``kind`` and of everything below it, picked by
    typing part of its name. Shown to accounts whose subtree has organizations of that kind
    below their own (``shown_to``), and to anyone whose address names one."""

    kind: str
    shown_to: frozenset[str]
    within_parameter: str | None = None  # another filter whose choice narrows the offers
    template = "admin/organizations/tree_filter.html"

    def __init__(self, request, params, model, model_admin):
        self.request = request
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        """The chosen organization alone, looked up in the account's subtree (one query when
        the list is filtered, none otherwise); the others come from the autocomplete."""
        self.chosen = None
        pk = _digits(self.value())
        if pk is not None:
            organizations = Organization.objects.filter(pk=pk, kind=self.kind)
            self.chosen = scoped(organizations.select_related("street"), request.user).first()
        if self.chosen is None:
            return []
        return [(str(self.chosen.pk), organization_label(self.chosen))]

    def has_output(self):
        if self.value() is not None:
            return True  # so it is applied: a street admin's ?street= of another street is none
        organization = getattr(self.request.user, "organization", None)
        return organization is not None and organization.kind in self.shown_to

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.chosen is None:
            return queryset.none()  # not a number, not of this kind, or outside the subtree
        field = scope_field(queryset.model)
        lookup = f"{field}__path__startswith" if field else "path__startswith"
        return queryset.filter(**{lookup: self.chosen.path})

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": True,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
                "value": value,
            }

    # What the template needs to draw the autocomplete.

    @property
    def autocomplete_url(self) -> str:
        return reverse("organization_autocomplete")

    @property
    def within(self) -> str:
        """The id the offers are narrowed to (the chosen street, for villages), or ""."""
        if self.within_parameter is None:
            return ""
        pk = _digits(self.request.GET.get(self.within_parameter))
        return "" if pk is None else str(pk)

    @property
    def select2_language(self) -> str | None:
        return get_select2_language()

    def brings_assets(self) -> bool:
        """True for the first tree filter drawn on the page: it brings select2 and the script,
        once for all of them."""
        if getattr(self.request, ASSETS_FLAG, False):
            return False
        setattr(self.request, ASSETS_FLAG, True)
        return True


class StreetFilter(TreeFilter):
    title = _("street/township")
    parameter_name = "street"
    kind = Kind.STREET
    shown_to = frozenset({Kind.DISTRICT})


class VillageFilter(TreeFilter):
    title = _("village/community")
    parameter_name = "village"
    kind = Kind.VILLAGE
    shown_to = frozenset({Kind.DISTRICT, Kind.STREET})
    within_parameter = StreetFilter.parameter_name


TREE_FILTERS = (StreetFilter, VillageFilter)
FILTERED_KINDS = {f.kind for f in TREE_FILTERS}


def organization_autocomplete(request):
    """The autocomplete's answer, in select2's shape as Django's own: the account's subtree's
    organizations of ``?kind=`` whose name (or pinyin, or the start of the code) contains
    ``?term=``, in tree order, a page at a time; ``?within=`` narrows them to that
    organization's subtree (the villages of the street chosen). Reached through the admin
    site's login (federation/urls.py)."""
    if not request.user.has_perm("organizations.view_organization"):
        raise PermissionDenied
    kind = request.GET.get("kind")
    if kind not in FILTERED_KINDS:
        return HttpResponseBadRequest()
    organizations = scoped(Organization.objects.filter(kind=kind), request.user)
    within = _digits(request.GET.get("within"))
    if within is not None:
        parent = scoped(Organization.objects.filter(pk=within), request.user).first()
        if parent is None:
            organizations = organizations.none()
        else:
            organizations = organizations.filter(path__startswith=parent.path)
    term = request.GET.get("term", "").strip()
    if "\x00" in term:
        return HttpResponseBadRequest()  # PostgreSQL takes no NUL in text
    if term:
        organizations = organizations.filter(
            Q(name__icontains=term)
            | Q(name_pinyin__icontains=term.lower())
            | Q(code__startswith=term)
        )
    page = _digits(request.GET.get("page")) or 1
    start = (page - 1) * PAGE_SIZE
    found = list(
        organizations.select_related("street").order_by("path")[start : start + PAGE_SIZE + 1]
    )
    return JsonResponse(
        {
            "results": [
                {"id": str(organization.pk), "text": organization_label(organization)}
                for organization in found[:PAGE_SIZE]
            ],
            "pagination": {"more": len(found) > PAGE_SIZE},
        }
    )
