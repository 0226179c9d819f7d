"""How the scoped reference field appears in the OpenAPI schema (a drf-spectacular extension).

Imported by the organizations app's ready(), so the schema always has them.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes


class ScopedRefFieldExtension(OpenApiSerializerFieldExtension):
    """An id in requests, ``{"id", "name"}`` in responses."""

    target_class = "apps.organizations.api.base.ScopedRefField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        return build_object_type(
            properties={
                "id": build_basic_type(OpenApiTypes.INT),
                "name": build_basic_type(OpenApiTypes.STR),
            },
            required=["id", "name"],
        )
