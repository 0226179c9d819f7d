"""Cases that race: intakes at once get consecutive numbers, none twice and no gaps; two
PATCHes of one version, one wins and the other is told 409 (docs/rights.md, Cases)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from apps.rights.models import Case, CaseCounter
from apps.rights.services.cases import district_of
from tests.factories.accounts import token_key
from tests.locks import wait_for_lock_waiters
from tests.registry import make_case, station_of

CASES = "/api/v1/rights/cases/"
RACERS = 4


@pytest.fixture(autouse=True)
def categories():
    """A transactional test empties every table, the migration's categories too: put them back."""
    from importlib import import_module

    from django.apps import apps

    import_module("apps.rights.migrations.0003_case_categories").seed(apps, None)


def body(station, n):
    return {
        "station": station.pk,
        "received_at": "2026-03-08T09:30:00+08:00",
        "channel": "phone",
        "category": "marriage_family",
        "risk": "low",
        "parties": [{"role": "seeker", "anonymous": True}],
        "client_id": f"00000000-0000-4000-8000-0000000001{n:02d}",
    }


def run_together(key, requests, lock_sql, lock_params):
    """Each request in its own thread, all let go at once and held at ``lock_sql``'s row lock
    until every one of them waits there; their status codes and answers."""
    start = threading.Barrier(len(requests))

    def send(request):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        start.wait()
        try:
            answer = request(client)
            return answer.status_code, answer.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(requests)) as pool:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(lock_sql, lock_params)
            futures = [pool.submit(send, request) for request in requests]
            waiting = wait_for_lock_waiters(cursor, len(requests))
            cursor.execute("COMMIT")
        return waiting, [future.result() for future in futures]


@pytest.mark.django_db(transaction=True)
def test_racing_intakes_get_consecutive_numbers(tree, user_in):
    user = user_in(tree.village_a1, "station_operator")
    station = station_of(tree.village_a1)
    counter = CaseCounter.objects.create(district=district_of(tree.village_a1), year=2026)
    requests = [
        lambda client, n=n: client.post(CASES, body(station, n), format="json")
        for n in range(RACERS)
    ]

    waiting, answers = run_together(
        token_key(user),
        requests,
        "SELECT 1 FROM rights_casecounter WHERE id = %s FOR UPDATE",
        [counter.pk],
    )

    assert waiting == RACERS  # every intake was inside the database at once
    assert [status for status, _ in answers] == [201] * RACERS
    numbers = sorted(answer["number"] for _, answer in answers)
    assert numbers == [f"WQ-2026-{n:05d}" for n in range(1, RACERS + 1)]
    assert Case.objects.count() == RACERS
    counter.refresh_from_db()
    assert counter.last == RACERS


@pytest.mark.django_db(transaction=True)
def test_racing_patches_of_one_version_one_wins_the_other_is_told(tree, user_in):
    user = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=user)
    url = f"{CASES}{case.pk}/"
    requests = [
        lambda client: client.patch(url, {"version": 1, "risk": "urgent"}, format="json"),
        lambda client: client.patch(url, {"version": 1, "risk": "low"}, format="json"),
    ]

    waiting, answers = run_together(
        token_key(user),
        requests,
        "SELECT 1 FROM rights_case WHERE id = %s FOR UPDATE",
        [case.pk],
    )

    assert waiting == 2
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200, 409]
    winner = next(answer for status, answer in answers if status == 200)
    loser = next(answer for status, answer in answers if status == 409)
    case.refresh_from_db()
    assert (case.version, case.risk) == (2, winner["risk"])
    assert loser["current"]["risk"] == winner["risk"]  # the stored record, as the loser sees it
