"""Views that know no domain."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.errors import DATABASE_AWAY_MESSAGE, RETRY_AFTER_SECONDS, NotFoundAnywhere


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def server_error(request):
    """handler500: the database being away is a 503 with a plain message, not a 500.

    Django calls this while the exception is still being handled, so it can
    tell an outage apart from a bug; everything else gets Django's own page.
    """
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(
            gettext(DATABASE_AWAY_MESSAGE), status=503, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    return defaults.server_error(request)


def not_found(request, exception=None):
    """handler404: under /api/ the API's own answer (JSON, with a code), pages as Django's."""
    if request.path.startswith("/api/"):
        error = NotFoundAnywhere()
        return JsonResponse({"detail": str(error.detail), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
