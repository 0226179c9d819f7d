"""The shared API machinery, tested once, generically: transitions, faults, limits, lists."""

import datetime
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core import pagination
from apps.members.models import Member
from apps.organizations import roles
from apps.organizations.filters import DatedRecordFilterSet
from apps.organizations.roles import Role
from tests.factories.accounts import token_key
from tests.factories.members import make_member
from tests.locks import wait_for_lock_waiters
from tests.scoping_app.models import Ticket

MEMBERS = "/api/v1/members/"
TICKETS = "/api/test/tickets/"


def person(**fields):
    return {"client_id": str(uuid.uuid4()), "name": "赵丽", "gender": "female", **fields}


# Transitions, on a test-only resource with statuses.


@pytest.fixture
def tickets(monkeypatch, tree, user_in, api_as, settings):
    """Ticket rights for station operators only, for the length of one test."""
    settings.ROOT_URLCONF = "tests.core.urls"
    for action in ("view", "add", "change"):
        monkeypatch.setitem(
            roles._granted, f"scoping_app.{action}_ticket", {str(Role.STATION_OPERATOR)}
        )
    ticket = Ticket.objects.create(organization=tree.village_a1, title="求助")
    return ticket, api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


def move(client, ticket, **body):
    return client.post(f"{TICKETS}{ticket.pk}/transition/", body, format="json")


@pytest.mark.django_db
def test_a_transition_moves_the_status_bumps_the_version_and_writes_its_note(tickets):
    ticket, client = tickets

    response = move(client, ticket, to="accepted", version=1, note="已受理")

    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("accepted", 2)
    assert ticket.history.latest().history_change_reason == "已受理"


@pytest.mark.django_db
def test_a_move_the_table_does_not_allow_is_409_with_the_current_record(tickets):
    ticket, client = tickets

    response = move(client, ticket, to="closed", version=1, outcome="mediated")

    assert response.status_code == 409
    assert response.json()["current"]["status"] == "open"
    assert Ticket.objects.get().status == "open"


@pytest.mark.django_db
def test_a_move_without_what_its_target_needs_is_400(tickets):
    ticket, client = tickets
    move(client, ticket, to="accepted", version=1)

    response = move(client, ticket, to="closed", version=2)

    assert response.status_code == 400
    assert "outcome" in response.json()
    assert Ticket.objects.get().status == "accepted"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ({"to": "accepted"}, {}, 428),
        ({"to": "accepted", "version": 7}, {}, 409),
        ({"to": "accepted"}, {"HTTP_IF_MATCH": '"7"'}, 412),
        ({"to": "nowhere", "version": 1}, {}, 400),
    ],
)
def test_a_transition_checks_the_version_and_the_target(tickets, body, headers, expected):
    ticket, client = tickets

    response = client.post(f"{TICKETS}{ticket.pk}/transition/", body, format="json", **headers)

    assert response.status_code == expected
    assert Ticket.objects.get().status == "open"


@pytest.mark.django_db
def test_a_patch_naming_status_leaves_it_unchanged(tickets):
    ticket, client = tickets

    response = client.patch(
        f"{TICKETS}{ticket.pk}/", {"status": "closed", "title": "新", "version": 1}, format="json"
    )

    assert response.status_code == 200
    assert Ticket.objects.values_list("status", "title").get() == ("open", "新")


@pytest.mark.django_db
def test_a_transition_needs_the_change_right_not_the_add_right(tickets, monkeypatch):
    ticket, client = tickets
    monkeypatch.setitem(roles._granted, "scoping_app.change_ticket", set())

    assert move(client, ticket, to="accepted", version=1).status_code == 403
    assert Ticket.objects.get().status == "open"


@pytest.mark.django_db
def test_a_transition_on_a_siblings_record_is_404(tickets, tree):
    _, client = tickets
    theirs = Ticket.objects.create(organization=tree.village_a2, title="别村")

    assert move(client, theirs, to="accepted", version=1).status_code == 404
    assert Ticket.objects.get(pk=theirs.pk).status == "open"


@pytest.mark.django_db
def test_free_text_is_limited(tickets):
    ticket, client = tickets

    response = client.patch(
        f"{TICKETS}{ticket.pk}/", {"notes": "字" * 5001, "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert "notes" in response.json()


# Retries that race.


@pytest.mark.django_db(transaction=True)
def test_racing_replays_store_one_row_and_both_were_in_flight(tree, user_in):
    """Both requests are held at the table lock until both wait there; then they race."""
    user = user_in(tree.village_a1, Role.STATION_OPERATOR)
    key = token_key(user)
    body = person(id_number="", phone="")
    start = threading.Barrier(2)

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        start.wait()
        try:
            return client.post(MEMBERS, body, format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"LOCK TABLE {Member._meta.db_table} IN EXCLUSIVE MODE")
            futures = [pool.submit(post), pool.submit(post)]
            waiting = wait_for_lock_waiters(cursor, 2)
            cursor.execute("COMMIT")
        statuses = sorted(f.result() for f in futures)

    assert waiting == 2  # both requests were inside the database at once
    assert statuses == [200, 201]
    assert Member.objects.filter(client_id=body["client_id"]).count() == 1


# The database away.


@pytest.fixture
def database_away():
    """Point the connection at a closed port, as when PostgreSQL restarts; put it back after."""
    conn = connections["default"]
    saved = dict(conn.settings_dict)

    def go_away():
        conn.close()
        conn.settings_dict.update(HOST="127.0.0.1", PORT="1")

    yield go_away
    conn.close()
    conn.settings_dict.clear()
    conn.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_in_chinese_while_the_database_is_away(
    tree, user_in, api_as, database_away
):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    database_away()

    response = client.get(MEMBERS)

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "数据库" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_pages_answer_503_while_the_database_is_away(tree, user_in, database_away):
    browser = Client(raise_request_exception=False)
    browser.force_login(
        user_in(tree.district, Role.STAFF), backend="django.contrib.auth.backends.ModelBackend"
    )
    database_away()

    response = browser.get("/admin/members/member/")

    assert response.status_code == 503
    assert "数据库" in response.content.decode()


# Throttling and limits.


@pytest.mark.django_db
def test_an_account_over_its_rate_gets_429(tree, user_in, api_as, settings):
    settings.API_THROTTLE_RATES = {"account": "3/min", "anonymous": "3/min"}
    cache.clear()
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    statuses = [client.get(MEMBERS).status_code for _ in range(4)]
    cache.clear()

    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_an_oversized_body_is_400_and_stores_nothing(tree, user_in, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.post(MEMBERS, person(occupation="x" * 20_000), format="json")

    assert response.status_code == 400
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_json_nested_too_deeply_is_400(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    body = "[" * 100_000 + "]" * 100_000

    response = client.post(MEMBERS, body, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.django_db
def test_page_size_is_capped_at_200(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    Member.objects.bulk_create(
        Member(organization=tree.village_a1, name=f"人{n}", gender="female") for n in range(205)
    )

    body = client.get(MEMBERS, {"page_size": 1000}).json()

    assert (body["count"], len(body["results"])) == (205, 200)


# Counts over the cap.


@pytest.mark.django_db
def test_above_the_cap_the_count_is_flagged_and_never_below_cap_plus_one(
    tree, user_in, api_as, monkeypatch
):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 3)
    for n in range(5):
        make_member(tree.village_a1, name=f"甲{n}")
    make_member(tree.village_b1, name="乙")
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    over = client.get(MEMBERS, {"page_size": 2}).json()
    under = client.get(MEMBERS, {"name": "甲1"}).json()
    district = api_as(user_in(tree.district, Role.STAFF)).get(MEMBERS, {"page_size": 2}).json()

    # A village is told only "more than the cap": a planner's figure for its subtree is
    # drawn from the whole table's statistics and would move with its siblings' size.
    assert (over["count"], over["count_is_estimate"], len(over["results"])) == (4, True, 2)
    assert (under["count"], "count_is_estimate" in under) == (1, False)
    # The whole district has nothing to hide from: the planner's estimate, never below cap + 1.
    assert district["count_is_estimate"] is True
    assert district["count"] >= 4


@pytest.mark.django_db
def test_the_estimate_is_of_the_filtered_query_not_the_table(tree):
    Member.objects.bulk_create(
        Member(organization=tree.village_a1, name=f"甲{n}", gender="female") for n in range(300)
    )
    make_member(tree.village_b1, name="乙")
    queryset = Member.objects.filter(organization=tree.village_b1)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Member._meta.db_table}")

    count, estimate = pagination.capped_count(queryset, limit=0)

    assert estimate is True
    assert 1 <= count < 10  # about B's one row, nothing like the table's 301


# Calendar dates in Beijing time.


class CreatedOnFilter(DatedRecordFilterSet):
    date_field = "created_at"

    class Meta:
        model = Member
        fields = []


@pytest.mark.django_db
def test_dates_are_whole_days_in_beijing_time(tree):
    member = make_member(tree.village_a1)
    half_past_midnight = datetime.datetime(
        2024, 5, 2, 0, 30, tzinfo=datetime.UTC
    ) - datetime.timedelta(hours=8)
    Member.objects.filter(pk=member.pk).update(created_at=half_past_midnight)

    def found(**params):
        return CreatedOnFilter(params, queryset=Member.objects.all()).qs.exists()

    assert timezone.localtime(half_past_midnight).date() == datetime.date(2024, 5, 2)
    assert found(date_after="2024-05-02", date_before="2024-05-02")
    assert not found(date_before="2024-05-01")
    assert not found(date_after="2024-05-03")


@pytest.mark.django_db(transaction=True)
def test_racing_creates_of_one_id_number_store_one_person(tree, user_in):
    """Two clients entering the same person at once: one row, the other told it is on file."""
    from tests.factories.identity import make_id_number

    user = user_in(tree.village_a1, Role.STATION_OPERATOR)
    key = token_key(user)
    id_number = make_id_number(datetime.date(1985, 3, 8), "female", sequence=7)
    start = threading.Barrier(4)

    def post(_):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        start.wait()
        try:
            return client.post(MEMBERS, person(id_number=id_number), format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        with connection.cursor() as cursor:  # hold the number's lock until all four wait on it
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [id_number])
            results = pool.map(post, range(4))
            waiting = wait_for_lock_waiters(cursor, 4)
            cursor.execute("COMMIT")
        statuses = sorted(results)

    assert waiting == 4
    assert statuses == [201, 400, 400, 400]
    assert Member.objects.filter(id_number=id_number).count() == 1


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/councils/topics/", {"category": "\x00", "title": "议题"}),
        ("/api/v1/rights/cases/", {"category": "domestic\x00violence"}),
    ],
)
def test_a_code_with_a_nul_is_an_unknown_code_not_a_server_error(tree, user_in, api_as, url, body):
    """A NUL reaches no query (PostgreSQL refuses it): found by the station fuzzer."""
    client = api_as(user_in(tree.village_a1, "station_operator"))

    answer = client.post(url, body, format="json")

    assert answer.status_code == 400
    assert "category" in answer.json()
