"""People in the admin: numbers masked in lists, search by the last digits, soft deletion."""

import datetime
import logging
import re
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from apps.core import pagination
from apps.core.actors import SYSTEM
from apps.members.admin import search as admin_search
from apps.members.admin.people import MemberAdmin
from apps.members.models import Member
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/members/member/"
SEARCH = "/admin/members/member/search/"
ID_NUMBER = make_id_number(datetime.date(1979, 6, 1), "female", sequence=321)


@pytest.fixture
def people(tree):
    return {
        "mine": make_member(
            tree.village_a1,
            name="周桂兰",
            id_number=ID_NUMBER,
            birth_date=None,
            phone="13912345678",
        ),
        "sibling": make_member(tree.village_b1, name="吴春燕", phone="13987654321"),
    }


def test_the_list_shows_the_subtree_with_numbers_masked(tree, people, user_in, browser_as):
    page = browser_as(user_in(tree.street_a, Role.STAFF)).get(CHANGELIST)

    body = page.content.decode()
    assert page.status_code == 200
    assert "周桂兰" in body and "吴春燕" not in body
    assert ID_NUMBER not in body and ID_NUMBER[:6] + "********" + ID_NUMBER[-4:] in body
    assert "13912345678" not in body and "139****5678" in body
    assert "1979年6月1日" not in body  # the birth date is the masked middle of the ID number


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("5678", ["周桂兰"]),
        (ID_NUMBER[-4:], ["周桂兰"]),
        ("4321", ["吴春燕"]),
        ("桂兰", ["周桂兰"]),
    ],
)
def test_search_by_name_or_the_last_digits(tree, people, user_in, browser_as, term, found):
    page = browser_as(user_in(tree.district, Role.STAFF)).get(CHANGELIST, {"q": term})

    body = page.content.decode()
    for name in ["周桂兰", "吴春燕"]:
        assert (name in body) == (name in found), name


@pytest.mark.parametrize(
    ("role", "full"), [(Role.STAFF, True), (Role.DISTRICT_ADMIN, True), (Role.CASE_WORKER, False)]
)
def test_the_form_shows_full_numbers_only_to_roles_that_read_them(
    tree, people, user_in, browser_as, role, full
):
    page = browser_as(user_in(tree.district, role)).get(f"{CHANGELIST}{people['mine'].pk}/change/")

    body = page.content.decode()
    assert page.status_code == 200
    assert (ID_NUMBER in body) == full
    assert ("1979-06-01" in body or "1979/06/01" in body) == full
    assert ("13912345678" in body or "+8613912345678" in body) == full


def test_a_person_added_in_the_admin_is_stored_normalized_with_history(tree, user_in, browser_as):
    staff = user_in(tree.street_a, Role.STAFF)
    page = browser_as(staff).post(
        f"{CHANGELIST}add/",
        {
            "organization": tree.village_a2.pk,
            "name": "郑小红",
            "gender": "female",
            "ethnicity": "han",
            "id_number": ID_NUMBER.lower(),
            "phone": "139-1234-5678",
            "appointments-TOTAL_FORMS": "0",
            "appointments-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 302, page.content.decode()[:2000]
    member = Member.objects.get(name="郑小红")
    assert (member.id_number, member.phone) == (ID_NUMBER, "+8613912345678")
    assert member.birth_date == datetime.date(1979, 6, 1)
    assert member.history.get().history_user == staff


def test_a_person_outside_the_subtree_cannot_be_added(tree, user_in, browser_as):
    page = browser_as(user_in(tree.street_a, Role.STAFF)).post(
        f"{CHANGELIST}add/",
        {
            "organization": tree.village_b1.pk,
            "name": "外人",
            "gender": "female",
            "ethnicity": "han",
        },
    )

    assert page.status_code == 200
    assert not Member.objects.exists()


def test_deleting_marks_the_person_deleted_and_hides_them(tree, people, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.STAFF))
    member = people["mine"]

    page = client.post(f"{CHANGELIST}{member.pk}/delete/", {"post": "yes"})

    assert page.status_code == 302
    member.refresh_from_db()
    assert member.deleted_at is not None
    assert member not in client.get(CHANGELIST).context["cl"].result_list


def test_no_id_number_or_phone_reaches_a_log_line(
    tree, people, user_in, browser_as, api_as, caplog
):
    caplog.set_level(logging.DEBUG)
    staff = user_in(tree.district, Role.STAFF)
    api = api_as(staff)
    body = {"client_id": "6c1b7c2e-6a43-4a70-9d0a-5d2ad6a1a001", "name": "测", "gender": "male"}
    api.post(
        "/api/v1/members/", {**body, "id_number": ID_NUMBER, "phone": "13912345678"}, format="json"
    )
    api.post("/api/v1/members/", {**body, "id_number": ID_NUMBER[:-1] + "Y"}, format="json")
    api.get(f"/api/v1/members/{people['mine'].pk}/")
    browser_as(staff).get(CHANGELIST, {"q": "5678"})

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records  # the requests above did log something (a 400 at least)
    for secret in (ID_NUMBER, ID_NUMBER[:17], "13912345678", "+8613912345678"):
        assert secret not in text


@pytest.mark.parametrize(
    "lookup",
    [
        {"id_number__startswith": ID_NUMBER[:14]},
        {"id_number": ID_NUMBER},
        {"phone__startswith": "+86139123"},
        {"birth_date": "1979-06-01"},
    ],
)
def test_url_lookups_cannot_probe_the_hidden_digits(tree, people, user_in, browser_as, lookup):
    page = browser_as(user_in(tree.district, Role.CASE_WORKER)).get(CHANGELIST, lookup)

    assert page.status_code == 400  # Django's "disallowed lookup", not a filtered list


def test_the_list_filters_still_work(tree, people, user_in, browser_as):
    page = browser_as(user_in(tree.district, Role.STAFF)).get(CHANGELIST, {"gender__exact": "male"})

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == []


def test_the_history_page_masks_numbers_for_roles_that_see_them_masked(tree, user_in, browser_as):
    member = make_member(tree.village_a1)
    old_id, old_phone = member.id_number, member.phone
    born = datetime.date(1990, 5, 6)
    new_id = make_id_number(born, "female", sequence=42)
    services.member_update(
        by=SYSTEM, member=member, id_number=new_id, birth_date=born, phone="13912345678"
    )
    url = f"{CHANGELIST}{member.pk}/history/"

    masked = browser_as(user_in(tree.district, Role.CASE_WORKER)).get(url).content.decode()
    full = browser_as(user_in(tree.district, Role.STAFF)).get(url).content.decode()

    for number in (old_id, new_id, old_phone, "+8613912345678"):
        assert number not in masked
    assert new_id[:6] + "********" + new_id[-4:] in masked
    assert "1990" not in masked and "****-**-**" in masked  # not even the year: docs/identity.md
    assert new_id in full


def test_a_role_that_reads_numbers_masked_sees_no_year_of_birth(tree, people, user_in, browser_as):
    """Beside the last four, the year leaves some 33 numbers (docs/identity.md)."""
    case_worker = browser_as(user_in(tree.district, Role.CASE_WORKER))
    staff = browser_as(user_in(tree.district, Role.STAFF))

    listed = case_worker.get(CHANGELIST).content.decode()
    page = case_worker.get(f"{CHANGELIST}{people['mine'].pk}/change/").content.decode()

    assert "周桂兰" in listed and ID_NUMBER[-4:] in listed
    for body in (listed, page):
        assert "1979" not in body and "出生年份" not in body
    assert "1979" in staff.get(CHANGELIST).content.decode()


@pytest.mark.parametrize(("role", "found"), [(Role.STAFF, True), (Role.CASE_WORKER, False)])
def test_only_roles_that_read_numbers_may_search_by_more_than_the_shown_four(
    tree, people, user_in, browser_as, role, found
):
    six = ID_NUMBER[-6:]  # two of these digits are hidden by the mask

    page = browser_as(user_in(tree.district, role)).get(CHANGELIST, {"q": six})

    assert (people["mine"] in page.context["cl"].result_list) == found


# --- The search box posts: a number never reaches a URL ---------------------------------------


def searched(client, term, **filters):
    """Search as the box does: POST, then follow the redirect; (where it went, the page)."""
    posted = client.post(SEARCH, {"q": term, **filters})
    assert posted.status_code == 302
    location = posted["Location"]
    return location, client.get(location)


def names(page) -> list[str]:
    return [person.name for person in page.context["cl"].result_list]


def test_the_lists_search_box_posts_to_the_search_view(tree, user_in, browser_as):
    page = browser_as(user_in(tree.district, Role.STAFF)).get(CHANGELIST)

    form = re.search(r'<form id="changelist-search"[^>]*>', page.content.decode()).group()
    assert form == (f'<form id="changelist-search" method="post" action="{SEARCH}" role="search">')
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("桂兰", ["周桂兰"]),
        ("5678", ["周桂兰"]),
        (ID_NUMBER[-4:], ["周桂兰"]),
        ("4321", ["吴春燕"]),
    ],
)
def test_a_posted_search_finds_by_name_or_last_digits_as_before(
    tree, people, user_in, browser_as, term, found
):
    location, page = searched(browser_as(user_in(tree.district, Role.STAFF)), term)

    assert parse_qs(urlsplit(location).query) == {"q": [term]}
    assert names(page) == found


@pytest.mark.parametrize(
    ("term", "found"),
    [
        (ID_NUMBER, ["周桂兰"]),
        (ID_NUMBER.lower(), ["周桂兰"]),
        ("139 1234 5678", ["周桂兰"]),
        (ID_NUMBER[:17], []),  # not a whole number: nothing, and not in the URL either
    ],
)
def test_a_full_number_is_found_through_a_token_and_never_put_in_a_url(
    tree, people, user_in, browser_as, caplog, term, found
):
    caplog.set_level(logging.DEBUG)
    client = browser_as(user_in(tree.district, Role.STAFF))

    location, page = searched(client, term, gender__exact="female")

    query = parse_qs(urlsplit(location).query)
    assert sorted(query) == ["gender__exact", "q_token"]  # the filter kept, the term replaced
    assert not re.search(r"\d{7}", location)
    assert names(page) == found
    next_page = client.get(CHANGELIST, {**{k: v[0] for k, v in query.items()}, "o": "1"})
    assert names(next_page) == found  # the list's own links keep the token
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (ID_NUMBER, ID_NUMBER[:17], "13912345678", "+8613912345678"):
        assert secret not in logged


def test_a_role_that_sees_numbers_masked_finds_no_one_by_a_full_number(
    tree, people, user_in, browser_as
):
    location, page = searched(browser_as(user_in(tree.district, Role.CASE_WORKER)), ID_NUMBER)

    assert "q_token" in parse_qs(urlsplit(location).query)
    assert names(page) == []


def test_a_number_in_the_address_is_not_searched_and_the_user_is_told(
    tree, people, user_in, browser_as
):
    client = browser_as(user_in(tree.district, Role.STAFF))

    page = client.get(CHANGELIST, {"q": ID_NUMBER, "gender__exact": "female"})
    listed = client.get(page["Location"])

    assert page.status_code == 302
    assert page["Location"] == f"{CHANGELIST}?gender__exact=female"
    with translation.override("zh-hans"):
        told = str(admin_search.NUMBERS_BY_THE_BOX)
    assert told in listed.content.decode()


def test_a_token_is_the_sessions_own_and_expires(tree, people, user_in, browser_as, monkeypatch):
    staff = browser_as(user_in(tree.district, Role.STAFF))
    location, _ = searched(staff, ID_NUMBER)
    other = browser_as(user_in(tree.district, Role.STAFF))

    elsewhere = other.get(location)
    after = time.time() + admin_search.TOKEN_SECONDS + 1
    monkeypatch.setattr(admin_search, "time", SimpleNamespace(time=lambda: after))
    later = staff.get(location)
    searched(staff, "13912345678")  # a new search drops the expired one

    with translation.override("zh-hans"):
        told = str(admin_search.SEARCH_AGAIN)
    assert (names(elsewhere), told in elsewhere.content.decode()) == ([], True)
    assert (names(later), told in later.content.decode()) == ([], True)
    expired = parse_qs(urlsplit(location).query)["q_token"][0]
    kept = staff.session[admin_search.SESSION_KEY]
    assert len(kept) == 1 and expired not in kept


# --- The list's cost: a fixed number of queries, no COUNT of the whole table ----------------


def crowd(organization, n):
    Member.objects.bulk_create(
        Member(
            organization=organization, name=f"人{i:03d}", name_pinyin=f"ren{i:03d}", gender="female"
        )
        for i in range(n)
    )


@pytest.mark.parametrize("people", [3, 150])
def test_the_list_is_a_fixed_number_of_queries(
    tree, user_in, browser_as, people, django_assert_num_queries
):
    crowd(tree.village_a1, people)
    client = browser_as(user_in(tree.district, Role.STAFF))

    # the session, the account, its organization, the capped count, the page
    with django_assert_num_queries(5):
        assert client.get(CHANGELIST).status_code == 200


def test_past_the_cap_the_count_says_so_and_every_page_is_linked(
    tree, user_in, browser_as, monkeypatch
):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 10)
    monkeypatch.setattr(MemberAdmin, "list_per_page", 5)
    crowd(tree.village_a1, 23)
    street = browser_as(user_in(tree.street_a, Role.STAFF))

    pages = [street.get(CHANGELIST, {"p": p}) for p in range(1, 7)]

    bodies = [page.content.decode() for page in pages]
    shown = [[m.name for m in page.context["cl"].result_list] for page in pages]
    assert shown[:5] == [[f"人{i:03d}" for i in range(n, min(n + 5, 23))] for n in range(0, 25, 5)]
    assert (pages[5].status_code, shown[5]) == (200, [])
    assert all("超过 10 人员" in body for body in bodies[:5])
    assert [f'href="?p={n + 2}"' in body for n, body in enumerate(bodies[:5])] == [
        True,
        True,
        True,
        True,
        False,
    ]


def test_the_whole_tree_sees_the_estimate(tree, user_in, browser_as, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 10)
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 12)
    monkeypatch.setattr(MemberAdmin, "list_per_page", 5)
    crowd(tree.village_a1, 23)
    district = browser_as(user_in(tree.district, Role.STAFF))

    page = district.get(CHANGELIST, {"p": 5})

    assert "约 12 人员" in page.content.decode()
    assert [m.name for m in page.context["cl"].result_list] == ["人020", "人021", "人022"]
