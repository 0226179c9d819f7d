"""The shapes of the reports API (docs/reports.md, The API)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.reports import periods


class ReportQuerySerializer(serializers.Serializer):
    """What a summary is asked for: an organization of the caller's subtree (its own when
    none is named) and a period (the latest year with data when none is given)."""

    organization = serializers.IntegerField(
        required=False, min_value=1, help_text=_("An organization of your subtree; yours if none.")
    )
    period = serializers.CharField(
        required=False,
        max_length=32,  # a range's own key, as the answer's period.key gives it, is 22
        help_text=_("A year (2023), a quarter (2023-Q2) or a month (2023-05)."),
    )
    date_after = serializers.DateField(
        required=False, help_text=_("The first day of a range (with date_before).")
    )
    date_before = serializers.DateField(
        required=False, help_text=_("The last day of a range (with date_after).")
    )

    def validate(self, data):
        try:
            data["period"] = periods.asked(
                data.get("period"), data.get("date_after"), data.get("date_before")
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError({"period": error.messages}) from error
        return data


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("What to send back as period to ask for it again."))
    kind = serializers.ChoiceField(
        choices=[periods.YEAR, periods.QUARTER, periods.MONTH, periods.RANGE]
    )
    first = serializers.DateField()
    last = serializers.DateField()
    label = serializers.CharField()


class OrganizationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class FiguresField(serializers.DictField):
    """``{domain: {figure: value}}``: a count, a sum (money as a string, exact to the fen), a
    median in days; null where suppressed."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.DictField(child=serializers.JSONField(), allow_empty=True), **kwargs
        )


class PartSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    value = serializers.JSONField(help_text=_("Null where suppressed."))


class ChildSerializer(serializers.Serializer):
    organization = OrganizationBriefSerializer()
    own_level = serializers.BooleanField(
        help_text=_("The row of the organization's own records, beside its children's.")
    )
    figures = FiguresField()


class TrendSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField(), help_text=_("YYYY-MM, in order."))
    figures = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.JSONField()))
    )


class SummarySerializer(serializers.Serializer):
    organization = OrganizationBriefSerializer()
    chain = OrganizationBriefSerializer(
        many=True, help_text=_("Your own organization down to this one: the breadcrumb.")
    )
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    figures = FiguresField(help_text=_("Each figure of the catalogue, by domain."))
    previous = FiguresField(help_text=_("The same figures for the period before."))
    breakdowns = serializers.DictField(
        child=serializers.DictField(child=PartSerializer(many=True)),
        help_text=_("Figures split by a code (events by category, cases by outcome), by domain."),
    )
    children = ChildSerializer(many=True, help_text=_("The figures by child organization."))
    trend = TrendSerializer(
        help_text=_("The additive figures by month, for the twelve months to the period's end.")
    )
    suppressed = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The dotted keys of the figures hidden from your role (null above)."),
    )


class CatalogueEntrySerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("domain.figure, as in the summary."))
    name = serializers.CharField()
    rule = serializers.CharField(help_text=_("The counting rule, written out."))
    unit = serializers.CharField()
    adds_up = serializers.BooleanField(
        help_text=_("Whether the children's figures add up to it (a median does not).")
    )
    sensitive = serializers.BooleanField(
        help_text=_("A case figure: suppressed for leadership where small or not by year.")
    )


class StreetGroupSerializer(serializers.Serializer):
    street = OrganizationBriefSerializer()
    count = serializers.IntegerField()
    organizations = OrganizationBriefSerializer(many=True)


class MissingSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    by_street = StreetGroupSerializer(many=True)


class QuarterShortSerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text=_("2024-Q1"))
    held = serializers.IntegerField()
    required = serializers.IntegerField()


class PositionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=_("The position kind's code."))


class PositionShortSerializer(serializers.Serializer):
    position = PositionBriefSerializer()
    organization = OrganizationBriefSerializer()
    quarters = QuarterShortSerializer(many=True)


class CouncilBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organization = OrganizationBriefSerializer()


class CouncilStreetGroupSerializer(serializers.Serializer):
    street = OrganizationBriefSerializer()
    count = serializers.IntegerField()
    councils = CouncilBriefSerializer(many=True)


class IdleCouncilsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    by_street = CouncilStreetGroupSerializer(many=True)


class CompletenessSerializer(serializers.Serializer):
    period = PeriodSerializer()
    quarters = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The quarters the positions were judged on: wholly in the period, ended."),
    )
    no_events = MissingSerializer(help_text=_("Villages and communities that held no event."))
    no_branch_meetings = MissingSerializer(
        help_text=_("Organizations with a party branch secretary that held no 三会一课.")
    )
    idle_councils = IdleCouncilsSerializer(
        help_text=_("Women's councils sitting in the period that held no meeting in it.")
    )
    positions_short = PositionShortSerializer(
        many=True, help_text=_("Positions that held fewer events than their kind requires.")
    )
