"""Filters every list shares: sync by ``updated_after`` and inclusive calendar dates.

Dates are calendar days in the server's zone (Asia/Shanghai): a record made
at 23:30 Beijing time on 1 May is in ``?date_before=2024-05-01``.
"""

from datetime import UTC, datetime, time, timedelta

import django_filters
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from apps.core.models import SoftDeletableModel


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned to UTC; an offset PostgreSQL can't take (beyond ±15:59) or a
    time that leaves the calendar once turned is a 400, not a database error."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(_("Enter a valid date/time."), code="invalid") from exc


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class SyncFilterSet(django_filters.FilterSet):
    """``?updated_after=`` (inclusive): rows in (updated_at, id) order, deletions included.

    Without it, soft-deleted rows are left out of lists and detail pages alike.
    """

    updated_after = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("updated after"),
        help_text=_(
            "Only records changed at or after this time, oldest first, deleted ones included. "
            "Ask from your last sync time minus five minutes."
        ),
    )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("updated_after") is not None:
            return queryset.order_by("updated_at", "pk")
        return self.unfiltered(queryset)

    def unfiltered(self, queryset):
        """What ``filter_queryset`` leaves of ``queryset`` when no filter is asked for. A
        subclass whose ``filter_queryset`` does more says so here too
        (tests/core/test_filters.py compares the two for every list's filters)."""
        if issubclass(queryset.model, SoftDeletableModel):
            queryset = queryset.alive()
        return queryset

    def sends_no_filter(self) -> bool:
        """Whether the request names none of the filters (a parameter that begins with a
        filter's name counts, as a range's ``…_after`` would). Then there is nothing to check
        and nothing to filter by, and no form is built: a third of a millisecond of every
        plain list page (docs/api-machinery.md, Lists)."""
        return not any(key.startswith(name) for key in self.data for name in self.filters)

    def is_valid(self):
        return (self.is_bound and self.sends_no_filter()) or super().is_valid()

    @property
    def qs(self):
        if self.is_bound and self.sends_no_filter():
            return self.unfiltered(self.queryset.all())
        return super().qs


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class DatedFilterSet(SyncFilterSet):
    """``?date_after=`` / ``?date_before=``: inclusive days on the record's own date.

    A subclass names that field in ``date_field``. A datetime is compared with
    the day's bounds in the server's zone, so the index on it is still used.
    """

    date_field = None

    date_after = django_filters.DateFilter(
        method="filter_date_after",
        label=_("on or after"),
        help_text=_("Only records dated this day (YYYY-MM-DD) or later: the day is included."),
    )
    date_before = django_filters.DateFilter(
        method="filter_date_before",
        label=_("on or before"),
        help_text=_("Only records dated this day (YYYY-MM-DD) or earlier: the day is included."),
    )

    def _is_datetime(self, queryset):
        return isinstance(queryset.model._meta.get_field(self.date_field), models.DateTimeField)

    def filter_date_after(self, queryset, name, value):
        bound = day_start(value) if self._is_datetime(queryset) else value
        return queryset.filter(**{f"{self.date_field}__gte": bound})

    def filter_date_before(self, queryset, name, value):
        if self._is_datetime(queryset):
            return queryset.filter(**{f"{self.date_field}__lt": day_start(value + timedelta(1))})
        return queryset.filter(**{f"{self.date_field}__lte": value})
