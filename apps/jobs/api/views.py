"""``/api/v1/jobs/``: the caller's background jobs, read only (docs/jobs.md, docs/api.md).

A job started from the admin or, later, through the API is followed here: its state, how far
it got, and its report or why it failed (in the request's language). Scoped as the admin's My
jobs: one's own jobs; a district admin's, every job of the subtree (``job_list``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.viewsets import GenericViewSet

from apps.jobs.models import Job
from apps.jobs.selectors import job_list
from apps.organizations.permissions import RolePermission


class JobSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(
        choices=Job._meta.get_field("state").choices,
        read_only=True,
        help_text=_("queued, running, succeeded or failed."),
    )
    phase = serializers.ChoiceField(
        choices=Job._meta.get_field("phase").choices,
        allow_blank=True,
        read_only=True,
        help_text=_("checking or storing while it runs; empty before it starts."),
    )
    result = serializers.JSONField(
        read_only=True,
        help_text=_(
            "An import's report once it ends: rows, created, errors ([row, problem], the first "
            "1,000), error_count, message."
        ),
    )
    error = serializers.CharField(read_only=True, help_text=_("Why it failed; empty otherwise."))

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "dry_run",
            "state",
            "phase",
            "done",
            "total",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("The caller's background jobs, newest first")),
    retrieve=extend_schema(summary=_("One background job: its state, progress and result")),
)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    model = Job
    serializer_class = JobSerializer
    permission_classes = [RolePermission]
    filter_backends = []

    def get_queryset(self):
        return job_list(user=self.request.user).order_by("-created_at", "-id")
