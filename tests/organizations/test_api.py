"""/api/v1/organizations/ through real HTTP requests, and the API's own pages."""

import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizations/"
CJK = re.compile(r"[\u4e00-\u9fff]")
NO_SUCH_ID = 999_999_999
STATIC_ASSETS = "/static/drf_spectacular_sidecar/swagger-ui-dist/"

SUBTREE_A = sorted(["甲街道妇联", "甲一社区妇联", "甲二社区妇联", "甲街道快递行业妇委会"])
WHOLE_TREE = sorted([*SUBTREE_A, "测试区妇联", "乙镇妇联", "乙一村妇联"])


def detail(organization) -> str:
    return f"{URL}{organization.pk}/"


def names(response) -> list[str]:
    return sorted(row["name"] for row in response.json()["results"])


def stored(organization) -> Organization:
    return Organization.objects.get(pk=organization.pk)


def snapshot(organization) -> dict:
    """The columns a refused write must leave as they were."""
    row = stored(organization)
    return {
        field: getattr(row, field)
        for field in [
            "name",
            "code",
            "kind",
            "parent_id",
            "street_id",
            "path",
            "closed_on",
            "address",
            "updated_at",
        ]
    }


def new_village(parent, **fields) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "code": "330299001099",
        "name": "新建社区妇联",
        "kind": Kind.VILLAGE,
        "parent": parent.pk,
        "opened_on": "2024-03-08",
        **fields,
    }


# Authentication.


@pytest.mark.parametrize("path", ["list", "detail"])
def test_anonymous_gets_401(tree, path):
    url = URL if path == "list" else detail(tree.village_a1)

    response = APIClient().get(url)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_an_unknown_token_gets_401(tree):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = client.get(URL)

    assert response.status_code == 401


def test_an_inactive_accounts_token_gets_401(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.DISTRICT_ADMIN, is_active=False))

    response = client.get(URL)

    assert response.status_code == 401


# Lists.


def test_a_station_operator_lists_only_its_own_village(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert names(response) == ["甲一社区妇联"]


def test_staff_at_a_street_lists_exactly_its_subtree(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.STAFF))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert names(response) == SUBTREE_A


def test_a_row_names_its_parent_by_id_and_its_street_by_id_and_name(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    [row] = client.get(URL).json()["results"]

    assert set(row) == {
        "id",
        "code",
        "name",
        "kind",
        "sector",
        "parent",
        "street",
        "depth",
        "opened_on",
        "closed_on",
        "is_open",
        "address",
        "updated_at",
    }
    assert row["id"] == tree.village_a1.pk
    assert row["code"] == tree.village_a1.code
    assert row["kind"] == "village"
    assert row["parent"] == {"id": tree.street_a.pk, "name": "甲街道妇联"}
    assert row["street"] == {"id": tree.street_a.pk, "name": "甲街道妇联"}
    assert row["depth"] == 3
    assert row["opened_on"] == "2010-01-01"
    assert row["closed_on"] is None
    assert row["is_open"] is True


def test_the_list_is_in_tree_order(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))

    response = client.get(URL)

    ids = [row["id"] for row in response.json()["results"]]
    assert ids == list(Organization.objects.order_by("path").values_list("pk", flat=True))


def test_kind_filters_the_list(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))

    response = client.get(URL, {"kind": "village"})

    assert response.status_code == 200
    assert names(response) == sorted(["甲一社区妇联", "甲二社区妇联", "乙一村妇联"])


def test_within_filters_the_list_to_a_subtree(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))

    response = client.get(URL, {"within": tree.street_b.pk})

    assert response.status_code == 200
    assert names(response) == sorted(["乙镇妇联", "乙一村妇联"])


def test_within_and_kind_combine(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))

    response = client.get(URL, {"within": tree.street_a.pk, "kind": "village"})

    assert names(response) == sorted(["甲一社区妇联", "甲二社区妇联"])


def test_an_unknown_kind_is_a_400(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))

    response = client.get(URL, {"kind": "province"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert list(response.json()) == ["kind"]


@pytest.mark.parametrize("outside", ["village_a2", "street_b", "district"])
def test_within_outside_the_scope_is_a_400_like_a_nonexistent_id(tree, user_in, api_as, outside):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.get(URL, {"within": getattr(tree, outside).pk})
    nonexistent = client.get(URL, {"within": NO_SUCH_ID})

    assert response.status_code == 400
    assert nonexistent.status_code == 400
    assert list(response.json()) == ["within"]
    assert response.json() == nonexistent.json()


# One organization.


@pytest.mark.parametrize("outside", ["village_a2", "street_b", "village_b1", "committee_a"])
def test_retrieving_an_organization_outside_the_scope_is_a_404(tree, user_in, api_as, outside):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.get(detail(getattr(tree, outside)))

    assert response.status_code == 404


def test_retrieving_a_nonexistent_id_is_a_404(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.get(f"{URL}{NO_SUCH_ID}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("ancestor", "name"), [("district", "测试区妇联"), ("street_a", "甲街道妇联")]
)
def test_an_ancestor_is_readable(tree, user_in, api_as, ancestor, name):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.get(detail(getattr(tree, ancestor)))

    assert response.status_code == 200
    assert response.json()["id"] == getattr(tree, ancestor).pk
    assert response.json()["name"] == name


def test_an_ancestor_is_not_listed(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.get(URL)

    assert tree.district.pk not in [row["id"] for row in response.json()["results"]]


# PATCH.


def test_a_district_admin_changes_an_organization_of_its_subtree(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    response = client.patch(
        detail(tree.village_a1), {"name": "安乐社区妇联", "address": "安乐路1号"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["name"] == "安乐社区妇联"
    row = stored(tree.village_a1)
    assert (row.name, row.address, row.name_pinyin) == (
        "安乐社区妇联",
        "安乐路1号",
        "an le she qu fu lian",
    )


def test_patching_an_ancestor_is_a_403_and_changes_nothing(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    before = snapshot(tree.district)

    response = client.patch(detail(tree.district), {"name": "改名区妇联"}, format="json")

    assert response.status_code == 403
    assert snapshot(tree.district) == before


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.CASE_WORKER, Role.STATION_OPERATOR, Role.LEADERSHIP]
)
def test_a_role_that_may_not_change_organizations_gets_403(tree, user_in, api_as, role):
    client = api_as(user_in(tree.district, role))
    before = snapshot(tree.village_a1)

    response = client.patch(detail(tree.village_a1), {"name": "改名社区妇联"}, format="json")

    assert response.status_code == 403
    assert snapshot(tree.village_a1) == before


def test_the_role_is_checked_before_the_scope(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    before = snapshot(tree.village_a2)

    response = client.patch(detail(tree.village_a2), {"name": "改名社区妇联"}, format="json")

    assert response.status_code == 403
    assert snapshot(tree.village_a2) == before


def test_patching_outside_the_subtree_is_a_404_and_changes_nothing(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    before = snapshot(tree.village_b1)

    response = client.patch(detail(tree.village_b1), {"name": "改名村妇联"}, format="json")

    assert response.status_code == 404
    assert snapshot(tree.village_b1) == before


def test_patch_cannot_change_code_kind_or_parent(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    before = snapshot(tree.village_a1)

    response = client.patch(
        detail(tree.village_a1),
        {
            "code": "CHANGED",
            "kind": Kind.COMMITTEE,
            "parent": tree.street_b.pk,
            "name": "安乐社区妇联",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["kind"], body["parent"]["id"]) == (
        tree.village_a1.code,
        "village",
        tree.street_a.pk,
    )
    row = stored(tree.village_a1)
    assert row.name == "安乐社区妇联"
    assert (row.code, row.kind, row.parent_id, row.street_id, row.path) == (
        before["code"],
        before["kind"],
        before["parent_id"],
        before["street_id"],
        before["path"],
    )


def test_patch_with_a_closing_date_before_the_opening_date_is_a_400(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    before = snapshot(tree.village_a1)

    response = client.patch(detail(tree.village_a1), {"closed_on": "2009-12-31"}, format="json")

    assert response.status_code == 400
    assert "closed_on" in response.json()
    assert snapshot(tree.village_a1) == before


# POST.


def test_a_replayed_create_is_200_though_the_trees_service_takes_no_client_key(
    tree, user_in, api_as
):
    """The tree's service places the node itself: the machinery keys it with an UPDATE, and a
    replay still finds its row (the code, taken by the row itself, is what it trips over)."""
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    body = new_village(tree.street_a)
    first = client.post(URL, body, format="json")

    replay = client.post(URL, body, format="json")

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["id"] == first.json()["id"]
    row = Organization.objects.get(code="330299001099")
    assert str(row.client_id) == body["client_id"]


def test_a_district_admin_creates_a_village_under_its_street(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    response = client.post(URL, new_village(tree.street_a), format="json")

    assert response.status_code == 201
    body = response.json()
    row = Organization.objects.get(code="330299001099")
    assert body["id"] == row.pk
    assert body["kind"] == "village"
    assert body["parent"] == {"id": tree.street_a.pk, "name": "甲街道妇联"}
    assert body["street"] == {"id": tree.street_a.pk, "name": "甲街道妇联"}
    assert body["depth"] == 3
    assert body["is_open"] is True
    assert (row.name, row.kind, row.parent_id, row.street_id) == (
        "新建社区妇联",
        Kind.VILLAGE,
        tree.street_a.pk,
        tree.street_a.pk,
    )
    assert row.path.startswith(tree.street_a.path)


@pytest.mark.parametrize("outside", ["street_b", "village_b1", "district"])
def test_a_parent_outside_the_subtree_is_a_400_worded_as_does_not_exist(
    tree, user_in, api_as, outside
):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    parent = getattr(tree, outside)
    before = Organization.objects.count()

    response = client.post(
        URL,
        new_village(parent, kind=Kind.COMMITTEE, sector="organ"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    nowhere = client.post(
        URL,
        {**new_village(parent, kind=Kind.COMMITTEE, sector="organ"), "parent": 99999999},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    worded = ["The chosen organization does not exist or is not within your reach."]
    assert response.json() == nowhere.json() == {"parent": worded}
    assert Organization.objects.count() == before


def test_a_role_that_may_not_create_organizations_gets_403(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))
    before = Organization.objects.count()

    response = client.post(URL, new_village(tree.street_a), format="json")

    assert response.status_code == 403
    assert Organization.objects.count() == before


def test_a_duplicate_code_is_a_400_on_code_and_nothing_is_saved(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    before = Organization.objects.count()

    response = client.post(
        URL, new_village(tree.street_a, code=tree.village_b1.code), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["code"]
    assert Organization.objects.count() == before


def test_a_village_under_the_district_is_a_400_on_parent(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    before = Organization.objects.count()

    response = client.post(URL, new_village(tree.district), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["parent"]
    assert Organization.objects.count() == before


def test_a_closing_date_before_the_opening_date_is_a_400_and_nothing_is_saved(
    tree, user_in, api_as
):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    before = Organization.objects.count()

    response = client.post(
        URL,
        new_village(tree.street_a, opened_on="2024-03-08", closed_on="2024-03-07"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {"closed_on": ["The closing date cannot be before the opening date."]}
    assert Organization.objects.count() == before


# Language.


def test_messages_are_in_chinese_when_no_language_is_asked(tree, user_in, api_as):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    body = new_village(tree.street_a)
    del body["name"]

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["该字段是必填项。"]}
    assert CJK.search(response.content.decode())
    assert response.headers["Content-Language"] == "zh-hans"


@pytest.mark.parametrize("language", ["zh", "zh-CN", "zh-cn,zh;q=0.9", "fr"])
def test_chinese_variants_and_unknown_languages_get_chinese(tree, user_in, api_as, language):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    body = new_village(tree.street_a)
    del body["name"]

    response = client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response.json() == {"name": ["该字段是必填项。"]}


@pytest.mark.parametrize("language", ["en", "en-US,en;q=0.9"])
def test_messages_are_in_english_when_english_is_asked(tree, user_in, api_as, language):
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    body = new_village(tree.street_a)
    del body["name"]

    response = client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response.json() == {"name": ["This field is required."]}
    assert not CJK.search(response.content.decode())


# Queries and pages.


def list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"page_size": 5})  # more rows than a page: counted
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_a_list_is_a_constant_number_of_queries(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))
    for number in range(3):
        make_org(tree.street_a, Kind.VILLAGE, f"少量{number}村妇联")
    few_queries, few_rows = list_queries(client)

    for number in range(27):
        make_org(tree.street_b, Kind.VILLAGE, f"大量{number}村妇联")
    many_queries, many_rows = list_queries(client)

    assert (few_rows, many_rows) == (7 + 3, 7 + 30)
    assert many_queries == few_queries
    assert few_queries == 4  # the token with the caller's organization, throttle, count, page


def test_a_list_has_the_page_shape(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))

    first = client.get(URL, {"page_size": 3}).json()
    last = client.get(URL, {"page_size": 3, "page": 3}).json()

    assert list(first) == ["count", "next", "previous", "results"]
    assert first["count"] == 7
    assert len(first["results"]) == 3
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert "page_size=3" in first["next"]
    assert last["next"] is None
    assert "page=2" in last["previous"]
    assert len(last["results"]) == 1


def test_the_default_page_is_50_rows(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))
    for number in range(44):
        make_org(tree.street_a, Kind.VILLAGE, f"默认页{number}村妇联")

    body = client.get(URL).json()

    assert body["count"] == 51
    assert len(body["results"]) == 50
    assert body["next"] is not None


def test_page_size_is_capped_at_200(tree, user_in, api_as):
    client = api_as(user_in(tree.district, Role.STAFF))
    for number in range(194):
        make_org(tree.street_a, Kind.VILLAGE, f"上限{number}村妇联")

    body = client.get(URL, {"page_size": 1000}).json()

    assert body["count"] == 7 + 194
    assert len(body["results"]) == 200
    assert body["next"] is not None


# The API's own pages.


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json() == {"status": "ok", "database": "up"}


def test_the_schema_is_refused_to_anonymous(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 401


def test_the_schema_is_served_to_a_token_holder(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi: 3" in response.content
    assert b"/api/v1/organizations/" in response.content


def test_the_docs_redirect_anonymous_to_the_login_page(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/api/docs/"


def test_the_docs_are_served_with_their_own_assets(client, tree, user_in):
    client.force_login(user_in(tree.district, Role.DISTRICT_ADMIN))

    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in html
    assert 'href="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"' in html
    assert 'url: "/api/schema/"' in html
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert len(references) == 4  # the favicon, the stylesheet and two scripts
    assert [ref for ref in references if not ref.startswith(STATIC_ASSETS)] == []
    assert [ref for ref in references if not finders.find(ref.removeprefix("/static/"))] == []
    assert "cdn" not in html.lower()
