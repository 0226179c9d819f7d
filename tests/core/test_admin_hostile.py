"""Hostile values in the admin's URLs: a 400 or an empty list, never a 500 (docs/quality.md, 6
and 13).

The attacks the adversarial test found come first, one test each; then a test generated from
``admin.site._registry`` sends a fixed list of hostile values and Hypothesis-made text to every
filter, the search box, ordering, pagination and every autocomplete the admin offers, as a
district admin and as a case worker.
"""

import os
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from apps.organizations.roles import Role
from tests.registry import NoMaker, maker_for

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.fixture
def district_admin(tree, user_in):
    return user_in(tree.district, Role.DISTRICT_ADMIN)


@pytest.mark.parametrize("year", ["99999999999", "-99999999999", "2024" + NUL, "²"])
def test_a_title_year_filter_out_of_range_is_no_server_error(
    tree, district_admin, browser_as, year
):
    from apps.organizations.models import Title

    maker_for(Title).make(tree.village_a1)

    page = browser_as(district_admin).get("/admin/organizations/title/", {"year": year})

    assert page.status_code in {200, 302, 400}


def test_a_nul_byte_in_a_filter_value_is_a_bad_request(tree, district_admin, browser_as):
    page = browser_as(district_admin).get(
        "/admin/organizations/organization/", {"kind": "village" + NUL}
    )

    assert page.status_code == 400


def test_a_nul_byte_in_the_search_box_is_a_bad_request(tree, district_admin, browser_as):
    page = browser_as(district_admin).get("/admin/organizations/organization/", {"q": "甲" + NUL})

    assert page.status_code == 400


def test_a_nul_byte_in_an_autocomplete_term_is_a_bad_request(tree, district_admin, browser_as):
    answer = browser_as(district_admin).get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "user", "field_name": "organization", "term": NUL},
    )

    assert answer.status_code == 400


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "1" + NUL])
def test_a_hostile_foreign_key_filter_is_no_server_error(tree, district_admin, browser_as, value):
    page = browser_as(district_admin).get(
        "/admin/organizations/title/", {"organization__id__exact": value}
    )

    assert page.status_code in {200, 302, 400}


def test_a_year_no_date_can_hold_is_the_list_again_with_its_error_flag(
    tree, district_admin, browser_as
):
    """axes' date hierarchy built a date of year 99999999999: an OverflowError, a 500."""
    page = browser_as(district_admin).get(
        "/admin/axes/accessattempt/", {"attempt_time__year": "99999999999"}
    )

    assert page.status_code == 302
    assert page["Location"] == "/admin/axes/accessattempt/?e=1"


def test_a_year_of_digits_int_does_not_read_is_the_list_again(tree, district_admin, browser_as):
    """ "²" is a digit to ``str.isdigit`` but not to ``int``: the meetings' year filter raised.
    Now it is no year, as "abc" is (apps/core/validators.py, ``ascii_digits``): the list."""
    page = browser_as(district_admin).get("/admin/members/branchmeeting/", {"year": "²"})

    assert page.status_code == 200
    assert 'id="changelist"' in page.content.decode()


# --- Generated: every changelist parameter and autocomplete the admin offers ----------------

# Values the adversarial test and its like try: out-of-range and malformed numbers, NUL bytes,
# bad dates, very long text, LIKE wildcards, markup, invisible and direction characters.
HOSTILE = [
    "99999999999",
    "-99999999999",
    "99999999999999999999999",
    "-1",
    "1.5",
    "abc",
    "²",
    NUL,
    "1" + NUL,
    "a" * 5000,
    "2024-13-45",
    "99999-01-01",
    "' OR '1'='1",
    "%",
    "\u202e\ufeff",
    "😀",
    "",
]
# A lone UTF-16 surrogate, as the UTF-8 bytes a browser could send: not a Python str value.
SURROGATE = "%ED%A0%80"
# The changelist's own parameters besides its filters: search, ordering, page, popup field.
CHANGELIST_PARAMETERS = ["q", "o", "p", "_to_field"]
# The values each role sends to every parameter: by default (the `ci` Hypothesis profile) the
# kinds that have broken something here (numbers past a C long or a year, a digit int() does not
# read, NUL), a date past year 9999 and a long text, to keep the run to a few thousand requests;
# HYPOTHESIS_PROFILE=thorough sends the whole list (tests/conftest.py).
FEW = [
    "99999999999",
    "-99999999999",
    "99999999999999999999999",
    "²",
    NUL,
    "99999-01-01",
    "a" * 5000,
]
VALUES = HOSTILE if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else FEW
ROLES = [(Role.DISTRICT_ADMIN, "district"), (Role.CASE_WORKER, "street_a")]


@dataclass(frozen=True)
class Target:
    """One parameter of one admin URL; ``fixed`` holds the URL's other parameters."""

    path: str
    parameter: str
    fixed: dict = field(default_factory=dict, hash=False)

    def url(self, value: str, raw: bool = False) -> str:
        query = urlencode(self.fixed)
        hostile = f"{self.parameter}={value}" if raw else urlencode({self.parameter: value})
        return f"{self.path}?{'&'.join(filter(None, [query, hostile]))}"


def admin_targets(user) -> list[Target]:
    """Every parameter the admin offers ``user``: each changelist's filters (as its filter specs
    name them), date hierarchy, search, ordering, page and popup field; each autocomplete's
    term and page, for the autocomplete fields of every admin and inline."""
    targets = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        request = RequestFactory().get(path)
        request.user = user
        changelist = model_admin.get_changelist_instance(request)
        parameters = set(CHANGELIST_PARAMETERS)
        for spec in changelist.filter_specs:
            parameters.update(spec.expected_parameters())
        if changelist.date_hierarchy:
            parameters.update(f"{changelist.date_hierarchy}__{part}" for part in DATE_PARTS)
        targets += [Target(path, parameter) for parameter in sorted(parameters)]
        for owner in [model_admin, *model_admin.get_inline_instances(request)]:
            for name in owner.get_autocomplete_fields(request):
                fixed = {
                    "app_label": owner.opts.app_label,
                    "model_name": owner.opts.model_name,
                    "field_name": name,
                }
                targets += [
                    Target(AUTOCOMPLETE, "term", fixed),
                    Target(AUTOCOMPLETE, "page", fixed),
                ]
    return targets


AUTOCOMPLETE = "/admin/autocomplete/"
DATE_PARTS = ["year", "month", "day"]


def seed(tree):
    """A record of every model with an admin page, so filters offer choices and lists rows."""
    for model in admin.site._registry:
        try:
            maker = maker_for(model)
        except NoMaker:
            continue  # a district-wide list (tests/accounts/test_admin.py, UNSCOPED_LISTS)
        maker.make(tree.village_a1)


@pytest.fixture(params=ROLES, ids=[role for role, _ in ROLES])
def hostile_setup(request, tree, user_in):
    """(a client that gets 5xx back instead of raising, the targets it reaches)"""
    role, where = request.param
    seed(tree)
    user = user_in(getattr(tree, where), role)
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client, admin_targets(user)


def test_no_fixed_hostile_value_in_any_admin_parameter_is_a_server_error(hostile_setup):
    client, targets = hostile_setup
    sent, errors = 0, []
    for target in targets:
        urls = [target.url(value) for value in VALUES] + [target.url(SURROGATE, raw=True)]
        for url in urls:
            sent += 1
            status = client.get(url).status_code
            if status >= 500:
                errors.append((status, url[:200]))

    print(f"admin fuzz: {len(targets)} parameters, {sent} requests, {len(errors)} 5xx")
    assert errors == []


def test_no_generated_text_in_any_admin_parameter_is_a_server_error(hostile_setup):
    client, targets = hostile_setup
    values = st.one_of(st.text(), st.integers().map(str), st.dates().map(str))

    @given(target=st.sampled_from(targets), value=values)
    def hostile_text(target, value):
        url = target.url(value)
        assert client.get(url).status_code < 500, url[:200]

    hostile_text()
