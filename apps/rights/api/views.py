"""Stations and their staff, and the coverage of villages, through the API (docs/rights.md)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.schema import ValidationErrorSerializer
from apps.organizations.api.base import ScopedViewSet
from apps.rights.api.serializers import (
    CoverageQuerySerializer,
    CoverageSerializer,
    StationSerializer,
    StationStaffSerializer,
)
from apps.rights.filters import StationFilter, StationStaffFilter
from apps.rights.models import Station, StationStaff
from apps.rights.selectors import stations as selectors
from apps.rights.services import stations as services


@extend_schema_view(
    list=extend_schema(summary=_("Rights-protection stations of the caller's subtree")),
    retrieve=extend_schema(summary=_("One rights-protection station")),
    create=extend_schema(summary=_("Open a rights-protection station")),
    partial_update=extend_schema(
        summary=_("Change a rights-protection station, or close it (send the version you read)")
    ),
)
class StationViewSet(ScopedViewSet):
    model = Station
    serializer_class = StationSerializer
    filterset_class = StationFilter

    def get_queryset(self):
        return selectors.station_list(user=self.request.user)

    def create_object(self, data):
        return services.station_create(by=self.request.user, **data)

    def update_object(self, instance, data):
        return services.station_update(by=self.request.user, station=instance, **data)

    @extend_schema(
        summary=_("Coverage: the villages and communities with an open station or post"),
        parameters=[
            OpenApiParameter(
                "organization",
                int,
                description=_("An organization's id of the caller's subtree (default: its own)."),
            ),
            OpenApiParameter("on", str, description=_("A day, YYYY-MM-DD (default: today).")),
        ],
        responses={
            200: CoverageSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer, description=_("A filter's value is not valid.")
            ),
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def coverage(self, request):
        query = CoverageQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        organization = query.validated_data.get("organization") or request.user.organization
        found = selectors.coverage(
            user=request.user, organization=organization, on=query.validated_data.get("on")
        )
        answer = {
            "on": found.on,
            "villages": found.villages,
            "covered": found.covered,
            "share": found.share,
            "without": found.without,
        }
        return Response(CoverageSerializer(answer).data)


@extend_schema_view(
    list=extend_schema(summary=_("The staff of the subtree's stations")),
    retrieve=extend_schema(summary=_("One staff member's term at a station")),
    create=extend_schema(summary=_("Add a person to a station's staff")),
    partial_update=extend_schema(
        summary=_("Change or end a staff member's term (send the version you read)")
    ),
)
class StationStaffViewSet(ScopedViewSet):
    model = StationStaff
    serializer_class = StationStaffSerializer
    filterset_class = StationStaffFilter

    def get_queryset(self):
        return selectors.station_staff_list(user=self.request.user)

    def create_object(self, data):
        data.pop("organization", None)  # the station's, set by the service
        return services.station_staff_add(by=self.request.user, **data)

    def update_object(self, instance, data):
        data.pop("organization", None)
        return services.station_staff_update(by=self.request.user, staff=instance, **data)
