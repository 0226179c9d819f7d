"""Races on every resource, generated from the URL conf and the registry of tests/registry.py,
so a new resource is raced without anyone listing it (docs/api-machinery.md, Retries and
Versions):

- two requests creating one record with one client's key: held at a lock on the model's table
  until both are inside the database, they race to insert; one stores the row (201), the other
  answers with it (200);
- two editors changing one record from the same version: held at the record's row lock until
  both wait there; one change is stored (200, the version one higher), the other is told 409
  with the record as stored, so no change is lost without its editor knowing.
"""

import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from apps.core.models import VersionedModel
from tests.factories.accounts import token_key
from tests.locks import wait_for_lock_waiters
from tests.registry import create_routes, maker_for, update_routes
from tests.roles_table import DISTRICT_ADMIN, RIGHTS, STAFF, STATION_OPERATOR
from tests.seeding import seed_lists

# The routes whose records take a client's key (docs/api-machinery.md); the district's code
# lists (lines of work, categories) are keyed by their code instead.
CREATES = [
    (route, viewset)
    for route, viewset in create_routes()
    if any(field.name == "client_id" for field in viewset.model._meta.fields)
]
# The routes whose PATCH changes a record two people may edit at once (docs/api-machinery.md).
UPDATES = [
    (route, viewset)
    for route, viewset in update_routes()
    if issubclass(viewset.model, VersionedModel)
]
# The role that makes the record, among those the roles table lets add it: the station first.
WRITERS = [STATION_OPERATOR, STAFF, DISTRICT_ADMIN]


def url_for(route: str) -> str:
    return "/" + route.replace("^", "").replace("$", "")


def racer(key: str, start: threading.Barrier, request):
    """``request(client)`` by a client of its own signed in with ``key``, sent once every racer
    has reached ``start``; the thread's connections closed after it."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    start.wait()
    try:
        return request(client)
    finally:
        connections.close_all()


def test_every_create_route_is_raced():
    """The routes come from the URL conf: if none were found, nothing below would be raced."""
    assert {url_for(route) for route, _ in CREATES} >= {
        "/api/v1/members/",
        "/api/v1/events/",
        "/api/v1/rights/cases/",
        "/api/v1/councils/topics/",
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("route", "viewset"), CREATES, ids=[url_for(r) for r, _ in CREATES])
def test_racing_creates_with_one_client_id_store_one_row(tree, user_in, route, viewset):
    seed_lists()
    maker = maker_for(viewset.model)
    allowed = RIGHTS[maker.resource]["add"]
    role = next(role for role in WRITERS if role in allowed)
    key = token_key(user_in(tree.village_a1, role))
    body = {**maker.create_body(tree, tree.village_a1), "client_id": str(uuid.uuid4())}
    table = viewset.model._meta.db_table
    start = threading.Barrier(2)

    def post():
        return racer(key, start, lambda client: client.post(url_for(route), body, format="json"))

    with ThreadPoolExecutor(2) as pool:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            futures = [pool.submit(post), pool.submit(post)]
            waiting = wait_for_lock_waiters(cursor, 2)
            cursor.execute("COMMIT")
        answers = [future.result() for future in futures]

    assert waiting == 2, "both requests were inside the database at once"
    assert sorted(a.status_code for a in answers) == [200, 201], [a.content for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert viewset.model._default_manager.filter(client_id=body["client_id"]).count() == 1


def test_every_versioned_update_route_is_raced():
    assert {url_for(route).split("(")[0] for route, _ in UPDATES} >= {
        "/api/v1/members/",
        "/api/v1/events/",
        "/api/v1/rights/cases/",
        "/api/v1/councils/topics/",
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("route", "viewset"), UPDATES, ids=[url_for(r).split("(")[0] for r, _ in UPDATES]
)
def test_two_editors_of_one_version_one_stored_the_other_told(tree, user_in, route, viewset):
    seed_lists()
    maker = maker_for(viewset.model)
    allowed = RIGHTS[maker.resource]["change"]
    role = next(role for role in (*WRITERS, *sorted(allowed)) if role in allowed)
    user = user_in(tree.village_a1, role)
    record = maker.make(tree.village_a1)
    key = token_key(user)
    url = re.sub(r"\(\?P<pk>[^)]*\)", str(record.pk), url_for(route))
    rows = viewset.model._base_manager
    start = threading.Barrier(2)

    def patch():
        body = {"version": record.version}
        return racer(key, start, lambda client: client.patch(url, body, format="json"))

    with ThreadPoolExecutor(2) as pool:
        with transaction.atomic(), connection.cursor() as cursor:
            list(rows.select_for_update().filter(pk=record.pk))
            futures = [pool.submit(patch), pool.submit(patch)]
            waiting = wait_for_lock_waiters(cursor, 2)
        answers = [future.result() for future in futures]

    assert waiting == 2, "both editors were inside the database at once"
    assert sorted(a.status_code for a in answers) == [200, 409], [a.content for a in answers]
    stored = next(a.json() for a in answers if a.status_code == 200)
    told = next(a.json() for a in answers if a.status_code == 409)
    assert stored["version"] == record.version + 1
    assert told["code"] == "stale_version" and told["current"]["version"] == stored["version"]
    assert re.search("[\u4e00-\u9fff]", told["detail"]), told  # the loser is told in Chinese
    record.refresh_from_db()
    assert record.version == stored["version"]
