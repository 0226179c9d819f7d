"""``manage.py backup``: one encrypted file holding the database and the attachments
(apps/core/backups.py, docs/operations.md). ``make backup`` runs it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import backups


class Command(BaseCommand):
    help = "备份数据库与附件（加密）· Back up the database and the attachments, encrypted."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="the file to write; by default BACKUP_DIR/federation-<UTC date and time>.backup",
        )

    def handle(self, *args, output=None, **options):
        try:
            secret = backups.check_key(settings.BACKUP_KEY)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%SZ")
            target = Path(output or Path(settings.BACKUP_DIR) / f"federation-{stamp}.backup")
            if target.exists():
                raise CommandError(
                    _("%(target)s exists already: a backup is never overwritten.")
                    % {"target": target}
                )
            manifest = backups.backup_write(
                target=target.resolve(),
                secret=secret,
                database=backups.Database.of(connection),
                version=backups.server_version_num(connection),
                media_root=Path(settings.MEDIA_ROOT),
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{target} ({manifest['database']}, {manifest['files']} files, "
            f"{target.stat().st_size} bytes)"
        )
