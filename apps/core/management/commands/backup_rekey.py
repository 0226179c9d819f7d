"""``manage.py backup_rekey FILE …``: backups made under the old key (BACKUP_KEY_OLD) encrypted
again under the current one (BACKUP_KEY), each in place (docs/operations.md, The key)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core import backups


class Command(BaseCommand):
    help = "用新密钥重新加密备份 · Encrypt backups again under the new BACKUP_KEY."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="files written by manage.py backup")

    def handle(self, *args, files, **options):
        try:
            new = backups.check_key(settings.BACKUP_KEY)
            old = backups.check_key(settings.BACKUP_KEY_OLD, name="BACKUP_KEY_OLD")
            for file in files:
                backups.backup_rekey(source=Path(file), old_secret=old, new_secret=new)
                self.stdout.write(str(file))
        except (backups.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
