"""``/api/v1/notices/``: the caller's own notices (docs/notices.md, docs/api.md).

GET the list (``?unread=true`` or ``false``) or one notice; POST ``{id}/read/`` marks it read.
Another account's notice does not exist for the caller (404), a district admin's included.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from apps.notices import services
from apps.notices.models import Notice
from apps.notices.selectors import notice_list
from apps.organizations.permissions import RolePermission

UNREAD_VALUES = {"true": True, "1": True, "false": False, "0": False}
BAD_UNREAD = _("unread is true or false.")


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=_("The caller's notices, newest first"),
        parameters=[
            OpenApiParameter(
                "unread",
                OpenApiTypes.BOOL,
                description=_("true: the unread only; false: the read only."),
            )
        ],
    ),
    retrieve=extend_schema(summary=_("One of the caller's notices")),
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    model = Notice
    serializer_class = NoticeSerializer
    permission_classes = [RolePermission]
    permission_actions = {"read": "change"}
    filter_backends = []

    def get_queryset(self):
        unread = self.request.query_params.get("unread") if self.action == "list" else None
        if unread is not None:
            if unread.lower() not in UNREAD_VALUES:
                raise ValidationError({"unread": [BAD_UNREAD]})
            unread = UNREAD_VALUES[unread.lower()]
        return notice_list(user=self.request.user, unread=unread)

    @extend_schema(summary=_("Mark one of the caller's notices read"), request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = services.notice_read(by=request.user, notice=self.get_object())
        return Response(self.get_serializer(notice).data)
