"""Escalation runs that overlap record each escalation once and announce it once
(docs/rights.md, Deadlines and escalation): the unique row decides, not the timing."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, connections

from apps.notices.models import Notice
from apps.rights.models import Escalation
from apps.rights.services.escalation import cases_escalate
from tests.locks import wait_for_lock_waiters
from tests.registry import make_case
from tests.rights.test_deadlines import T

RUNS = 3


@pytest.fixture(autouse=True)
def seeded():
    """A transactional test's flush empties the migrations' rows: put them back."""
    import_module("apps.rights.migrations.0003_case_categories").seed(apps, None)
    import_module("apps.rights.migrations.0005_deadlines").seed(apps, None)


def run_at_once(count, now, before=None):
    """``count`` runs, let go together; each returns its new rows' (case, deadline, level)."""
    start = threading.Barrier(count)

    def run():
        start.wait()
        try:
            return [(e.case_id, e.deadline, e.level) for e in cases_escalate(now=now)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(run) for _ in range(count)]
        waiting = before() if before else None
        return waiting, [future.result() for future in futures]


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_record_and_announce_each_escalation_once(tree, user_in):
    cases = [make_case(tree.village_a1, risk="urgent") for _ in range(3)]
    street_staff = user_in(tree.street_a, "staff")
    district_staff = user_in(tree.district, "staff")

    _, made = run_at_once(RUNS, T + timedelta(hours=49))

    rows = sorted(row for run in made for row in run)
    expected = sorted(
        (case.pk, "first_action", level) for case in cases for level in ("street", "district")
    )
    assert rows == expected  # each row made by exactly one run
    assert Escalation.objects.count() == len(expected)
    assert Notice.objects.filter(account=street_staff).count() == len(cases)
    assert Notice.objects.filter(account=district_staff).count() == len(cases)


@pytest.mark.django_db(transaction=True)
def test_runs_held_at_the_same_row_make_it_once_when_the_first_rolls_back(tree, user_in):
    """A run holds the row uncommitted; the others find the case too and wait on the row at
    their INSERT. The holder rolls back: one of the waiters makes the row, the rest nothing."""
    case = make_case(tree.village_a1, risk="urgent")
    street_staff = user_in(tree.street_a, "staff")

    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(
            "INSERT INTO rights_escalation (case_id, deadline, level, due_at, created_at)"
            " VALUES (%s, 'first_action', 'street', now(), now())",
            [case.pk],
        )

        def hold_then_roll_back():
            waiting = wait_for_lock_waiters(cursor, RUNS)
            cursor.execute("ROLLBACK")
            return waiting

        waiting, made = run_at_once(RUNS, T + timedelta(hours=25), before=hold_then_roll_back)

    assert waiting == RUNS  # every run had found the case and was at its INSERT
    assert sorted(len(run) for run in made) == [0] * (RUNS - 1) + [1]
    assert Escalation.objects.get().case_id == case.pk
    assert Notice.objects.filter(account=street_staff).count() == 1
