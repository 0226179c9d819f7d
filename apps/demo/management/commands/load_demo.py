"""python manage.py load_demo: the fictional 云溪区 with every app's records."""

import time
from random import Random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.demo.accounts import DEMO_PASSWORD, build_accounts
from apps.demo.branch import build_branch_meetings
from apps.demo.cases import build_cases
from apps.demo.councils import build_councils
from apps.demo.events import build_events
from apps.demo.members import build_appointments, build_members
from apps.demo.organizations import build_positions, build_titles, build_tree
from apps.demo.referrals import build_referrals
from apps.demo.rights import build_legal_center, build_stations

SEED = 20260308


class Command(BaseCommand):
    help = "Build the demo district: a fixed seed, dates relative to today, idempotent."

    def handle(self, *args, **options):
        started = time.monotonic()
        today = timezone.localdate()

        def rng(part: str) -> Random:
            return Random(f"{SEED}-{part}")  # noqa: S311 - a demo, not a secret

        with transaction.atomic():
            tree = build_tree(rng("tree"), today)
            build_positions(rng("positions"), today, tree)
            build_titles(rng("titles"), today, tree)
            legal_center = build_legal_center(today, tree)
            accounts = build_accounts(rng("accounts"), tree, legal_center)
            build_members(rng("members"), today, tree)
            build_appointments(rng("appointments"), today, tree)
            build_branch_meetings(rng("branch"), today, tree)
            build_stations(rng("stations"), today, tree, legal_center)
            build_events(rng("events"), today, tree)
            build_cases(rng("cases"), today, tree, accounts)
            build_councils(rng("councils"), today, tree)
            build_referrals(rng("referrals"), tree, legal_center)
        self.stdout.write(
            f"演示区县 / demo district: {tree.district.name} — {len(tree.streets)} 个街道/乡镇, "
            f"{len(tree.villages)} 个村/社区 ({time.monotonic() - started:.1f}s)"
        )
        self.stdout.write(f"演示账号 / demo logins (password 密码: {DEMO_PASSWORD}):")
        for account in accounts:
            role, place = account.get_role_display(), account.organization.name
            self.stdout.write(f"  {account.username:<20} {role:<8} {place}")
