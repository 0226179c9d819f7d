"""Every write of attachments: attaching a cleaned file, logging a download."""

import hashlib
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model

from apps.core.history import history_note
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


def upload_digest(record: Model, uploaded_file) -> str:
    """What a retried upload is compared by: the record it goes to and the bytes sent."""
    digest = hashlib.sha256(f"{record._meta.label}:{record.pk}:".encode())
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def attachment_create(
    *, by, record: Model, uploaded_file, client_id=None, request_hash: str = ""
) -> Attachment:
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
        uploaded_by=by,
        client_id=client_id,
        request_hash=request_hash,
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


def download_create(*, by, attachment: Attachment) -> Download:
    """Log that ``by`` downloaded ``attachment``: an append-only row, committed at once."""
    return Download.objects.create(attachment=attachment, user=by)


@transaction.atomic
def attachments_move(*, from_record: Model, to_record: Model, by) -> int:
    """Attach ``from_record``'s files to ``to_record`` instead (two records of one thing merged).

    Any kind of record: the files app knows none of them. Each file takes its new record's
    organization, so it is read by that record's rules; its history row names ``by``. Every
    file of ``from_record`` moves, whoever can see it (the caller decided the merge).
    Returns how many moved.
    """
    if type(from_record) is not type(to_record):
        raise TypeError("attachments move between two records of one kind")
    organization = organization_of(to_record)
    rows = Attachment.objects.select_for_update().filter(
        content_type=ContentType.objects.get_for_model(from_record), object_id=from_record.pk
    )
    moved = 0
    for attachment in rows:
        attachment.object_id, attachment.organization = to_record.pk, organization
        attachment.full_clean(exclude=["file"])
        history_note(attachment, by=by, reason=f"moved from #{from_record.pk} to #{to_record.pk}")
        attachment.save(update_fields=["object_id", "organization", "updated_at"])
        moved += 1
    return moved


ORPHANS_KEPT_FOR = timedelta(days=1)


def orphan_files_delete(*, older_than: timedelta = ORPHANS_KEPT_FOR) -> int:
    """Delete the files under ``attachments/`` that no attachment names and that are older than
    a day (a nightly job, apps/files/tasks.py). A file is written before its row is committed:
    when an outer transaction rolls back after ``attachment_create`` (an admin page whose later
    save fails), the row goes and the file would stay. A day leaves alone any file whose
    transaction may still be open. Returns how many files went."""
    root = Path(settings.MEDIA_ROOT)
    folder = root / "attachments"
    if not folder.is_dir():
        return 0
    before = time.time() - older_than.total_seconds()
    found = {
        path.relative_to(root).as_posix(): path
        for path in folder.rglob("*")
        if path.is_file() and path.stat().st_mtime < before
    }
    named = set()
    names = list(found)
    for start in range(0, len(names), 1000):
        batch = names[start : start + 1000]
        named |= set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
    orphans = [path for name, path in found.items() if name not in named]
    for path in orphans:
        path.unlink(missing_ok=True)
    return len(orphans)
