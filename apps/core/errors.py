"""Turning model validation into API validation, so both speak with one voice."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


def as_api_error(exc: DjangoValidationError) -> ValidationError:
    """The 400 body api.md asks for: {"field": ["message"]}, non-field errors under one key."""
    if hasattr(exc, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
        return ValidationError(detail)
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
