"""``manage.py escalate_cases``: the escalation run, for cron where no worker runs (docs/jobs.md).
Safe beside the worker's periodic run: each escalation is recorded and announced once."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.rights.services.escalation import cases_escalate, referrals_escalate


class Command(BaseCommand):
    help = "Escalate the cases past their deadlines and notify the next level up."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="Judge as at this time (ISO 8601, with its offset); the clock if unset."
        )

    def handle(self, *args, now=None, **options):
        at = None
        if now:
            at = parse_datetime(now)
            if at is None or at.tzinfo is None:
                raise CommandError(_("--now takes a time with its offset: 2026-03-08T09:30+08:00."))
        made = cases_escalate(now=at)
        made += referrals_escalate(now=at)
        self.stdout.write(_("Escalations recorded: %(count)d") % {"count": len(made)})
