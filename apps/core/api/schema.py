"""How the shared machinery appears in the OpenAPI schema: the replayed create's 200, every
error an operation can answer (each a named schema), and the headers the machinery sends
(If-Match in, ETag and Retry-After out). See docs/api.md, Errors."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from apps.core.models import ClientKeyedModel, VersionedModel


class ErrorSerializer(serializers.Serializer):
    """Every error answer but a 400."""

    detail = serializers.CharField(help_text=_("What went wrong, in the request's language."))
    code = serializers.CharField(
        help_text=_(
            "A stable English code: not_authenticated, authentication_failed, "
            "permission_denied, not_found, method_not_allowed, unsupported_media_type, "
            "throttled, client_id_reused, stale_version, illegal_move, protected, "
            "version_required, database_unavailable."
        )
    )


class ConflictSerializer(ErrorSerializer):
    """409 and 412: the stored record as the caller may see it, or the batch's items."""

    current = serializers.DictField(
        required=False, help_text=_("The record as stored now (a stale version, an illegal move).")
    )
    errors = serializers.DictField(
        required=False, help_text=_("A batch's conflicting items, by their index.")
    )


class ValidationErrorSerializer(serializers.Serializer):
    """400: each field's messages; messages about no one field under non_field_errors."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


def _error(description, serializer=ErrorSerializer):
    return (serializer, str(description))


class RecordAutoSchema(AutoSchema):
    """Adds what the shared machinery answers to every operation."""

    def _model(self):
        return getattr(self.view, "model", None)

    def get_description(self):
        # The text a station developer reads comes from extend_schema(description=…) alone:
        # a viewset's docstring is a note for this project's maintainers, not for clients.
        return ""

    def get_summary(self):
        if self._action() == "destroy":
            return str(_("Mark the record deleted (it stays visible to a sync, as deleted)"))
        return super().get_summary()

    def _action(self):
        return getattr(self.view, "action", None)

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        model = self._model()
        if (
            self.method == "POST"
            and self._action() == "create"
            and model is not None
            and issubclass(model, ClientKeyedModel)
            and "201" in bodies
        ):
            replay = dict(bodies["201"])
            replay["description"] = "A replay: the record stored by the first request."
            bodies["200"] = replay
        for code, (serializer, description) in self._errors(model).items():
            if code not in bodies:
                response = self._get_response_for_code(serializer, code, direction=direction)
                response["description"] = description
                bodies[code] = response
        return bodies

    def _errors(self, model) -> dict:
        """The error answers this operation can give, by status code."""
        errors = {
            "401": _error(_("No valid token or session.")),
            "403": _error(_("The caller's role may not do this.")),
            "429": _error(_("Too many requests: wait for Retry-After seconds.")),
            "503": _error(_("The database is away: retry after Retry-After seconds.")),
        }
        if self.method in ("POST", "PUT", "PATCH"):
            errors["400"] = _error(
                _("Bad input: each field's messages."), ValidationErrorSerializer
            )
            errors["415"] = _error(_("A body in a media type this operation does not take."))
        if "{" in self.path:
            errors["404"] = _error(_("No such record within the caller's organization."))
        if self._action() == "list":
            errors["400"] = _error(_("A filter's value is not valid."), ValidationErrorSerializer)
            errors["404"] = _error(_("A page past the end of the list."))
        keyed_create = (
            model is not None
            and issubclass(model, ClientKeyedModel)
            and self._action() in ("create", "bulk")
        )
        if self.method == "POST" and (keyed_create or self._action() == "attachment_upload"):
            errors["409"] = _error(
                _("This client_id was sent before with another body."), ConflictSerializer
            )
        if (
            model is not None
            and issubclass(model, VersionedModel)
            and self._action() in ("partial_update", "transition")
        ):
            errors["409"] = _error(
                _("Stale version (or a move the status does not allow): see current."),
                ConflictSerializer,
            )
            errors["412"] = _error(_("If-Match names a stale version."), ConflictSerializer)
            errors["428"] = _error(_("Send the version you read (body or If-Match)."))
        return errors

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        model = self._model()
        versioned = model is not None and issubclass(model, VersionedModel)
        if versioned and self._action() in ("partial_update", "transition"):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description=_('The version you read, as "3"; or "version" in the body.'),
                )
            )
        if versioned and self._action() in ("retrieve", "partial_update"):
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    str,
                    OpenApiParameter.HEADER,
                    response=[200],
                    description=_("The record's version, to send back as If-Match."),
                )
            )
        parameters.append(
            OpenApiParameter(
                "Retry-After",
                str,
                OpenApiParameter.HEADER,
                response=[429, 503],
                description=_("Seconds to wait before trying again."),
            )
        )
        return parameters
