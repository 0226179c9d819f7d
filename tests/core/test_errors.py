"""Every error but a 400 is {"detail", "code"}: words in the caller's language, a stable code
(docs/api.md, Errors)."""

import uuid

import pytest

from apps.members.models import Member
from apps.organizations.roles import Role
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/members/"


@pytest.fixture
def station(tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


def test_a_record_outside_the_scope_is_404_in_chinese_naming_no_model(tree, station):
    theirs = make_member(tree.village_b1)

    body = station.get(f"{MEMBERS}{theirs.pk}/").json()

    assert body == {"detail": "未找到，或不在您的组织范围内。", "code": "not_found"}


def test_the_same_404_in_english_for_an_english_request(tree, station):
    theirs = make_member(tree.village_b1)

    body = station.get(f"{MEMBERS}{theirs.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body == {"detail": "Not found, or not within your organization.", "code": "not_found"}


def test_no_token_is_401_with_a_code(tree, api_as):
    from rest_framework.test import APIClient

    response = APIClient().get(MEMBERS)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_role_without_the_right_is_403_with_a_code(tree, user_in, api_as):
    leader = api_as(user_in(tree.village_a1, Role.LEADERSHIP))

    response = leader.get(MEMBERS)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_conflicts_name_what_kind_of_conflict(tree, station):
    person = make_member(tree.village_a1)
    body = {"client_id": str(uuid.uuid4()), "name": "赵丽", "gender": "female"}
    station.post(MEMBERS, body, format="json")

    reused = station.post(MEMBERS, {**body, "name": "钱丽"}, format="json")
    stale = station.patch(f"{MEMBERS}{person.pk}/", {"name": "改", "version": 9}, format="json")
    missing = station.patch(f"{MEMBERS}{person.pk}/", {"name": "改"}, format="json")

    assert (reused.status_code, reused.json()["code"]) == (409, "client_id_reused")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    assert (missing.status_code, missing.json()["code"]) == (428, "version_required")
    assert Member.objects.filter(name="钱丽").count() == 0


def test_a_400_keeps_its_field_errors_without_a_code(tree, station):
    response = station.post(MEMBERS, {"client_id": str(uuid.uuid4())}, format="json")

    assert response.status_code == 400
    assert "code" not in response.json()
    assert "name" in response.json()


def test_a_page_past_the_end_says_so(tree, station):
    response = station.get(MEMBERS, {"page": 5})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_patch_answers_with_the_new_etag(tree, station):
    person = make_member(tree.village_a1)

    response = station.patch(f"{MEMBERS}{person.pk}/", {"name": "改", "version": 1}, format="json")

    assert response.status_code == 200
    assert (response["ETag"], response.json()["version"]) == ('"2"', 2)


def test_the_schema_documents_each_error_with_a_named_schema(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    patch = schema["paths"]["/api/v1/members/{id}/"]["patch"]["responses"]
    assert set(patch) >= {"200", "400", "401", "403", "404", "409", "412", "428", "429", "503"}
    conflict = patch["409"]["content"]["application/json"]["schema"]
    assert conflict == {"$ref": "#/components/schemas/Conflict"}
    assert set(patch["200"]["headers"]) == {"ETag"}
    assert set(patch["503"]["headers"]) == {"Retry-After"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}


def test_a_path_no_route_matches_under_the_api_is_a_json_404(tree, station):
    response = station.get("/api/v1/appointments/0.5/")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "未找到，或不在您的组织范围内。", "code": "not_found"}


def test_a_reference_outside_the_scope_is_refused_in_words_naming_its_kind(tree, station):
    body = {"client_id": str(uuid.uuid4()), "name": "赵丽", "gender": "female"}

    outside = station.post(MEMBERS, {**body, "organization": tree.village_b1.pk}, format="json")
    nonsense = station.post(MEMBERS, {**body, "organization": "甲"}, format="json")

    assert outside.json() == {"organization": ["所选组织不存在或不在您的范围内。"]}
    assert nonsense.json() == {"organization": ["请发送组织的编号（整数）。"]}
    assert Member.objects.count() == 0


def test_operations_read_in_chinese_by_default_and_english_on_request(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))

    chinese = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    english = client.get(
        "/api/schema/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()

    create = ("/api/v1/members/", "post")
    assert chinese["paths"][create[0]][create[1]]["summary"] == "新增人员"
    assert english["paths"][create[0]][create[1]]["summary"] == "Add a person"
    # Written for a station developer, in the caller's language (no maintainer's docstring:
    # tests/api_client/test_schema_text_and_names.py walks every operation).
    assert chinese["paths"][create[0]][create[1]]["description"].startswith("需要有权")
    assert english["paths"][create[0]][create[1]]["description"].startswith("Needs a role")
