import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.members.choices import Education, Gender, PoliticalStatus
from apps.members.models import Member
from apps.organizations.filters import RecordFilterSet


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
