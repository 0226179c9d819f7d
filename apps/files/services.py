"""Every write of attachments: attaching a cleaned file, logging a download."""

from django.db import transaction
from django.db.models import Model

from apps.files.models import Attachment, Download
from apps.files.uploads import clean_upload, safe_name
from apps.organizations.models import Organization
from apps.organizations.scoping import scope_field


def organization_of(record: Model) -> Organization:
    """The organization a record belongs to, found the way the scoping rule finds it."""
    owner = record
    for part in filter(None, scope_field(type(record)).split("__")):
        owner = getattr(owner, part)
    return owner


def attachment_create(*, record: Model, uploaded_file, user) -> Attachment:
    """Clean ``uploaded_file`` and attach it to ``record``; ValidationError if it is refused.

    A refused file never reaches the disk. An accepted one is written, then
    its row saved in a transaction; if the row fails, the file is removed
    again, so no file is left without a row (nor a row without its file).
    """
    content, ext, mime = clean_upload(uploaded_file)
    attachment = Attachment(
        record=record,
        organization=organization_of(record),
        original_name=safe_name(uploaded_file.name, ext),
        mime=mime,
        size=content.size,
        uploaded_by=user,
    )
    attachment.full_clean(exclude=["file"])
    attachment.file.save(f"upload.{ext}", content, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


def download_create(*, attachment: Attachment, user) -> Download:
    """Log that ``user`` downloaded ``attachment``: an append-only row, committed at once."""
    return Download.objects.create(attachment=attachment, user=user)
