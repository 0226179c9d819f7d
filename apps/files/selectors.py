"""Every read of attachments starts from the record they are attached to."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from apps.files.models import Attachment


def attachment_list(*, record: Model) -> QuerySet[Attachment]:
    """The files of ``record``, oldest first.

    Not ``scoped()``: whoever may read the record (its subtree, or an
    ancestor or referral exception) reads its files, through the record.
    """
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).order_by("created_at", "id")
