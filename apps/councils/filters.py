"""The councils' list filters: ``?organization=`` covers its subtree, ``?updated_after=`` is the
sync order, ``?date_after=``/``?date_before=`` the period (docs/api.md)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.councils.choices import MeetingMode, TopicStatus
from apps.councils.models import Council, Meeting, Topic
from apps.councils.selectors import overdue_q
from apps.organizations.filters import DatedRecordFilterSet

COUNCIL_HELP = _("A council's id: only its records.")


class CouncilFilter(DatedRecordFilterSet):
    """``?organization=``, dates on the day it was established, ``?updated_after=``."""

    date_field = "established_on"

    class Meta:
        model = Council
        fields = ["organization"]


class MeetingFilter(DatedRecordFilterSet):
    """``?organization=``, ``?council=``, ``?mode=``, dates on the day it was held."""

    date_field = "held_on"

    council = django_filters.NumberFilter(
        label=_("women's council"), field_name="council_id", help_text=COUNCIL_HELP
    )
    mode = django_filters.ChoiceFilter(label=_("mode"), choices=MeetingMode.choices)

    class Meta:
        model = Meeting
        fields = ["organization", "council", "mode"]


class TopicFilter(DatedRecordFilterSet):
    """``?organization=``, ``?council=``, ``?status=``, ``?category=`` (a code),
    ``?overdue=true``, dates on the day it was raised."""

    date_field = "raised_on"

    council = django_filters.NumberFilter(
        label=_("women's council"), field_name="council_id", help_text=COUNCIL_HELP
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=TopicStatus.choices)
    category = django_filters.CharFilter(
        label=_("category"), field_name="category__code", help_text=_("A category's code.")
    )
    overdue = django_filters.BooleanFilter(
        label=_("overdue"),
        method="filter_overdue",
        help_text=_("Assigned or in progress and past its due date (today in Beijing)."),
    )

    class Meta:
        model = Topic
        fields = ["organization", "council", "status", "category", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = overdue_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)
