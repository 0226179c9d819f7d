"""``/api/v1/reports/…``: the catalogue of figures and the summary (docs/reports.md)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from apps.core.api.schema import ErrorSerializer, ValidationErrorSerializer
from apps.organizations.models import Organization
from apps.organizations.permissions import RolePermission
from apps.reports import completeness as completeness_selectors
from apps.reports import selectors
from apps.reports.api.serializers import (
    CatalogueEntrySerializer,
    CompletenessSerializer,
    ReportQuerySerializer,
    SummarySerializer,
)
from apps.reports.catalogue import BREAKDOWNS, FIGURES


def _value(value):
    """Money as a string exact to the fen; a median to one decimal; counts as they are."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, float):
        return round(value, 1)
    return value


def _by_domain(values: dict) -> dict:
    found: dict = {}
    for key, value in values.items():
        domain, name = key.split(".", 1)
        found.setdefault(domain, {})[name] = _value(value)
    return found


def _brief(organization: Organization) -> dict:
    return {"id": organization.pk, "name": organization.name, "kind": organization.kind}


def _period(period) -> dict:
    return {
        "key": period.key,
        "kind": period.kind,
        "first": period.first,
        "last": period.last,
        "label": str(period.label),
    }


def summary_data(found: selectors.Report) -> dict:
    """The report as the API sends it (the Excel export reads the same ``Report``)."""
    breakdowns: dict = {}
    for breakdown in BREAKDOWNS:
        domain, name = breakdown.key.split(".", 1)
        breakdowns.setdefault(domain, {})[name] = [
            {"code": part.code, "name": part.name, "value": _value(part.value)}
            for part in found.breakdowns[breakdown.key]
        ]
    return {
        "organization": _brief(found.organization),
        "chain": [_brief(organization) for organization in found.chain],
        "period": _period(found.period),
        "previous_period": _period(found.previous_period),
        "figures": _by_domain(found.values),
        "previous": _by_domain(found.previous),
        "breakdowns": breakdowns,
        "children": [
            {
                "organization": _brief(row.organization),
                "own_level": row.own_level,
                "figures": _by_domain(row.values),
            }
            for row in found.rows
        ],
        "trend": {
            "months": [f"{month:%Y-%m}" for month in found.months],
            "figures": _by_domain(
                {key: [_value(v) for v in series] for key, series in found.trend.items()}
            ),
        },
        "suppressed": found.suppressed,
    }


def completeness_data(found) -> dict:
    def groups(found_groups):
        return {
            "count": sum(group.count for group in found_groups),
            "by_street": [
                {
                    "street": _brief(group.street),
                    "count": group.count,
                    "organizations": [_brief(o) for o in group.organizations],
                }
                for group in found_groups
            ],
        }

    return {
        "period": _period(found.period),
        "quarters": [quarter.key for quarter in found.quarters],
        "no_events": groups(found.no_events),
        "no_branch_meetings": groups(found.no_branch_meetings),
        "idle_councils": {
            "count": found.idle_councils_count,
            "by_street": [
                {
                    "street": _brief(group.street),
                    "count": group.count,
                    "councils": [
                        {"id": c.pk, "name": c.name, "organization": _brief(c.organization)}
                        for c in group.organizations
                    ],
                }
                for group in found.idle_councils
            ],
        },
        "positions_short": [
            {
                "position": {
                    "id": short.position.pk,
                    "name": short.position.name,
                    "kind": short.position.kind.code,
                },
                "organization": _brief(short.position.organization),
                "quarters": [
                    {"quarter": q.quarter.key, "held": q.held, "required": q.required}
                    for q in short.quarters
                ],
            }
            for short in found.positions_short
        ],
    }


class ReportViewSet(GenericViewSet):
    """Figures about the caller's subtree, never records: every role reads the reports of its
    own scope (docs/roles.md), leadership with its case figures suppressed."""

    model = Organization  # the right to read one's organizations is the right to its reports
    permission_classes = [RolePermission]
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary=_("Every figure of an organization's subtree for a period"),
        description=_(
            "The catalogue's figures (GET reports/catalogue/) for the organization and the period, "
            "the period before, each child organization and the twelve months to the period's "
            "end. For leadership, case figures are by year only and counts of 1–4 are hidden: "
            "null, with their dotted keys under suppressed. An organization outside your "
            "subtree: 404."
        ),
        parameters=[ReportQuerySerializer],
        responses={
            200: SummarySerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer, description=_("A parameter is not valid.")
            ),
            404: OpenApiResponse(
                ErrorSerializer, description=_("No such organization within your subtree.")
            ),
        },
    )
    @action(detail=False, methods=["get"])
    def summary(self, request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        organization = selectors.organization_for_report(
            user=user, organization_id=query.validated_data.get("organization")
        )
        period = query.validated_data.get("period")
        if period is None:
            period = selectors.periods.year(
                selectors.latest_year(user=user, organization=organization)
            )
        found = selectors.report(user=user, organization=organization, period=period)
        return Response(summary_data(found), headers={"Cache-Control": "private, no-cache"})

    @extend_schema(
        summary=_("Who has not reported in a period"),
        description=_(
            "The villages and communities of the organization's subtree that held no event in "
            "the period, the party branches that held no 三会一课, each by street, and the "
            "positions that held fewer events than their kind requires in a quarter of the "
            "period that has ended. An organization outside your subtree: 404."
        ),
        parameters=[ReportQuerySerializer],
        responses={
            200: CompletenessSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer, description=_("A parameter is not valid.")
            ),
            404: OpenApiResponse(
                ErrorSerializer, description=_("No such organization within your subtree.")
            ),
        },
    )
    @action(detail=False, methods=["get"])
    def completeness(self, request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        organization = selectors.organization_for_report(
            user=user, organization_id=query.validated_data.get("organization")
        )
        period = query.validated_data.get("period") or selectors.periods.year(
            selectors.latest_year(user=user, organization=organization)
        )
        found = completeness_selectors.completeness(
            user=user, organization=organization, period=period
        )
        return Response(completeness_data(found))

    @extend_schema(
        summary=_("The catalogue of figures: each figure's key, name and counting rule"),
        responses={200: CatalogueEntrySerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def catalogue(self, request):
        entries = [
            {
                "key": figure.key,
                "name": str(figure.name),
                "rule": str(figure.rule),
                "unit": str(figure.unit),
                "adds_up": figure.adds_up,
                "sensitive": figure.source.sensitive,
            }
            for figure in FIGURES
        ]
        return Response(CatalogueEntrySerializer(entries, many=True).data)
