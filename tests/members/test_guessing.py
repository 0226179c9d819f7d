"""Recovering a masked ID number by guessing (issue 10, item 1; docs/identity.md).

A list shows a person's region and last four digits; the eight hidden digits are the birth
date. Each attack here builds the candidates from what the attacker's role is shown, then
tries them through one path that could confirm a guess. Each must fail: the candidates are
thousands (no year of birth beside the last four), and every check of a submitted number by a
role that reads numbers masked is counted against one limit per account and logged.
"""

import datetime
import uuid

import pytest
from django.utils import timezone

from apps.core.identity import check_character
from apps.members.models import IdentityCheck, Member
from apps.members.services import identity_checks
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

URL = "/api/v1/members/"
BORN = datetime.date(1985, 3, 8)
ID_NUMBER = make_id_number(BORN, "female", sequence=7)
LIMIT = identity_checks.CHECKS_PER_HOUR


@pytest.fixture
def target(tree):
    return make_member(tree.village_a1, name="陈美华", id_number=ID_NUMBER, birth_date=None)


@pytest.fixture
def station(tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


def shown(client, person) -> dict:
    """The person's row as the caller's list shows it."""
    rows = client.get(URL, {"organization": person.organization_id}).json()["results"]
    return next(row for row in rows if row["id"] == person.pk)


def candidates(row: dict, *, year: int | None = None):
    """Every valid number that agrees with what ``row`` shows: the region, the last four,
    and the year of birth if shown (or ``year``), else every year of a plausible age."""
    region, tail = row["id_number"][:6], row["id_number"][-4:]
    year = year or row["birth_year"]
    years = [year] if year else range(timezone.localdate().year - 100, timezone.localdate().year)
    for each in years:
        day = datetime.date(each, 1, 1)
        while day.year == each:
            first17 = f"{region}{day:%Y%m%d}{tail[:3]}"
            if check_character(first17) == tail[3]:
                yield first17 + tail[3]
            day += datetime.timedelta(days=1)


def attack(confirm, guesses, *, at_most=400):
    """Try ``guesses`` until one is confirmed, the answers stop (429), or ``at_most`` tries.
    Returns (the number recovered or None, the answers seen)."""
    answers = []
    for number in list(guesses)[:at_most]:
        response = confirm(number)
        answers.append(response)
        if response.status_code == 429:
            return None, answers
        if confirmed(response):
            return number, answers
    return None, answers


def confirmed(response) -> bool:
    body = response.json()
    if response.status_code == 200 and isinstance(body, list):
        return bool(body)  # a look-up that found someone
    return response.status_code == 400 and "existing" in body  # "already on file: <name>"


# What a role that reads numbers masked is shown.


def test_a_masked_reader_sees_no_year_of_birth_beside_the_last_four(tree, target, user_in, api_as):
    station = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    row = shown(station, target)
    page = station.get(f"{URL}{target.pk}/").json()
    found = station.post(f"{URL}lookup/", {"id_number": ID_NUMBER}, format="json").json()

    assert row["id_number"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert (row["birth_year"], row["birth_date"]) == (None, None)
    assert (page["birth_year"], page["birth_date"]) == (None, None)
    assert (found[0]["birth_year"], found[0]["birth_date"]) == (None, None)
    # Roles that read numbers in full still see the year in lists, and the date on the page.
    staff = api_as(user_in(tree.district, Role.STAFF))
    assert shown(staff, target)["birth_year"] == 1985


def test_what_a_masked_reader_is_shown_leaves_thousands_of_candidates(tree, target, station):
    assert len(list(candidates(shown(station, target)))) > 3000
    assert len(list(candidates(shown(station, target), year=1985))) < 40  # the year: ~33


# The four paths that confirmed a guess.


def test_a_station_cannot_recover_a_number_by_lookups(target, station):
    def lookup(number):
        return station.post(f"{URL}lookup/", {"id_number": number}, format="json")

    recovered, answers = attack(lookup, candidates(shown(station, target)))

    assert recovered is None
    assert answers[-1].status_code == 429
    assert len(answers) == LIMIT + 1


def test_a_station_cannot_recover_a_number_from_the_already_on_file_error(target, station):
    def create(number):
        gender = "male" if int(number[16]) % 2 else "female"
        body = {"client_id": str(uuid.uuid4()), "name": "试探", "gender": gender}
        return station.post(URL, {**body, "id_number": number}, format="json")

    recovered, answers = attack(create, candidates(shown(station, target)))

    assert recovered is None
    assert answers[-1].status_code == 429
    assert Member.objects.filter(id_number=ID_NUMBER).count() == 1


def test_a_birth_date_sent_alone_tells_nothing_about_the_id_number(target, station):
    """Even an attacker who knows the year: every date is refused with the same words, the
    right one too, and nothing changes."""

    def patch(number):
        version = station.get(f"{URL}{target.pk}/").json()["version"]
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        body = {"birth_date": born.isoformat(), "version": version}
        return station.patch(f"{URL}{target.pk}/", body, format="json")

    answers = [patch(number) for number in candidates(shown(station, target), year=1985)]

    assert {answer.status_code for answer in answers} == {400}
    assert len({answer.content for answer in answers}) == 1
    assert answers[0].json()["birth_date"] == ["出生日期按身份证号码填写：请改正身份证号码。"]
    target.refresh_from_db()
    assert (target.birth_date, target.version) == (BORN, 1)


def test_a_changed_id_number_brings_its_own_birth_date(target, user_in, api_as, tree):
    """Else a PATCH of the number alone would answer "does not agree" for every guess but
    the number on file."""
    staff = api_as(user_in(tree.district, Role.STAFF))
    other = make_id_number(datetime.date(1990, 5, 6), "female", sequence=8)

    response = staff.patch(f"{URL}{target.pk}/", {"id_number": other, "version": 1}, format="json")

    assert response.status_code == 200, response.content
    target.refresh_from_db()
    assert (target.id_number, target.birth_date) == (other, datetime.date(1990, 5, 6))


def test_no_role_that_reads_numbers_masked_reaches_an_import(tree, user_in, browser_as):
    """An import's dry run says "already on file" for each row: it is open only to roles that
    read numbers in full (case workers do not add people; stations do not enter the admin)."""
    for url in ("/admin/members/member/import/", "/admin/members/appointment/import/"):
        for role in (Role.CASE_WORKER, Role.STATION_OPERATOR):
            response = browser_as(user_in(tree.district, role)).get(url)
            assert response.status_code in (302, 403), (url, role)
    for role in Role:
        account = user_in(tree.district, role)
        if account.is_staff and account.has_perm("members.add_member"):
            assert account.has_perm("members.view_identity"), role
        if account.is_staff and account.has_perm("members.add_appointment"):
            assert account.has_perm("members.view_identity"), role


# The limit.


def test_over_the_limit_the_answer_is_a_chinese_429_with_retry_after(target, station):
    for n in range(LIMIT):
        number = make_id_number(datetime.date(1960, 1, 1) + datetime.timedelta(n), sequence=9)
        assert (
            station.post(f"{URL}lookup/", {"id_number": number}, format="json").status_code == 200
        )

    refused = station.post(f"{URL}lookup/", {"id_number": ID_NUMBER}, format="json")

    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "本账号一小时内核对身份证号码的次数已达上限，请稍后再试。",
        "code": "identity_checks_exhausted",
    }
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "陈美华" not in refused.content.decode()


def test_the_same_number_checked_again_counts_once(target, station):
    """A station looks a person up, then registers her: one number, one check."""
    number = make_id_number(datetime.date(1970, 1, 1), sequence=11)
    for _ in range(LIMIT + 5):
        response = station.post(f"{URL}lookup/", {"id_number": number}, format="json")
        assert response.status_code == 200

    created = station.post(
        URL,
        {"client_id": str(uuid.uuid4()), "name": "新人", "gender": "female", "id_number": number},
        format="json",
    )

    assert created.status_code == 201
    assert IdentityCheck.objects.filter(refused=False).values("number_key").distinct().count() == 1


def test_a_station_registers_its_limit_of_new_people_in_an_hour(station):
    for n in range(LIMIT):
        number = make_id_number(datetime.date(1950, 1, 1) + datetime.timedelta(n), sequence=12)
        body = {"client_id": str(uuid.uuid4()), "name": f"人{n}", "gender": "female"}
        response = station.post(URL, {**body, "id_number": number}, format="json")
        assert response.status_code == 201, response.content


def test_checks_older_than_an_hour_no_longer_count(target, station, user_in, tree):
    operator = IdentityCheck.objects.model._meta.get_field("user").related_model.objects.get(
        role=Role.STATION_OPERATOR
    )
    long_ago = timezone.now() - datetime.timedelta(hours=1, minutes=1)
    IdentityCheck.objects.bulk_create(
        IdentityCheck(user=operator, at=long_ago, through="lookup", number_key=str(n))
        for n in range(LIMIT)
    )

    response = station.post(f"{URL}lookup/", {"id_number": ID_NUMBER}, format="json")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [target.pk]


def test_roles_that_read_numbers_in_full_are_neither_limited_nor_logged(tree, user_in, api_as):
    staff = api_as(user_in(tree.district, Role.STAFF))
    for n in range(LIMIT + 1):
        number = make_id_number(datetime.date(1960, 1, 1) + datetime.timedelta(n), sequence=9)
        assert staff.post(f"{URL}lookup/", {"id_number": number}, format="json").status_code == 200

    assert not IdentityCheck.objects.exists()


def test_each_check_is_logged_masked_and_shown_to_the_district_admins_above(
    tree, target, station, user_in, browser_as
):
    station.post(f"{URL}lookup/", {"id_number": ID_NUMBER}, format="json")
    url = "/admin/members/identitycheck/"

    above = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN)).get(url)
    sibling = browser_as(user_in(tree.street_b, Role.DISTRICT_ADMIN)).get(url)
    staff = browser_as(user_in(tree.district, Role.STAFF)).get(url)

    check = IdentityCheck.objects.get()
    assert (check.through, check.masked_number, check.refused) == (
        "lookup",
        ID_NUMBER[:6] + "********" + ID_NUMBER[-4:],
        False,
    )
    assert ID_NUMBER not in str(vars(check))
    assert above.status_code == 200 and ID_NUMBER[:6] + "********" in above.content.decode()
    assert sibling.status_code == 200 and ID_NUMBER[:6] + "********" not in sibling.content.decode()
    assert staff.status_code == 403
