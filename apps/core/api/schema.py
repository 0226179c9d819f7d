"""How the shared machinery appears in the OpenAPI schema: the replayed create's 200 and
If-Match on the writes that compare versions."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from apps.core.models import ClientKeyedModel, VersionedModel


class RecordAutoSchema(AutoSchema):
    """Adds what the shared machinery answers: 200 for a replayed create, If-Match on writes."""

    def _model(self):
        return getattr(self.view, "model", None)

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        model = self._model()
        if (
            self.method == "POST"
            and getattr(self.view, "action", None) == "create"
            and model is not None
            and issubclass(model, ClientKeyedModel)
            and "201" in bodies
        ):
            replay = dict(bodies["201"])
            replay["description"] = "A replay: the record stored by the first request."
            bodies["200"] = replay
        return bodies

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        model = self._model()
        if (
            model is not None
            and issubclass(model, VersionedModel)
            and self.method in ("PATCH", "POST")
            and getattr(self.view, "action", None) in ("partial_update", "transition")
        ):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description='The version you read, as "3"; instead of "version" in the body.',
                )
            )
        return parameters
