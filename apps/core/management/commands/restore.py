"""``manage.py restore FILE``: a backup of ``manage.py backup`` into DATABASE_URL's database
and the media root (docs/operations.md). ``make restore FILE=…`` runs it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from apps.core import backups


class Command(BaseCommand):
    help = "从备份恢复数据库与附件 · Restore the database and the attachments from a backup."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database (and media root) that is not empty: the backup's "
            "tables replace the ones of the same name, its files the ones of the same name",
        )

    def handle(self, *args, file, force=False, **options):
        source = Path(file)
        media_root = Path(settings.MEDIA_ROOT)
        database = backups.Database.of(connection)
        try:
            secret = backups.check_key(settings.BACKUP_KEY)
            if not source.is_file():
                raise CommandError(_("No such backup file: %(file)s") % {"file": source})
            tables = backups.user_tables(connection)
            if not force and tables:
                raise CommandError(
                    _(
                        "The database %(name)s is not empty (%(count)d tables): restore into an "
                        "empty database, or add --force to replace what it holds."
                    )
                    % {"name": database.name, "count": tables}
                )
            if not force and not backups.media_is_empty(media_root):
                raise CommandError(
                    _(
                        "The media root %(path)s already holds files: restore into an empty "
                        "one, or add --force to write over files of the same name."
                    )
                    % {"path": media_root}
                )
            version = backups.server_version_num(connection)
            connection.close()  # pg_restore works alone in the database
            manifest = backups.backup_restore(
                source=source,
                secret=secret,
                database=database,
                version=version,
                media_root=media_root,
                clean=force and bool(tables),
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{source} → {database.name} ({manifest.get('files', 0)} files under {media_root})"
        )
