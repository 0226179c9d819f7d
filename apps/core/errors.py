"""The API's error answers: model validation as 400, conflicts, and the database away as 503."""

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

DATABASE_AWAY_MESSAGE = _("The database is not available just now. Please try again shortly.")
RETRY_AFTER_SECONDS = "5"
STILL_REFERENCED = _("Other records still point at this one, so it cannot be removed.")


def as_api_error(exc: DjangoValidationError) -> ValidationError:
    """The 400 body docs/api.md promises: {"field": ["message"]}, non-field errors under one key."""
    if hasattr(exc, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
        return ValidationError(detail)
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})


class NotFoundAnywhere(APIException):
    """404 for a record that does not exist for the caller: the same words for every kind,
    never the model's internal name (DRF's "No Member matches the given query.")."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("Not found, or not within your organization.")
    default_code = "not_found"


class Conflict(APIException):
    """409 (or 412 for an If-Match): the request disagrees with what is stored.

    ``current`` is the stored record as the API shows it, so a client whose
    earlier answer was lost can see that its change is already there;
    ``errors`` names the items of a batch that conflict, by index.
    """

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record was changed by someone else.")
    default_code = "conflict"

    def __init__(self, detail=None, *, code=None, current=None, errors=None, status_code=None):
        super().__init__(detail, code)
        self.current = current
        self.errors = errors
        if status_code is not None:
            self.status_code = status_code


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send the version you read, in the body or an If-Match header.")
    default_code = "version_required"


def api_exception_handler(exc, context):
    """DRF's handler, plus: 503 while the database is away; every answer but a 400 as
    ``{"detail", "code"}`` with a stable English code (docs/api.md, Errors); the current
    record (or the batch's items) on a conflict."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", type(exc).__name__)
        return Response(
            {"detail": DATABASE_AWAY_MESSAGE, "code": "database_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    if isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(STILL_REFERENCED, code="protected")  # records are never cascade-deleted
    if isinstance(exc, Http404) or (
        isinstance(exc, NotFound) and exc.detail == NotFound.default_detail
    ):
        exc = NotFoundAnywhere()
    response = exception_handler(exc, context)
    if response is not None and response.status_code != 400 and "detail" in response.data:
        codes = exc.get_codes() if isinstance(exc, APIException) else None
        response.data["code"] = codes if isinstance(codes, str) else "error"
    if isinstance(exc, Conflict) and response is not None:
        if exc.current is not None:
            response.data["current"] = exc.current
        if exc.errors is not None:
            response.data["errors"] = exc.errors
    return response
