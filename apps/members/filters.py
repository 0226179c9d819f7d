import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.members.choices import (
    AppointmentRole,
    BranchMeetingKind,
    Education,
    Gender,
    PoliticalStatus,
)
from apps.members.models import Appointment, BranchMeeting, Member
from apps.organizations.filters import DatedRecordFilterSet, RecordFilterSet


class MemberFilter(RecordFilterSet):
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"),
        lookup_expr="icontains",
        help_text=_("Part of the name."),
    )
    gender = django_filters.ChoiceFilter(label=_("gender"), choices=Gender.choices)
    political_status = django_filters.ChoiceFilter(
        label=_("political status"), choices=PoliticalStatus.choices
    )
    education = django_filters.ChoiceFilter(label=_("education"), choices=Education.choices)

    class Meta:
        model = Member
        fields = ["organization", "name", "gender", "political_status", "education"]


class AppointmentFilter(RecordFilterSet):
    role = django_filters.ChoiceFilter(label=_("role"), choices=AppointmentRole.choices)
    current = django_filters.BooleanFilter(
        label=_("current"),
        method="filter_current",
        help_text=_("true: terms running today; false: terms that have ended."),
    )

    class Meta:
        model = Appointment
        fields = ["organization", "role", "current"]

    def filter_current(self, queryset, name, value):
        return queryset.current() if value else queryset.past()


class BranchMeetingFilter(DatedRecordFilterSet):
    """``?organization=`` (its subtree), ``?kind=``, ``?date_after=``/``?date_before=`` on the day
    it was held, ``?updated_after=``."""

    date_field = "held_on"

    kind = django_filters.ChoiceFilter(label=_("kind"), choices=BranchMeetingKind.choices)

    class Meta:
        model = BranchMeeting
        fields = ["organization", "kind"]
