"""Siblings are invisible: every API route × method × role, generated from the URL conf.

Station A's account, whatever its role, aims at sibling village B's object.
It gets 404 where its role may do the thing (the object does not exist for
it), 403 where the role may not do it at all, and the database does not
change. Expected answers come from tests/roles_table.py, never from the
permission classes under test. A route whose model has no maker here fails,
so a new endpoint is covered the day it is added.
"""

import datetime
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from apps.files.services import attachment_create
from apps.members import branch_services
from apps.members import services as member_services
from apps.members.models import Appointment, BranchMeeting, Member
from apps.organizations.models import Organization
from tests.factories.accounts import UserFactory
from tests.factories.members import make_member
from tests.files.samples import photo
from tests.roles_table import RIGHTS, ROLES

pytestmark = pytest.mark.django_db

# model → (resource name in the roles table, B's object, a create body that points at B)
MAKERS = {
    Organization: (
        "organization",
        lambda tree: tree.village_a2,
        lambda tree: {
            "parent": tree.village_a2.pk,
            "kind": "committee",
            "sector": "enterprise",
            "code": "MATRIX-1",
            "name": "越权妇委会",
            "opened_on": "2024-01-01",
            "client_id": "00000000-0000-4000-8000-000000000001",
        },
    ),
    Appointment: (
        "appointment",
        lambda tree: member_services.appointment_create(
            member=make_member(tree.village_a2),
            organization=tree.village_a2,
            role="chair",
            started_on=datetime.date(2023, 1, 1),
        ),
        lambda tree: {
            "member": make_member(tree.village_a2, name="乙方的人").pk,
            "organization": tree.village_a1.pk,
            "role": "volunteer",
            "started_on": "2024-01-01",
            "client_id": "00000000-0000-4000-8000-000000000003",
        },
    ),
    BranchMeeting: (
        "branchmeeting",
        lambda tree: branch_services.branch_meeting_create(
            organization=tree.village_a2,
            kind="committee",
            held_on=datetime.date(2024, 1, 5),
            topic="研究书记项目",
        ),
        lambda tree: {
            "organization": tree.village_a2.pk,
            "kind": "lecture",
            "held_on": "2024-01-10",
            "topic": "越权党课",
            "client_id": "00000000-0000-4000-8000-000000000004",
        },
    ),
    Member: (
        "member",
        lambda tree: make_member(tree.village_a2),
        lambda tree: {
            "organization": tree.village_a2.pk,
            "name": "越权人员",
            "gender": "female",
            "client_id": "00000000-0000-4000-8000-000000000002",
        },
    ),
}
# Routes below a record whose POST changes the record rather than adding one (the test's own
# reading of api.md: attaching a file or moving a status is a change).
CHANGING_POSTS = {"attachments", "transition"}
# Routes whose POST only reads (a look-up by ID number goes in a body, never in a URL).
READING_POSTS = {"lookup"}
METHOD_ACTIONS = {
    "get": "view",
    "post": "add",
    "patch": "change",
    "put": "change",
    "delete": "delete",
}
OUR_APPS = ["organizations", "accounts", "members", "files"]


def api_routes(patterns=None, prefix=""):
    """(path template, viewset class, detail?, methods) for every DRF route under api/v1/."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from api_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "actions"):
            route = prefix + str(entry.pattern)
            if route.startswith("api/v1/") and "format" not in route:
                viewset = entry.callback.cls
                methods = [m for m in entry.callback.actions if m in viewset.http_method_names]
                yield route, viewset, "<pk>" in route, sorted(methods)


def required_action(route: str, method: str) -> str:
    """What a request asks to do, by the test's own reading of the route."""
    last = [part for part in re.split(r"[/$^]", route) if part and "(" not in part][-1]
    if method == "post" and last in CHANGING_POSTS:
        return "change"
    if method == "post" and last in READING_POSTS:
        return "view"
    return METHOD_ACTIONS[method]


ROUTES = list(api_routes())


def url_for(route: str, pk=None, attachment_pk=None) -> str:
    """A concrete URL from a route: the pk groups filled in, the regex anchors dropped."""
    path = re.sub(r"\(\?P<pk>[^)]*\)|<(int:)?pk>", str(pk), route)
    path = re.sub(r"\(\?P<attachment_pk>[^)]*\)", str(attachment_pk), path)
    return "/" + path.replace("^", "").replace("$", "")


def snapshot():
    tables = {}
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            tables[model._meta.db_table] = list(model.objects.order_by("pk").values())
    return tables


def test_the_url_conf_has_api_routes_and_each_has_a_maker():
    assert ROUTES, "no API routes found: the walker is broken"
    for route, viewset, _, _ in ROUTES:
        assert viewset.model in MAKERS, f"{route}: no maker for {viewset.model.__name__}"


def attach_a_photo(record):
    upload = SimpleUploadedFile("photo.png", photo("PNG"), content_type="image/png")
    return attachment_create(
        record=record, uploaded_file=upload, user=UserFactory(organization=record.organization)
    )


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
    resource, target_of, body_of = MAKERS[viewset.model]
    target = target_of(tree)
    attachment = attach_a_photo(target) if "attachment_pk" in route else None
    client = api_as(user_in(tree.village_a1, role))
    allowed = role in RIGHTS[resource].get(required_action(route, method), set())
    body = body_of(tree)  # may make B's objects it points at: before the snapshot
    before = snapshot()

    if detail:
        url = url_for(route, target.pk, attachment and attachment.pk)
        answer = getattr(client, method)(url, {}, format="json")
        expected = 404 if allowed else 403
    elif method == "get":
        answer = client.get(url_for(route), {"page_size": 200})
        expected = 200 if allowed else 403
    else:
        answer = getattr(client, method)(url_for(route), body, format="json")
        expected = 400 if allowed else 403  # the reference to B "does not exist"

    assert answer.status_code == expected, answer.content
    if answer.status_code == 200:
        assert target.pk not in [row["id"] for row in answer.json()["results"]]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("route", "method"), [(r, m) for r, _, _, methods in ROUTES for m in methods]
)
def test_anonymous_requests_get_401(tree, client, route, method):
    answer = getattr(client, method)(url_for(route, tree.village_a2.pk, 1), {})

    assert answer.status_code == 401
