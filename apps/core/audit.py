"""Audit helpers: the access log of full reads of sensitive records."""

from django.contrib.contenttypes.models import ContentType

from apps.core.models import AccessLog


def access_log_write(*, by, record, through: str) -> AccessLog:
    """Note that ``by`` read ``record`` in full through ``through`` ("api", "admin", "file")."""
    return AccessLog.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        through=through,
    )
