"""Following next reaches every row exactly once, whatever the count says (docs/api.md, Lists)."""

from datetime import UTC, datetime

import pytest

from apps.core import pagination
from apps.members.models import Member
from apps.organizations.roles import Role

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/members/"


def people(organization, n, prefix="人"):
    Member.objects.bulk_create(
        Member(organization=organization, name=f"{prefix}{i}", gender="female") for i in range(n)
    )


def walk(client, url, params):
    """Every id on every page, following next; and the pages' bodies."""
    ids, bodies = [], []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        ids += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return ids, bodies
        response = client.get(body["next"])


def test_a_street_of_10050_people_walks_to_every_row_once(tree, user_in, api_as):
    people(tree.village_a1, 5025)
    people(tree.village_a2, 5025, prefix="乙")
    people(tree.village_b1, 30, prefix="别")
    street = api_as(user_in(tree.street_a, Role.STAFF))

    ids, bodies = walk(street, MEMBERS, {"page_size": 200})

    mine = set(
        Member.objects.filter(organization__path__startswith=tree.street_a.path).values_list(
            "pk", flat=True
        )
    )
    assert len(ids) == len(set(ids)) == 10050
    assert set(ids) == mine
    assert (bodies[0]["count"], bodies[0]["count_is_estimate"]) == (10001, True)
    assert len(bodies) == 51


def test_a_sync_walks_every_row_once_even_when_many_share_a_moment(tree, user_in, api_as):
    people(tree.village_a1, 130)
    same = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    tied = list(Member.objects.order_by("pk").values_list("pk", flat=True)[:70])
    Member.objects.filter(pk__in=tied).update(updated_at=same)
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    ids, bodies = walk(client, MEMBERS, {"updated_after": "2000-01-01T00:00:00Z", "page_size": 25})

    assert len(ids) == len(set(ids)) == 130
    assert ids[:70] == tied  # (updated_at, id) order: the tied moment first, by id
    assert all("page=" not in (body["next"] or "") for body in bodies)
    assert all("cursor=" in body["next"] for body in bodies[:-1])


def test_a_whole_tree_whose_estimate_is_too_low_still_reaches_every_row(
    tree, user_in, api_as, monkeypatch
):
    people(tree.village_a1, 40)
    people(tree.village_b1, 40, prefix="别")
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 10)
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 3)  # stale statistics
    district = api_as(user_in(tree.district, Role.DISTRICT_ADMIN))

    paged, page_bodies = walk(district, MEMBERS, {"page_size": 7})
    synced, _ = walk(district, MEMBERS, {"updated_after": "2000-01-01T00:00:00Z", "page_size": 7})

    assert page_bodies[0]["count"] == 11  # never below the cap + 1, flagged
    assert len(paged) == len(set(paged)) == 80
    assert sorted(synced) == sorted(paged)


def test_count_exact_counts_every_row(tree, user_in, api_as, monkeypatch):
    people(tree.village_a1, 12)
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 5)
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    capped = client.get(MEMBERS, {"page_size": 4}).json()
    exact = client.get(MEMBERS, {"page_size": 4, "count": "exact"}).json()

    assert (capped["count"], capped["count_is_estimate"]) == (6, True)
    assert (exact["count"], "count_is_estimate" in exact) == (12, False)


def test_a_first_page_holding_the_whole_list_counts_itself(
    tree, user_in, api_as, django_assert_num_queries
):
    people(tree.village_a1, 3)
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    client.get(MEMBERS)  # the token's first use

    with django_assert_num_queries(3) as captured:  # the token, the throttle, the page: no COUNT
        body = client.get(MEMBERS).json()

    assert body["count"] == len(body["results"]) == 3
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)


def test_a_count_above_the_cap_is_remembered_for_the_next_pages(
    tree, user_in, api_as, monkeypatch, django_assert_num_queries
):
    people(tree.village_a1, 12)
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 5)
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    first = client.get(MEMBERS, {"page_size": 4}).json()

    with django_assert_num_queries(3) as captured:  # token, throttle, page: the count remembered
        second = client.get(first["next"]).json()

    assert (second["count"], second["count_is_estimate"]) == (6, True)
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)
    assert {row["id"] for row in second["results"]}.isdisjoint(r["id"] for r in first["results"])


@pytest.mark.parametrize("cursor", ["garbage!", "bm90IGpzb24", "WyJ4IiwgMV0"])
def test_a_cursor_the_server_did_not_give_is_400(tree, user_in, api_as, cursor):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.get(MEMBERS, {"updated_after": "2000-01-01T00:00:00Z", "cursor": cursor})

    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


@pytest.mark.parametrize("page", ["0", "x", "3"])
def test_a_page_that_is_not_there_is_404(tree, user_in, api_as, page):
    people(tree.village_a1, 3)
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    assert client.get(MEMBERS, {"page": page, "page_size": 2}).status_code == 404


@pytest.mark.django_db
def test_a_page_number_past_any_list_is_a_404_not_a_server_error(tree, user_in, api_as):
    """A fuzzer's page=61489146912365174 made an OFFSET past bigint: a 500 (now 404)."""
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    assert client.get("/api/v1/members/", {"page": "61489146912365174"}).status_code == 404
    assert client.get("/api/v1/members/", {"page": "1000000000"}).status_code == 404


@pytest.mark.django_db
def test_a_page_number_in_other_digits_is_a_404(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    assert client.get("/api/v1/members/", {"page": "²"}).status_code == 404
    assert client.get("/api/v1/members/", {"page": "٣"}).status_code == 404
