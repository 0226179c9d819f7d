"""The people, appointments and meetings lists filtered by street and by village, and searched by
an organization's name (apps/organizations/admin_filters.py, docs/scoping.md)."""

import datetime
import json

import pytest

from apps.core.actors import SYSTEM
from apps.members.services import branch as branch_services
from apps.members.services import people as services
from apps.organizations.choices import Kind
from apps.organizations.roles import Role
from tests.factories.members import make_member
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db


def a_record_of_each_list(organization, name, role, kind, held_on, topic) -> None:
    """A person of ``organization``, her term there since 2020, and a meeting held there: one
    row in each list the tree filters narrow."""
    person = make_member(organization, name=name)
    services.appointment_create(
        by=SYSTEM,
        member=person,
        organization=organization,
        role=role,
        started_on=datetime.date(2020, 1, 1),
    )
    branch_services.branch_meeting_create(
        by=SYSTEM, organization=organization, kind=kind, held_on=held_on, topic=topic
    )


PEOPLE = "/admin/members/member/"
APPOINTMENTS = "/admin/members/appointment/"
MEETINGS = "/admin/members/branchmeeting/"
AUTOCOMPLETE = "/admin/organizations/autocomplete/"


@pytest.fixture
def everywhere(tree):
    """One person (with an appointment) and one meeting in each village, the street's own
    committee and the other street's village: names say where."""
    places = {
        "a1": tree.village_a1,
        "a2": tree.village_a2,
        "committee": tree.committee_a,
        "b1": tree.village_b1,
    }
    for key, organization in places.items():
        a_record_of_each_list(
            organization, f"{key}人", "chair", "committee", datetime.date(2023, 6, 1), f"{key}会"
        )
    return places


def shown(client, url, **params) -> list[str]:
    """What the list shows, one name per row (person, appointment's person, meeting's topic)."""
    page = client.get(url, params)
    assert page.status_code == 200, page.content.decode()[:500]
    rows = page.context["cl"].result_list
    return sorted(getattr(row, "topic", None) or str(getattr(row, "member", row)) for row in rows)


LISTS = [PEOPLE, APPOINTMENTS, MEETINGS]
IN_A1 = {PEOPLE: "a1人", APPOINTMENTS: "a1人", MEETINGS: "a1会"}


def names(url, *keys) -> list[str]:
    suffix = "会" if url == MEETINGS else "人"
    return sorted(f"{key}{suffix}" for key in keys)


@pytest.mark.parametrize("url", LISTS)
def test_a_street_is_the_people_of_all_its_villages(tree, everywhere, user_in, browser_as, url):
    district = browser_as(user_in(tree.district, Role.STAFF))

    assert shown(district, url, street=tree.street_a.pk) == names(url, "a1", "a2", "committee")
    assert shown(district, url, street=tree.street_b.pk) == names(url, "b1")
    assert shown(district, url, village=tree.village_a2.pk) == names(url, "a2")
    assert shown(district, url) == names(url, "a1", "a2", "b1", "committee")


@pytest.mark.parametrize("url", LISTS)
def test_a_street_admin_cannot_filter_to_another_streets_people(
    tree, everywhere, user_in, browser_as, url
):
    street = browser_as(user_in(tree.street_a, Role.STAFF))

    other_street = street.get(url, {"street": tree.street_b.pk})
    other_village = street.get(url, {"village": tree.village_b1.pk})

    for page in (other_street, other_village):
        body = page.content.decode()
        assert page.status_code == 200
        assert list(page.context["cl"].result_list) == []
        assert "乙镇妇联" not in body and "乙一村妇联" not in body  # not even its name
    assert shown(street, url, village=tree.village_a1.pk) == names(url, "a1")


@pytest.mark.parametrize(
    "value", [str(10**12), "abc", "-1", "", "1 OR 1=1"], ids=["huge", "word", "neg", "empty", "sql"]
)
def test_a_value_that_names_no_street_of_the_subtree_filters_to_nothing(
    tree, everywhere, user_in, browser_as, value
):
    district = browser_as(user_in(tree.district, Role.STAFF))

    assert shown(district, PEOPLE, street=value) == []


def test_a_village_is_not_a_street_nor_a_street_a_village(tree, everywhere, user_in, browser_as):
    district = browser_as(user_in(tree.district, Role.STAFF))

    assert shown(district, PEOPLE, street=tree.village_a1.pk) == []
    assert shown(district, PEOPLE, village=tree.street_a.pk) == []


def test_the_chosen_street_is_named_in_the_filter_and_the_others_are_not_listed(
    tree, everywhere, user_in, browser_as
):
    page = browser_as(user_in(tree.district, Role.STAFF)).get(PEOPLE, {"street": tree.street_a.pk})

    body = page.content.decode()
    assert f'<option value="{tree.street_a.pk}" selected>甲街道妇联</option>' in body
    assert "乙镇妇联" not in body  # no flat list of names in the sidebar
    assert 'data-kind="street"' in body and 'data-kind="village"' in body
    assert f'data-within="{tree.street_a.pk}"' in body  # the villages offered: this street's
    assert body.count("select2.full.min.js") == 1  # once for both filters


@pytest.mark.parametrize(
    ("where", "kinds"),
    [("district", ["street", "village"]), ("street_a", ["village"]), ("village_a1", [])],
)
def test_each_account_is_offered_the_filters_its_subtree_needs(
    tree, user_in, browser_as, where, kinds
):
    page = browser_as(user_in(getattr(tree, where), Role.STAFF)).get(PEOPLE)

    body = page.content.decode()
    assert [kind for kind in ("street", "village") if f'data-kind="{kind}"' in body] == kinds


def test_the_filters_keep_the_lists_other_filters(tree, everywhere, user_in, browser_as):
    make_member(tree.village_a1, name="a1男", gender="male")
    district = browser_as(user_in(tree.district, Role.STAFF))

    page = district.get(PEOPLE, {"street": tree.street_a.pk, "gender__exact": "male"})

    assert [person.name for person in page.context["cl"].result_list] == ["a1男"]
    # picking a street replaces only its own parameter
    assert 'data-base="?gender__exact=male"' in page.content.decode()


# --- The autocomplete ----------------------------------------------------------------------


def offered(client, **params) -> list[str]:
    answer = client.get(AUTOCOMPLETE, params)
    assert answer.status_code == 200
    return [result["text"] for result in json.loads(answer.content)["results"]]


def test_the_autocomplete_offers_the_subtrees_organizations_of_the_kind(tree, user_in, browser_as):
    district = browser_as(user_in(tree.district, Role.STAFF))
    street = browser_as(user_in(tree.street_a, Role.STAFF))

    assert offered(district, kind="street") == ["甲街道妇联", "乙镇妇联"]
    assert offered(district, kind="village", term="一") == [
        "甲一社区妇联（甲街道妇联）",
        "乙一村妇联（乙镇妇联）",
    ]
    assert offered(district, kind="village", within=tree.street_b.pk) == ["乙一村妇联（乙镇妇联）"]
    assert offered(street, kind="street") == ["甲街道妇联"]
    assert offered(street, kind="village") == [
        "甲一社区妇联（甲街道妇联）",
        "甲二社区妇联（甲街道妇联）",
    ]
    assert offered(street, kind="village", within=tree.street_b.pk) == []  # not in its subtree
    assert offered(street, kind="village", term="乙") == []


def test_the_autocomplete_finds_by_pinyin_and_pages(tree, user_in, browser_as):
    for n in range(25):
        make_org(tree.street_b, Kind.VILLAGE, f"竹林{n:02d}村妇联")
    district = browser_as(user_in(tree.district, Role.STAFF))

    first = json.loads(district.get(AUTOCOMPLETE, {"kind": "village", "term": "zhu lin"}).content)
    second = json.loads(
        district.get(AUTOCOMPLETE, {"kind": "village", "term": "zhu lin", "page": 2}).content
    )

    assert (len(first["results"]), first["pagination"]["more"]) == (20, True)
    assert (len(second["results"]), second["pagination"]["more"]) == (5, False)
    assert second["results"][-1]["text"] == "竹林24村妇联（乙镇妇联）"


def test_the_autocomplete_is_for_signed_in_staff_and_its_two_kinds(tree, user_in, browser_as):
    from django.test import Client

    anonymous = Client().get(AUTOCOMPLETE, {"kind": "street"})
    station = browser_as(user_in(tree.village_a1, Role.STATION_OPERATOR)).get(
        AUTOCOMPLETE, {"kind": "street"}
    )
    other_kind = browser_as(user_in(tree.district, Role.STAFF)).get(
        AUTOCOMPLETE, {"kind": "district"}
    )

    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert station.status_code == 302  # not staff: the admin's login
    assert other_kind.status_code == 400


def test_the_autocomplete_takes_a_fixed_number_of_queries(
    tree, user_in, browser_as, django_assert_num_queries
):
    for n in range(30):
        make_org(tree.street_a, Kind.VILLAGE, f"加{n:02d}村妇联")
    client = browser_as(user_in(tree.district, Role.STAFF))

    # the session, the account, its organization, the chosen street, the page of villages
    with django_assert_num_queries(5):
        client.get(AUTOCOMPLETE, {"kind": "village", "within": tree.street_a.pk})


# --- Search by an organization's name -------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_the_search_finds_the_records_of_an_organization_by_its_name(
    tree, everywhere, user_in, browser_as, url
):
    district = browser_as(user_in(tree.district, Role.STAFF))

    assert shown(district, url, q="甲二社区") == names(url, "a2")
    assert shown(district, url, q="乙一村") == names(url, "b1")


def test_a_street_admin_finds_no_one_by_another_streets_village(
    tree, everywhere, user_in, browser_as
):
    street = browser_as(user_in(tree.street_a, Role.STAFF))

    assert shown(street, PEOPLE, q="乙一村") == []
    assert shown(street, PEOPLE, q="甲一") == ["a1人"]


def test_the_posted_search_box_finds_by_organization_too(tree, everywhere, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.STAFF))

    posted = client.post(f"{PEOPLE}search/", {"q": "甲二社区", "street": tree.street_a.pk})

    assert posted.status_code == 302
    assert shown(client, posted["Location"]) == ["a2人"]
    assert f"street={tree.street_a.pk}" in posted["Location"]  # the filter kept


# --- The lists' cost with a filter applied --------------------------------------------------


def crowd(organization, n):
    for i in range(n):
        held_on = datetime.date(2023, 1, 1) + datetime.timedelta(days=i)
        name, topic = f"人{i:03d}", f"会{i:03d}"
        a_record_of_each_list(organization, name, "volunteer", "group", held_on, topic)


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("rows", [2, 30])
def test_a_filtered_list_is_a_fixed_number_of_queries(
    tree, user_in, browser_as, django_assert_num_queries, url, rows
):
    crowd(tree.village_a1, rows)
    crowd(tree.village_b1, 2)
    client = browser_as(user_in(tree.district, Role.STAFF))
    client.get(url)  # the session is loaded and saved once

    # the session, the account, its organization, the street chosen, the village chosen, the
    # capped count, the page
    with django_assert_num_queries(7):
        page = client.get(url, {"street": tree.street_a.pk, "village": tree.village_a1.pk})

    assert page.context["cl"].result_count == rows


def test_the_autocomplete_refuses_what_postgresql_or_int_would_not_take(tree, user_in, browser_as):
    """Digits that are not ASCII ("²") and a NUL in the typed text: a 4xx or an empty page,
    never a server error."""
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    url = "/admin/organizations/autocomplete/"

    assert client.get(url, {"kind": "street", "page": "²"}).status_code == 200
    assert client.get(url, {"kind": "village", "within": "²"}).status_code == 200
    assert client.get(url, {"kind": "street", "term": "甲\x00"}).status_code == 400
    assert client.get("/admin/members/member/", {"street": "²"}).status_code == 200
