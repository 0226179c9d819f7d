"""Attachments on any record resource: ``{id}/attachments/`` and ``{id}/attachments/<pk>/``.

A resource's viewset takes ``AttachmentsMixin`` before its ``ScopedViewSet``
base; files are then read and written only through the record, under the
record's rules. Files are never served from ``/media/``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apps.core.api.records import RefField
from apps.core.api.writes import CLIENT_ID_REUSED
from apps.core.errors import Conflict
from apps.files import selectors, services, uploads
from apps.files.models import Attachment
from apps.organizations.permissions import RolePermission

# Room in a multipart body for the boundaries, the part's headers and a long file name.
MULTIPART_OVERHEAD = 64 * 1024


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = RefField(read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "mime", "size", "created_at", "uploaded_by"]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    """The multipart body of an upload; the file itself is judged by ``clean_upload``."""

    client_id = serializers.UUIDField(
        help_text=_(
            "A UUID the client makes once per file: a resent upload with the same one stores "
            "nothing twice and answers 200 with the file stored first."
        )
    )
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class AttachmentPermission(RolePermission):
    """Reading a record's files needs its view right; attaching one is changing the record.

    The scope check on the record is RolePermission's: an ancestor that is
    readable but not writable answers 403 to an upload.
    """

    def action(self, request, view):
        return "change" if request.method == "POST" else None


class AttachmentsMixin:
    """Adds a record's attachments to a ScopedViewSet.

    Hooks a resource may override:

    - ``attachments_readable(obj)``: whether this caller may read the record's
      files (a case: only the roles that read it in full); False is a 403.
    - ``attachments_log_downloads``: True logs each download as a ``Download``
      row before the file is sent, like a full read of the record.
    """

    attachments_log_downloads = False

    def attachments_readable(self, obj) -> bool:
        return True

    @extend_schema(
        summary=_("The record's attachments"),
        responses=AttachmentSerializer(many=True),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="attachments",
        url_name="attachments",
        permission_classes=[AttachmentPermission],
        parser_classes=[MultiPartParser],
        pagination_class=None,
    )
    def attachments(self, request, pk=None):
        record = self._readable_record()
        files = selectors.attachment_list(record=record).select_related("uploaded_by")
        return Response(AttachmentSerializer(files, many=True).data)

    @extend_schema(
        summary=_("Attach a photo (JPEG, PNG, WebP), a PDF or a Word/Excel file"),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 200: AttachmentSerializer},
        filters=False,
    )
    @attachments.mapping.post
    def attachment_upload(self, request, pk=None):
        record = self.get_object()
        _refuse_oversized_body(request)
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        client_id, file = upload.validated_data["client_id"], upload.validated_data["file"]
        digest = services.upload_digest(record, file)
        replay = _replayed_upload(client_id, digest)
        if replay is not None:
            return replay
        try:
            attachment = services.attachment_create(
                by=request.user,
                record=record,
                uploaded_file=file,
                client_id=client_id,
                request_hash=digest,
            )
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        except IntegrityError:  # a racing resend committed first: answer as its replay
            replay = _replayed_upload(client_id, digest)
            if replay is None:
                raise
            return replay
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Download one attachment of the record"),
        parameters=[
            OpenApiParameter(
                "attachment_pk",
                int,
                OpenApiParameter.PATH,
                description=_("The attachment's id, from the record's list of attachments."),
            )
        ],
        responses={
            (200, mime): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The file, with its own content type.")
            )
            for mime in sorted(set(uploads.MIME.values()))
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_pk>[0-9]+)",
        url_name="attachment",
        permission_classes=[AttachmentPermission],
    )
    def attachment(self, request, pk=None, attachment_pk=None):
        record = self._readable_record()
        attachment = get_object_or_404(selectors.attachment_list(record=record), pk=attachment_pk)
        try:
            stream = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise NotFound from exc
        if self.attachments_log_downloads:
            services.download_create(attachment=attachment, by=request.user)
        return _file_response(attachment, stream)

    def perform_content_negotiation(self, request, force=False):
        """A download may be asked for with any Accept header (``image/*``, ``*/*``…).

        The file itself is a FileResponse that no renderer touches; an error
        on the way is rendered as JSON rather than answered 406.
        """
        force = force or self.action == "attachment"
        return super().perform_content_negotiation(request, force=force)

    def _readable_record(self):
        """The record from the scoped queryset (404 outside scope), if its files may be read."""
        record = self.get_object()
        if not self.attachments_readable(record):
            raise PermissionDenied
        return record


def _replayed_upload(client_id, digest: str):
    """The stored file's answer to a resent upload, None for a new one; 409 if the key came
    before with other bytes or for another record."""
    stored = Attachment.objects.filter(client_id=client_id).select_related("uploaded_by").first()
    if stored is None:
        return None
    if stored.request_hash != digest:
        raise Conflict(CLIENT_ID_REUSED, code="client_id_reused")
    return Response(AttachmentSerializer(stored).data, status=status.HTTP_200_OK)


def _refuse_oversized_body(request) -> None:
    """Refuse a body that says it is too large before parsing it.

    Parsing a multipart body spools every byte of the file to a temporary
    file first; a client announcing more than the limit is answered at once.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD:
        raise ValidationError({"file": uploads.too_large().messages})


def _file_response(attachment: Attachment, stream) -> FileResponse:
    """The file as a download, named as the user named it, never cached, never sniffed."""
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.mime,
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
