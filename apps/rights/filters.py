"""Filters of the stations' lists (docs/rights.md): an organization filter covers its subtree."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.organizations.filters import RecordFilterSet
from apps.rights.choices import StaffRole, StationKind
from apps.rights.models import Station, StationStaff
from apps.rights.selectors.stations import open_on


class StationFilter(RecordFilterSet):
    """``?organization=`` (its subtree), ``?kind=``, ``?open_on=YYYY-MM-DD`` (the stations open
    that day), ``?updated_after=``."""

    kind = django_filters.ChoiceFilter(label=_("kind"), choices=StationKind.choices)
    open_on = django_filters.DateFilter(
        label=_("open on"),
        method="filter_open_on",
        help_text=_("A day (YYYY-MM-DD): only the stations open that day (its closing day too)."),
    )

    class Meta:
        model = Station
        fields = ["organization", "kind", "open_on"]

    def filter_open_on(self, queryset, name, value):
        return queryset.filter(open_on(value))


class StationStaffFilter(RecordFilterSet):
    """``?organization=`` (its subtree), ``?station=``, ``?role=``, ``?open_on=``."""

    station = django_filters.NumberFilter(
        label=_("station"), field_name="station_id", help_text=_("A station's id.")
    )
    role = django_filters.ChoiceFilter(label=_("role"), choices=StaffRole.choices)
    open_on = django_filters.DateFilter(
        label=_("working on"),
        method="filter_working_on",
        help_text=_("A day (YYYY-MM-DD): only the terms running that day."),
    )

    class Meta:
        model = StationStaff
        fields = ["organization", "station", "role", "open_on"]

    def filter_working_on(self, queryset, name, value):
        return queryset.filter(started_on__lte=value).exclude(ended_on__lt=value)
