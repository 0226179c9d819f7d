"""Filters for the tree's lists; an organization filter covers its whole subtree."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.scoping import scoped


def scoped_organizations(request):
    return scoped(Organization.objects.all(), request.user if request else None)


class OrganizationFilter(django_filters.FilterSet):
    within = django_filters.ModelChoiceFilter(
        label=_("within"),
        queryset=scoped_organizations,
        method="filter_within",
        help_text=_("Only this organization and those below it."),
    )
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Kind.choices)

    class Meta:
        model = Organization
        fields = ["within", "kind"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path)
