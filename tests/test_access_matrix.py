"""Siblings are invisible: every API route × method × role, generated from the URL conf.

Station A's account, whatever its role, aims at sibling village B's object.
It gets 404 where its role may do the thing (the object does not exist for
it), 403 where the role may not do it at all, and the database does not
change. Expected answers come from tests/roles_table.py, never from the
permission classes under test. A route whose model has no maker in
tests/registry.py fails, so a new endpoint is covered the day it is added.
"""

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from apps.files.models import Attachment
from apps.organizations.scoping import has_scope
from tests.factories.accounts import PASSWORD
from tests.registry import SUMMARY_ROUTES, api_routes, maker_for
from tests.roles_table import RIGHTS, ROLES

pytestmark = pytest.mark.django_db

# Routes below a record whose POST changes the record rather than adding one (the test's own
# reading of docs/api.md: attaching a file, moving a status or marking a notice read is a change).
CHANGING_POSTS = {"attachments", "transition", "read"}
# Records below a record whose PATCH and DELETE change that record (a case's parties: what a
# case names is changed by the roles that change the case, docs/rights.md).
CHANGING_SUBRECORDS = {"parties"}
# Routes whose POST only reads (a look-up by ID number goes in a body, never in a URL).
READING_POSTS = {"lookup"}
# Routes whose GET answers figures about the caller's subtree, not a page of records: the
# sibling's organization must not be named in them.
SUMMARY_GETS = set(SUMMARY_ROUTES)
# What a summary needs asked beyond the list's own parameters (the annual report: its year; a
# sign-off's state: its period).
SUMMARY_PARAMS = {"annual": {"year": 2024}, "signoffs": {"period": "2024"}}
METHOD_ACTIONS = {
    "get": "view",
    "post": "add",
    "patch": "change",
    "put": "change",
    "delete": "delete",
}
NO_CREATE_BODY = (
    "{route}: a write to a list, and its model's maker in tests/registry.py has no create_body"
)
# The tables a denied request must leave as they were: every model of our apps, and every
# other model the scoping rule knows (third-party ones registered with register_scope(), the
# test-only scoping_app's); a proxy shares its model's table.
# Bookkeeping every request writes, whoever it is from: not a record a request could change.
COUNTERS = {"core_throttlecount"}
SNAPSHOT_MODELS = [
    model
    for model in apps.get_models(include_auto_created=True)
    if (model.__module__.startswith("apps.") or has_scope(model))
    and not model._meta.proxy
    and model._meta.db_table not in COUNTERS
]


def required_action(route: str, method: str) -> str:
    """What a request asks to do, by the test's own reading of the route."""
    last = [part for part in re.split(r"[/$^]", route) if part and "(" not in part][-1]
    if method == "post" and last in CHANGING_POSTS:
        return "change"
    if method == "post" and last in READING_POSTS:
        return "view"
    if method in ("patch", "delete") and last in CHANGING_SUBRECORDS:
        return "change"
    return METHOD_ACTIONS[method]


ROUTES = list(api_routes())


def url_for(route: str, pk=None, attachment_pk=None) -> str:
    """A concrete URL from a route: the pk groups filled in, the regex anchors dropped."""
    path = re.sub(r"\(\?P<pk>[^)]*\)|<(int:)?pk>", str(pk), route)
    path = re.sub(r"\(\?P<attachment_pk>[^)]*\)", str(attachment_pk), path)
    path = re.sub(r"\(\?P<party_pk>[^)]*\)", str(pk), path)  # the case's own: 404 first
    return "/" + path.replace("^", "").replace("$", "")


def snapshot():
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values())
        for model in SNAPSHOT_MODELS
    }


def test_the_snapshot_covers_our_apps_and_the_scoped_third_party_tables():
    tables = {model._meta.db_table for model in SNAPSHOT_MODELS}

    assert {"organizations_organization", "members_historicalmember", "files_download"} <= tables
    assert "accounts_devicetoken" in tables  # registered with register_scope() in apps/accounts
    assert "django_session" not in tables
    assert len(tables) == len(SNAPSHOT_MODELS)  # each table once: no proxy's copy


def test_the_url_conf_has_api_routes_and_each_has_a_maker():
    assert ROUTES, "no API routes found: the walker is broken"
    for route, viewset, detail, methods in ROUTES:
        maker = maker_for(viewset.model)
        assert maker.resource in RIGHTS, f"{route}: its maker names no row of tests/roles_table.py"
        if not detail and set(methods) - {"get"}:
            assert maker.create_body, NO_CREATE_BODY.format(route=route)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


CASES = [
    (route, viewset, detail, method, role)
    for route, viewset, detail, methods in ROUTES
    for method in methods
    for role in ROLES
]


@pytest.mark.parametrize(
    ("route", "viewset", "detail", "method", "role"),
    CASES,
    ids=[f"{c[3].upper()} {c[0]} as {c[4]}" for c in CASES],
)
def test_a_station_never_reaches_its_siblings_object(
    tree, user_in, api_as, route, viewset, detail, method, role
):
    maker = maker_for(viewset.model)
    target = maker.make(tree.village_a2)
    attachment = (
        maker_for(Attachment).make(tree.village_a2, record=target)
        if "attachment_pk" in route
        else None
    )
    client = api_as(user_in(tree.village_a1, role))
    allowed = role in RIGHTS[maker.resource].get(required_action(route, method), set())
    body = {}
    if not detail and method != "get":
        assert maker.create_body, NO_CREATE_BODY.format(route=route)
        # It may make B's objects it points at: before the snapshot.
        body = maker.create_body(tree, tree.village_a2)
    before = snapshot()

    if detail:
        url = url_for(route, target.pk, attachment and attachment.pk)
        answer = getattr(client, method)(url, {}, format="json")
        expected = 404 if allowed else 403
    elif method == "get":
        name = url_for(route).rstrip("/").rsplit("/", 1)[-1]
        answer = client.get(url_for(route), {"page_size": 200, **SUMMARY_PARAMS.get(name, {})})
        expected = 200 if allowed else 403
    else:
        answer = getattr(client, method)(url_for(route), body, format="json")
        expected = 400 if allowed else 403  # the reference to B "does not exist"

    assert answer.status_code == expected, answer.content
    if answer.status_code == 200 and url_for(route).rstrip("/").endswith(tuple(SUMMARY_GETS)):
        assert tree.village_a2.name not in answer.content.decode()
    elif answer.status_code == 200:
        assert target.pk not in [row["id"] for row in answer.json()["results"]]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("route", "method"), [(r, m) for r, _, _, methods in ROUTES for m in methods]
)
def test_anonymous_requests_get_401(tree, client, route, method):
    answer = getattr(client, method)(url_for(route, tree.village_a2.pk, 1), {})

    assert answer.status_code == 401


# --- Routes that serve no model: a device signing in and out (docs/api.md, Signing in) --------

SIGN_IN, SIGN_OUT = "api/v1/auth/sign-in/", "api/v1/auth/sign-out/"
AUTH_ROUTES = {SIGN_IN, SIGN_OUT}


def plain_api_routes(patterns=None, prefix="") -> set[str]:
    """API routes that are not a viewset's (no model, so not in the matrix above)."""
    found = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            found |= plain_api_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and not hasattr(entry.callback, "actions"):
            route = prefix + str(entry.pattern)
            if route.startswith("api/v1/"):
                found.add(route)
    return found


def test_every_api_route_without_a_model_is_an_auth_route_tested_below():
    assert plain_api_routes() == AUTH_ROUTES


@pytest.mark.parametrize("role", ROLES)
def test_every_role_signs_its_own_device_in_and_out(tree, user_in, role):
    account = user_in(tree.village_a1, role, username="signer")
    client = APIClient()

    signed_in = client.post(
        "/" + SIGN_IN,
        {"username": "signer", "password": PASSWORD, "device": "手机"},
        format="json",
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {signed_in.json()['token']}")
    signed_out = client.post("/" + SIGN_OUT)
    again = client.post("/" + SIGN_OUT)

    assert (signed_in.status_code, signed_out.status_code, again.status_code) == (200, 204, 401)
    assert not account.auth_token_set.exists()


def test_signing_in_as_another_or_out_without_a_token_changes_nothing(tree, user_in, browser_as):
    user_in(tree.village_a2, "station_operator", username="sibling")
    maker_for(apps.get_model("accounts", "DeviceToken")).make(tree.village_a2)
    admin_session = browser_as(user_in(tree.village_a1, "district_admin"))
    before = snapshot()

    wrong = APIClient().post(
        "/" + SIGN_IN, {"username": "sibling", "password": "guess", "device": "x"}, format="json"
    )
    anonymous = APIClient().post("/" + SIGN_OUT)
    by_session = admin_session.post("/" + SIGN_OUT)

    assert (wrong.status_code, anonymous.status_code, by_session.status_code) == (401, 401, 401)
    assert {table: rows for table, rows in snapshot().items() if not table.startswith("axes_")} == {
        table: rows for table, rows in before.items() if not table.startswith("axes_")
    }
