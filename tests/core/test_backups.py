"""`manage.py backup` and `restore` (docs/operations.md, docs/quality.md 19): the test database
with a few records and an attachment, backed up, restored into a scratch database with the
server's own pg_restore, checked with `migrate --check`, every table's row count and every
file's checksum compared. A wrong key, no key, a non-empty target are refused with a message."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.core import backups
from apps.files import services as file_services
from apps.organizations.roles import Role
from tests.factories.members import make_member
from tests.files.samples import PDF, photo
from tests.jobs.worker import database_url

ROOT = Path(__file__).resolve().parents[2]
KEY = "a-test-backup-key-of-some-length"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_KEY = KEY
    settings.LANGUAGE_CODE = "en"
    return settings.MEDIA_ROOT


@pytest.fixture
def scratch():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    yield database_url().rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args, url: str, media_root: Path, key: str | None = KEY):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "federation.settings_test",
        "DJANGO_MEDIA_ROOT": str(media_root),
    }
    env.pop("BACKUP_KEY", None)
    if key is not None:
        env["BACKUP_KEY"] = key
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def row_counts(url: str) -> dict[str, int]:
    """Every table of every schema but PostgreSQL's own, with its number of rows."""
    with psycopg.connect(url) as db:
        tables = db.execute(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1"
        ).fetchall()
        return {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for (table,) in tables
        }


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def records(transactional_db, media, tree, user_in):
    """A few committed records of several apps and two attachments (pg_dump sees only what is
    committed)."""
    staff = user_in(tree.district, Role.STAFF)
    make_member(tree.village_a1, "林秀英")
    make_member(tree.village_a2, "王桂兰")
    for name, data in (("记录.pdf", PDF), ("照片.jpg", photo())):
        file_services.attachment_create(
            record=tree.village_a1, uploaded_file=SimpleUploadedFile(name, data), by=staff
        )
    return staff


def test_a_backup_restores_whole_into_a_scratch_database(records, media, tmp_path, scratch):
    target = tmp_path / "backups" / "one.backup"
    call_command("backup", output=str(target))
    restored_media = tmp_path / "restored-media"

    restore = manage("restore", str(target), url=scratch, media_root=restored_media)
    check = manage("migrate", "--check", url=scratch, media_root=restored_media)

    assert restore.returncode == 0, restore.stderr
    assert check.returncode == 0, check.stdout + check.stderr
    source_counts = row_counts(database_url())
    assert source_counts["public.members_member"] == 2
    assert source_counts["public.files_attachment"] == 2
    assert row_counts(scratch) == source_counts
    assert len(checksums(media)) == 2
    assert checksums(restored_media) == checksums(media)


def test_the_backup_file_is_encrypted_and_dated(records, media, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"

    call_command("backup")

    (written,) = list(settings.BACKUP_DIR.iterdir())
    assert written.name.startswith("federation-") and written.name.endswith("Z.backup")
    assert oct(written.stat().st_mode & 0o777) == "0o600"
    data = written.read_bytes()
    assert data.startswith(backups.MAGIC)
    for plain in ("林秀英".encode(), b"PGDMP", PDF[:20]):  # names, the dump's own mark, a file
        assert plain not in data


def test_a_wrong_key_is_refused_with_a_message_and_nothing_restored(
    records, media, tmp_path, scratch
):
    target = tmp_path / "one.backup"
    call_command("backup", output=str(target))

    wrong = manage("restore", str(target), url=scratch, media_root=tmp_path / "m", key=KEY + "x")

    assert wrong.returncode != 0
    assert "无法用此 BACKUP_KEY 解密该备份" in wrong.stderr  # the operators' language first
    assert row_counts(scratch) == {}
    assert not (tmp_path / "m").exists()


def test_a_damaged_file_is_refused_before_anything_is_restored(records, media, tmp_path, scratch):
    (media / "large.bin").write_bytes(os.urandom(3 * backups.CHUNK))  # chunks after the dump's
    target = tmp_path / "one.backup"
    call_command("backup", output=str(target))
    data = bytearray(target.read_bytes())
    data[-100] ^= 1  # in the last file, long after the database
    target.write_bytes(bytes(data))

    damaged = manage("restore", str(target), url=scratch, media_root=tmp_path / "m")

    assert damaged.returncode != 0
    assert "备份文件在写成之后被改动过" in damaged.stderr
    assert row_counts(scratch) == {}  # the file was checked whole before pg_restore ran
    assert not (tmp_path / "m").exists()


def test_without_a_key_nothing_is_written(media, settings, tmp_path):
    settings.BACKUP_KEY = ""
    settings.BACKUP_DIR = tmp_path / "backups"

    with pytest.raises(CommandError, match="BACKUP_KEY is not set"):
        call_command("backup")

    assert not settings.BACKUP_DIR.exists()


def test_without_a_key_restore_says_so_in_chinese(tmp_path):
    out = manage("restore", "x.backup", url=database_url(), media_root=tmp_path, key=None)

    assert out.returncode != 0
    assert "未设置 BACKUP_KEY" in out.stderr


def test_a_database_that_is_not_empty_is_refused_unless_forced(records, media, tmp_path):
    target = tmp_path / "one.backup"
    call_command("backup", output=str(target))

    refused = manage("restore", str(target), url=database_url(), media_root=tmp_path / "m")

    assert refused.returncode != 0
    assert "不是空的" in refused.stderr


def test_a_file_cut_short_is_refused(records, media, tmp_path):
    target = tmp_path / "one.backup"
    call_command("backup", output=str(target))
    target.write_bytes(target.read_bytes()[:-1000])

    with pytest.raises(backups.BackupError, match="cut short"):
        backups.backup_check(source=target, secret=KEY)


def test_a_backup_rekeyed_opens_with_the_new_key_only(records, media, settings, tmp_path):
    target = tmp_path / "one.backup"
    call_command("backup", output=str(target))
    before = backups.backup_check(source=target, secret=KEY)
    new_key = "the-new-backup-key-after-rotation"
    settings.BACKUP_KEY, settings.BACKUP_KEY_OLD = new_key, KEY

    call_command("backup_rekey", str(target))

    assert backups.backup_check(source=target, secret=new_key) == before
    with pytest.raises(backups.BackupError, match="cannot be decrypted"):
        backups.backup_check(source=target, secret=KEY)
    assert [path.name for path in tmp_path.glob("one.backup*")] == ["one.backup"]
