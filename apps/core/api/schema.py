"""How the shared machinery appears in the OpenAPI schema: the replayed create's 200, every
error an operation can answer (each a named schema), the headers the machinery sends
(If-Match in, ETag and Retry-After out), the text a station developer reads, and names a
client generator can live with. See docs/api.md, Errors, and docs/station-client.md."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import get_override
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers

from apps.core.models import ClientKeyedModel, VersionedModel

REF_COMPONENT = "Ref"


class RefFieldExtension(OpenApiSerializerFieldExtension):
    """A reference (``RefField``): an id in requests; in answers the one ``Ref`` component,
    ``{"id", "name"}``, wherever it is read back (an organization, a parent, a person…)."""

    target_class = "apps.core.api.records.RefField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        component = ResolvedComponent(
            name=REF_COMPONENT,
            type=ResolvedComponent.SCHEMA,
            object=REF_COMPONENT,
            schema=build_object_type(
                properties={
                    "id": build_basic_type(OpenApiTypes.INT),
                    "name": build_basic_type(OpenApiTypes.STR),
                },
                required=["id", "name"],
                description=str(_("Another record: its id and its name as shown to people.")),
            ),
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


@extend_schema_serializer(
    description=_("Every error answer but a 400: a message and a stable English code.")
)
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


@extend_schema_serializer(
    description=_("409 and 412: the record as stored now, or a batch's conflicting items.")
)
class ConflictSerializer(ErrorSerializer):
    """409 and 412: the stored record as the caller may see it, or the batch's items."""

    current = serializers.DictField(
        required=False, help_text=_("The record as stored now (a stale version, an illegal move).")
    )
    errors = serializers.DictField(
        required=False, help_text=_("A batch's conflicting items, by their index.")
    )


@extend_schema_serializer(
    description=_(
        "400: each field's messages under its name; messages about no one field under "
        "non_field_errors."
    )
)
class ValidationErrorSerializer(serializers.Serializer):
    """400: each field's messages; messages about no one field under non_field_errors."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


def _error(description, serializer=ErrorSerializer):
    return (serializer, str(description))


# What a station developer reads under each operation, after the resource's own words
# (extend_schema(description=…)): who may call it, how retries, versions and sync work.
READ_NOTE = _(
    "Any account may call it. It sees the records of its own organization and of those "
    "below it; an id outside them answers 404, like one that does not exist."
)
WRITE_NOTE = _(
    "Needs a role that may change records of this kind (403 otherwise), within the "
    "caller's own organization and those below it."
)
LIST_NOTE = _(
    "Without updated_after the list is paged (page, page_size; count=exact for an exact "
    "total). With updated_after it is a sync: every record changed at or after that time "
    "(the bound is inclusive, so the last record of one sync comes again in the next), "
    'oldest change first, deleted records included with "deleted": true; follow next '
    "until it is null. Ask from your last sync time minus five minutes and de-duplicate "
    "records by id."
)
RETRIEVE_VERSIONED_NOTE = _(
    "The ETag header is the record's version: send it back as If-Match (or version in the "
    "body) with a change."
)
CREATE_KEYED_NOTE = _(
    "Make a client_id (a UUID) once per record, keep it with the record and send it on "
    "every try: a resent request answers 200 with the record stored first, so a timeout, "
    "a 429 or a 503 (after Retry-After seconds) is safely retried. The same client_id with "
    "another body is a 409 client_id_reused."
)
UPDATE_VERSIONED_NOTE = _(
    "Send the version you read, in the body or as If-Match. If the record changed since, "
    "nothing is written: 409 (412 for If-Match) with the stored record under current; "
    "without a version, 428. The answer's ETag is the new version."
)
DESTROY_NOTE = _(
    'The record is marked deleted, not erased: a sync returns it with "deleted": true.'
)
UPLOAD_NOTE = _(
    "A multipart body: the file and a client_id (a UUID made once per file). A resent "
    "upload with the same client_id answers 200 with the file stored first, so one file is "
    "kept; the same client_id with other bytes is a 409 client_id_reused. Photos are stored "
    "without their metadata (EXIF, GPS). Needs a role that may change the record."
)
DOWNLOAD_NOTE = _(
    "The file as stored, with its own content type: a JPEG or PNG photo, a PDF, or a Word "
    "or Excel document. Anyone who may read the record may download its files."
)


class RecordAutoSchema(AutoSchema):
    """Adds what the shared machinery answers to every operation."""

    def _model(self):
        return getattr(self.view, "model", None)

    def get_description(self):
        # A viewset's docstring is a note for this project's maintainers, not for clients:
        # the text comes from extend_schema(description=…) and _notes() alone.
        return ""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            text = [operation.get("description"), *(str(note) for note in self._notes())]
            operation["description"] = "\n\n".join(str(t) for t in text if t)
        return operation

    def _notes(self) -> list:
        """The machinery's part of the operation's description."""
        model, action = self._model(), self._action()
        versioned = model is not None and issubclass(model, VersionedModel)
        keyed = model is not None and issubclass(model, ClientKeyedModel)
        notes = {
            "list": [READ_NOTE, LIST_NOTE],
            "retrieve": [READ_NOTE, *([RETRIEVE_VERSIONED_NOTE] if versioned else [])],
            "create": [WRITE_NOTE, *([CREATE_KEYED_NOTE] if keyed else [])],
            "partial_update": [WRITE_NOTE, *([UPDATE_VERSIONED_NOTE] if versioned else [])],
            "destroy": [WRITE_NOTE, DESTROY_NOTE],
            "attachments": [READ_NOTE],
            "attachment_upload": [UPLOAD_NOTE],
            "attachment": [DOWNLOAD_NOTE],
        }
        if action in notes:
            return notes[action]
        reads = getattr(self.view, "permission_actions", {}).get(action) == "view"
        return [READ_NOTE] if reads or self.method == "GET" else [WRITE_NOTE]

    def _map_basic_serializer(self, serializer, direction):
        # A component's description is the translated one it is given
        # (extend_schema_serializer), never the serializer's docstring.
        schema = super()._map_basic_serializer(serializer, direction)
        schema.pop("description", None)
        description = get_override(serializer, "description")
        if description:
            schema["description"] = str(description)
        return schema

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


def postprocess_for_generators(result, generator, **kwargs):
    """Names a client generator can live with (docs/station-client.md), after drf-spectacular's
    own enum hook: a list filter's choices are the model's enum component, and a field that
    may be blank says so inline instead of through a ``BlankEnum`` component."""
    schemas = result.get("components", {}).get("schemas", {})
    enums = {
        frozenset(schema["enum"]): name for name, schema in schemas.items() if "enum" in schema
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                _enum_by_ref(parameter, enums, schemas)
    for name in ("BlankEnum", "NullEnum"):
        schemas.pop(name, None)
    _inline_blank(result)
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def _enum_by_ref(parameter, enums, schemas) -> None:
    """A parameter's choices as the enum component with those values (one made for a
    parameter whose choices are no model's, as ``count``'s)."""
    schema = parameter.get("schema", {})
    schema.pop("title", None)  # a translated label: not a name for generated code
    values = frozenset(schema.get("enum", ()))
    if not values:
        return
    if values not in enums:
        name = "".join(part.title() for part in parameter["name"].split("_")) + "Enum"
        if name in schemas:
            return
        schemas[name] = {"type": schema.get("type", "string"), "enum": schema["enum"]}
        enums[values] = name
    parameter["schema"] = {"$ref": f"#/components/schemas/{enums[values]}"}


BLANK = {"$ref": "#/components/schemas/BlankEnum"}
NULL = {"$ref": "#/components/schemas/NullEnum"}


def _inline_blank(node) -> None:
    if isinstance(node, dict):
        if "oneOf" in node:
            node["oneOf"] = [_blank_or_null(item) for item in node["oneOf"]]
            if {"nullable": True} in node["oneOf"]:
                node["oneOf"].remove({"nullable": True})
                node["nullable"] = True
        for value in node.values():
            _inline_blank(value)
    elif isinstance(node, list):
        for value in node:
            _inline_blank(value)


def _blank_or_null(item):
    if item == BLANK:
        return {"type": "string", "maxLength": 0}
    if item == NULL:
        return {"nullable": True}
    return item
