"""python manage.py import_people FILE [--appointments] [--as USERNAME] [--dry-run]

The admin's import for files too large for a web page: the same importer, the same checks, all
or none (apps/core/imports.py). Progress goes to stderr, the report to stdout; the exit code is
1 if any row is bad.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.core.actors import SYSTEM
from apps.core.imports import CHECKING
from apps.core.xlsx import SheetError
from apps.members import imports


class ProgressBar:
    """``checking [#####.....] 12,000/60,000``: a plain line on each 2% of the rows."""

    WIDTH = 50

    def __init__(self, write):
        self.write = write
        self.shown: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        filled = done * self.WIDTH // total if total else self.WIDTH
        if self.shown.get(stage) == filled:
            return
        self.shown[stage] = filled
        label = _("checking") if stage == CHECKING else _("writing")
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.write(f"{label} [{bar}] {done:,}/{total:,}")


class Command(BaseCommand):
    help = (
        "Import people (or, with --appointments, appointments) from an .xlsx file: every row "
        "is checked, then all are imported or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file; its first row names the columns")
        parser.add_argument(
            "--appointments", action="store_true", help="the file holds appointments, not people"
        )
        parser.add_argument(
            "--as",
            dest="username",
            help="import as this account, within its subtree (default: the whole tree)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, import none")

    def handle(self, *args, file, appointments, username, dry_run, **options):
        importer = imports.APPOINTMENTS if appointments else imports.PEOPLE
        by = self._account(username, importer.model._meta)
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        plain = str  # progress is not an error: no red on a terminal
        self.stderr.write(_("reading %(file)s") % {"file": file}, style_func=plain)
        try:
            report = importer.run(
                data=data,
                by=by,
                dry_run=dry_run,
                max_rows=None,
                progress=ProgressBar(lambda line: self.stderr.write(line, style_func=plain)),
            )
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        for number, problem in report.errors:
            self.stdout.write(_("row %(row)d: %(problem)s") % {"row": number, "problem": problem})
        if report.errors:
            raise CommandError(
                _("%(bad)d of %(rows)d rows are wrong; nothing was imported.")
                % {"bad": len(report.errors), "rows": report.rows},
                returncode=1,
            )
        if dry_run:
            self.stdout.write(
                _("%(rows)d rows read, every one correct: run again without --dry-run to import.")
                % {"rows": report.rows}
            )
        else:
            self.stdout.write(importer.done % {"count": len(report.created)})

    def _account(self, username, opts):
        if username is None:
            return SYSTEM
        account = get_user_model().objects.filter(username=username, is_active=True).first()
        if account is None:
            raise CommandError(
                _("No active account has the username %(username)s.") % {"username": username}
            )
        if not account.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
            raise CommandError(
                _("The account %(username)s may not add these records.") % {"username": username}
            )
        return account
