"""Filters for the tree's lists; an organization filter covers its whole subtree."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override

from apps.core.filters import DatedFilterSet, SyncFilterSet
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.scoping import scope_field, scoped


def scoped_organizations(request):
    return scoped(Organization.objects.all(), request.user if request else None)


class OrganizationIdFilter(django_filters.ModelChoiceFilter):
    """An organization named by id; ids outside the caller's subtree do not exist."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the schema: an id, described by this filter's own help text.
        schema = {"type": "integer", "description": self.extra.get("help_text", "")}
        set_override(self, "field", schema)


class RecordFilterSet(SyncFilterSet):
    """The filters every record list has: ``?organization=`` (its subtree) and sync."""

    organization = OrganizationIdFilter(
        label=_("organization"),
        queryset=scoped_organizations,
        method="filter_organization",
        help_text=_(
            "An organization's id: only records of it and of the organizations below it. "
            "An id outside the caller's reach is a 400."
        ),
    )

    def filter_organization(self, queryset, name, value):
        field = scope_field(queryset.model)
        return queryset.filter(**{f"{field}__path__startswith": value.path})


class DatedRecordFilterSet(RecordFilterSet, DatedFilterSet):
    """Also ``?date_after=`` / ``?date_before=`` on the record's own date (``date_field``)."""


class OrganizationFilter(DatedFilterSet):
    date_field = "opened_on"

    within = OrganizationIdFilter(
        label=_("within"),
        queryset=scoped_organizations,
        method="filter_within",
        help_text=_(
            "An organization's id: only it and the organizations below it. "
            "An id outside the caller's reach is a 400."
        ),
    )
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Kind.choices)

    class Meta:
        model = Organization
        fields = ["within", "kind"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path)
