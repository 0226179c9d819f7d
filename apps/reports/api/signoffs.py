"""``/api/v1/reports/signoffs/``: the sign-off of a period's figures (docs/reports.md, Sign-off).

GET answers an organization's state for a year or a quarter, the state of the organizations
below it that take part, and the log of their acts; POST confirms, signs off or returns. The
role is checked first (403), the organization must lie in the caller's subtree ("does not
exist" otherwise), and then the service decides whether this account may act on it (403)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from apps.core.api.schema import ConflictSerializer, ErrorSerializer, ValidationErrorSerializer
from apps.core.errors import as_api_error
from apps.organizations.api.base import ScopedPrimaryKeyRelatedField
from apps.organizations.models import Organization
from apps.organizations.permissions import RolePermission
from apps.reports import selectors, signoffs
from apps.reports.api.views import _brief
from apps.reports.choices import SignOffAct, SignOffState
from apps.reports.models import SignOff


def period_field():
    return serializers.CharField(
        max_length=16, help_text=_("A year (2025) or a quarter (2025-Q4) that has ended.")
    )


class PeriodMixin:
    def validate_period(self, value):
        try:
            return signoffs.signoff_period(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class SignOffQuerySerializer(PeriodMixin, serializers.Serializer):
    organization = serializers.IntegerField(
        required=False, min_value=1, help_text=_("An organization of your subtree; yours if none.")
    )
    period = serializers.CharField(
        required=False,
        max_length=16,
        help_text=_("A year (2025) or a quarter (2025-Q4); last year if none."),
    )


class SignOffActSerializer(PeriodMixin, serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        help_text=_("The village, street or district whose figures are acted on."),
    )
    period = period_field()
    action = serializers.ChoiceField(
        choices=SignOffAct.choices,
        help_text=_(
            "confirm: a village confirms its figures; sign: the level above signs them off (a "
            "street or the district its own, once everything below is signed); return: the "
            "street sends a village's figures back, with a reason."
        ),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Why the figures are returned (required to return)."),
    )


def standing_data(found: signoffs.Standing) -> dict:
    """The state as the API sends it: ``state`` is provisional until signed off."""
    signoff = found.signoff
    return {
        "organization": _brief(found.organization),
        "period": found.period.key,
        "state": "signed" if found.signed else "provisional",
        "stage": found.state,
        "signed_at": signoff.signed_at if signoff else None,
        "below": [
            {
                "organization": _brief(organization),
                "stage": row.state if row else SignOffState.OPEN.value,
            }
            for organization, row in found.below
        ],
        "log": [
            {
                "organization": _brief(entry.signoff.organization),
                "action": entry.act,
                "stage": entry.state,
                "by": {"id": entry.by.pk, "name": entry.by.get_full_name()},
                "at": entry.at,
                "reason": entry.reason,
            }
            for entry in found.entries
        ],
    }


ACT_DESCRIPTION = _(
    "A village confirms its own figures (its station operator, staff or administrator); "
    "its street's staff or administrator sign them off or return them with a reason (the "
    "village is sent a notice); a street signs off its own once all its villages are "
    "signed, the district last once all its streets are. Signing freezes the figures. "
    "Repeating the act that led to the present state answers 200 with that state and "
    "writes nothing; a first act answers 201. Not your level to act: 403; the order not "
    "kept or the period signed already: 409."
)
STANDING = inline_serializer(
    "SignOffStanding",
    {
        "organization": serializers.DictField(),
        "period": serializers.CharField(),
        "state": serializers.CharField(help_text=_("provisional, or signed once signed off")),
        "stage": serializers.CharField(help_text=_("open, confirmed, returned or signed")),
        "signed_at": serializers.DateTimeField(allow_null=True),
        "below": serializers.ListField(child=serializers.DictField()),
        "log": serializers.ListField(child=serializers.DictField()),
    },
)


class SignOffViewSet(GenericViewSet):
    """Confirming and signing off a period's figures: every role reads its subtree's states;
    villages confirm, streets and the district sign off (docs/roles.md)."""

    model = SignOff
    serializer_class = SignOffActSerializer  # what OPTIONS describes: the POST's body
    permission_classes = [RolePermission]
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        methods=["GET"],
        summary=_("The sign-off state of an organization's figures for a year or a quarter"),
        description=_(
            "provisional until the final sign-off, then signed (the figures frozen); the stage "
            "(open, confirmed, returned, signed) of the organization and of each village or "
            "street below it, and the log of who confirmed, returned or signed, when and why. "
            "An organization outside your subtree: 404."
        ),
        parameters=[SignOffQuerySerializer],
        responses={
            200: STANDING,
            400: OpenApiResponse(
                ValidationErrorSerializer, description=_("A parameter is not valid.")
            ),
            404: OpenApiResponse(
                ErrorSerializer, description=_("No such organization within your subtree.")
            ),
        },
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Confirm, sign off or return a period's figures"),
        description=ACT_DESCRIPTION,
        request=SignOffActSerializer,
        responses={
            200: STANDING,
            201: STANDING,
            400: OpenApiResponse(ValidationErrorSerializer, description=_("Not valid.")),
            403: OpenApiResponse(
                ErrorSerializer, description=_("Your account may not do this here.")
            ),
            409: OpenApiResponse(
                ConflictSerializer, description=_("Not in this order, or signed off already.")
            ),
        },
    )
    @action(detail=False, methods=["get", "post"])
    def signoffs(self, request):
        if request.method == "POST":
            return self._act(request)
        query = SignOffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = selectors.organization_for_report(
            user=request.user, organization_id=query.validated_data.get("organization")
        )
        period = query.validated_data.get("period") or signoffs.last_year()
        found = signoffs.standing(user=request.user, organization=organization, period=period)
        return Response(standing_data(found), headers={"Cache-Control": "private, no-cache"})

    def _act(self, request):
        data = SignOffActSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        organization = data.validated_data["organization"]
        period = data.validated_data["period"]
        try:
            outcome = signoffs.signoff_act(
                by=request.user,
                organization=organization,
                period=period,
                act=data.validated_data["action"],
                reason=data.validated_data.get("reason", ""),
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        found = signoffs.standing(user=request.user, organization=organization, period=period)
        return Response(standing_data(found), status=201 if outcome.written else 200)
