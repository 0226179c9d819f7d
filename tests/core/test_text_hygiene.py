"""What an attacker typed (issue: smaller leaks of existence): look-alike usernames, names
with hidden characters, a birth in the year 9999, codes and usernames taken elsewhere."""

import uuid

import pytest

from apps.accounts.models import User
from apps.core.validators import plain_text
from apps.members.models import Member
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db

NOT_AVAILABLE = "不可用，请另选一个。"


@pytest.mark.parametrize(
    "name",
    ["林\u200b秀英", "林秀英\u202e", "林\u2066秀英", "林秀\x00英", "林秀英\x07", "\ufeff林秀英"],
    ids=["zero-width space", "right-to-left override", "isolate", "NUL", "bell", "BOM"],
)
def test_a_name_with_hidden_characters_is_refused(tree, user_in, api_as, name):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    body = {"client_id": str(uuid.uuid4()), "name": name, "gender": "female"}

    response = client.post("/api/v1/members/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert Member.objects.count() == 0


def test_plain_chinese_and_spaces_pass():
    assert plain_text("欧阳 秀英·买买提") is None


def test_a_birth_date_in_9999_is_refused(tree, user_in, api_as):
    client = api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))
    body = {
        "client_id": str(uuid.uuid4()),
        "name": "林秀英",
        "gender": "female",
        "birth_date": "9999-01-01",
    }

    response = client.post("/api/v1/members/", body, format="json")

    assert (response.status_code, list(response.json())) == (400, ["birth_date"])
    assert Member.objects.count() == 0


def test_a_look_alike_username_is_refused(tree):
    look_alike = User(username="qu_\u0430dmin", name="假管理员", organization=tree.village_a1)

    with pytest.raises(Exception) as refused:
        look_alike.full_clean()

    assert refused.value.message_dict["username"] == [NOT_AVAILABLE]


def test_a_username_taken_elsewhere_reads_like_any_refusal(tree):
    UserFactory(username="b_station", organization=tree.village_b1)
    taken = User(username="b_station", name="甲", organization=tree.village_a1)
    badly_formed = User(username="b station", name="甲", organization=tree.village_a1)

    messages = []
    for account in (taken, badly_formed):
        with pytest.raises(Exception) as refused:
            account.full_clean()
        messages.append(refused.value.message_dict["username"])

    assert messages == [[NOT_AVAILABLE], [NOT_AVAILABLE]]


def test_an_organization_code_taken_outside_the_subtree_reads_like_any_refusal(
    tree, user_in, api_as
):
    make_org(tree.street_b, Kind.VILLAGE, "乙二村妇联", code="B-ONLY-001")
    client = api_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    def create(code):
        body = {
            "client_id": str(uuid.uuid4()),
            "code": code,
            "name": "新建社区妇联",
            "kind": Kind.VILLAGE,
            "parent": tree.street_a.pk,
            "opened_on": "2024-03-08",
        }
        return client.post("/api/v1/organizations/", body, format="json")

    taken, malformed = create("B-ONLY-001"), create("甲 01")

    assert taken.status_code == malformed.status_code == 400
    assert taken.json() == malformed.json() == {"code": [NOT_AVAILABLE]}
    assert Organization.objects.filter(code="B-ONLY-001").count() == 1
