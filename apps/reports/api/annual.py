"""``/api/v1/reports/annual/``: the annual work report's figures (docs/reports.md, The annual
report)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from apps.core.api.schema import ErrorSerializer, ValidationErrorSerializer
from apps.organizations.models import Organization
from apps.organizations.permissions import RolePermission
from apps.reports import annual, selectors
from apps.reports.api.views import _brief, _value

YEAR_MESSAGE = _("Give the year of the report, from 2000 to 2100.")


class AnnualQuerySerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False, min_value=1, help_text=_("An organization of your subtree; yours if none.")
    )
    year = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        help_text=_("The year of the report (2000–2100)."),
        error_messages={
            "required": YEAR_MESSAGE,
            "invalid": YEAR_MESSAGE,
            "min_value": YEAR_MESSAGE,
            "max_value": YEAR_MESSAGE,
        },
    )


def annual_data(found: dict) -> dict:
    """The annual report as the API sends it (the page renders the same ``annual()``)."""
    report = found["report"]
    sections = []
    for section in found["sections"]:
        lines = []
        for line in section["lines"]:
            entry = {
                key: line[key] for key in ("key", "phrase", "name", "rule", "unit", "text", "link")
            }
            entry["value"] = _value(line["value"])
            entry["correction"] = _value(line["correction"])
            if "children" in line:
                entry["children"] = [
                    {
                        "organization": _brief(child["organization"]),
                        "own_level": child["own_level"],
                        "value": _value(child["value"]),
                    }
                    for child in line["children"]
                ]
            lines.append(entry)
        sections.append({"title": section["title"], "lines": lines})
    standing = found["standing"]
    return {
        "organization": _brief(report.organization),
        "year": found["year"],
        "state": "signed" if standing.signed else "provisional",
        "signed_at": standing.signoff.signed_at if standing.signed else None,
        "sections": sections,
        "corrections": {
            line["key"]: _value(line["correction"])
            for section in found["sections"]
            for line in section["lines"]
            if line["correction"] is not None
        },
        "suppressed": found["suppressed"],
    }


class AnnualReportViewSet(GenericViewSet):
    """The figures an annual work report quotes, grouped as the report is: every role reads
    its own subtree's (docs/roles.md), leadership with case figures suppressed and no links."""

    model = Organization  # the right to read one's organizations is the right to its reports
    permission_classes = [RolePermission]
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary=_("The annual work report's figures for an organization and a year"),
        description=_(
            "Each section of the report with its lines: the catalogue key, the counting rule, "
            "the exact value, the text as the report writes it (400余人, 2.35万元) and, for "
            "those who read records, a link to the records the figure counts; leadership get "
            "the figure by child organization instead. Once the year is signed off (state: "
            "signed), each value is the figure frozen at the sign-off and a later change is a "
            "correction beside it. An organization outside your subtree: 404."
        ),
        parameters=[AnnualQuerySerializer],
        responses={
            200: inline_serializer(
                "AnnualReport",
                {
                    "organization": serializers.DictField(),
                    "year": serializers.IntegerField(),
                    "state": serializers.ChoiceField(
                        choices=["provisional", "signed"],
                        help_text=_(
                            "provisional until the year is signed off; then every value is the "
                            "figure frozen at the sign-off"
                        ),
                    ),
                    "signed_at": serializers.DateTimeField(allow_null=True),
                    "sections": serializers.ListField(child=serializers.DictField()),
                    "corrections": serializers.DictField(
                        help_text=_(
                            "By catalogue key: the live figure less the frozen one, where they "
                            "differ now (hidden from leadership like a small case count)"
                        )
                    ),
                    "suppressed": serializers.ListField(child=serializers.CharField()),
                },
            ),
            400: OpenApiResponse(
                ValidationErrorSerializer, description=_("A parameter is not valid.")
            ),
            404: OpenApiResponse(
                ErrorSerializer, description=_("No such organization within your subtree.")
            ),
        },
    )
    @action(detail=False, methods=["get"])
    def annual(self, request):
        query = AnnualQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = selectors.organization_for_report(
            user=request.user, organization_id=query.validated_data.get("organization")
        )
        found = annual.annual(
            request=request, organization=organization, year=query.validated_data["year"]
        )
        return Response(annual_data(found), headers={"Cache-Control": "private, no-cache"})
