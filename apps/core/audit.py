"""Audit helpers: the access log of full reads of sensitive records, and of exports."""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone

from apps.core.models import AccessLog

EXPORT = "export"  # ``through`` of the rows an export writes


def access_log_write(*, by, record, through: str) -> AccessLog:
    """Note that ``by`` read ``record`` in full through ``through`` ("api", "admin", "file")."""
    return AccessLog.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        through=through,
    )


def export_log_write(*, by, records: Sequence[Model]) -> list[AccessLog]:
    """Note that ``by`` took ``records`` away in a file: a row each, ``through="export"``.

    One INSERT whatever the number of records (an export has at most 10,000 rows), so an
    export's queries stay fixed. The rows say which records left, as they were read: masked
    (docs/identity.md, Exports).
    """
    at = timezone.now()
    return AccessLog.objects.bulk_create(
        AccessLog(
            at=at,
            user=by,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            through=EXPORT,
        )
        for record in records
    )
