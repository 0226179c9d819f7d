"""A file whose row was rolled back is deleted by the nightly job, a day later; files that
rows name, and recent ones whose transaction may still be open, stay (apps/files/services.py)."""

import os
import time
from pathlib import Path

import pytest
from django.db import transaction

from apps.files.models import Attachment
from apps.files.services import orphan_files_delete
from tests.registry import make_attachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def aged(path: Path, days: float) -> Path:
    then = time.time() - days * 86400
    os.utime(path, (then, then))
    return path


def test_a_file_left_by_a_rolled_back_write_goes_a_day_later(tree, media):
    kept = make_attachment(tree.village_a1)
    with pytest.raises(RuntimeError), transaction.atomic():  # an admin page failing later
        lost = make_attachment(tree.village_a1)
        raise RuntimeError
    lost_path, kept_path = media / lost.file.name, media / kept.file.name
    assert lost_path.exists() and not Attachment.objects.filter(pk=lost.pk).exists()

    assert orphan_files_delete() == 0  # today's: its transaction might still be open
    aged(lost_path, 2), aged(kept_path, 2)
    assert orphan_files_delete() == 1

    assert not lost_path.exists() and kept_path.exists()


def test_nothing_to_do_without_attachments(media):
    assert orphan_files_delete() == 0
