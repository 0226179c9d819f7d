"""Request parsers with the limits a public API needs."""

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class LimitedJSONParser(JSONParser):
    """JSON with a size limit and a nesting limit, each a 400 rather than a 500 or a stall.

    DRF reads the request as a stream, which skips Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE check on ``request.body``; this applies it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                _("The request body is too large (at most %(limit)d bytes).") % {"limit": limit}
            )
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON is nested too deeply.")) from exc
