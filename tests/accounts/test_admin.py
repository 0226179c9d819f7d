"""The admin is scoped too: changelists, dropdowns, autocompletes and third-party pages."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from apps.accounts.models import User
from apps.members.models import MeetingRequirement
from apps.organizations.admin_base import ScopedAdminMixin
from apps.organizations.choices import Kind
from apps.organizations.models import Organization, PositionKind, TitleKind
from apps.organizations.roles import Role
from apps.organizations.scoping import has_scope
from apps.reports.models import DraftParagraph
from apps.rights.models import DeadlineRule
from tests.factories.accounts import PASSWORD
from tests.registry import maker_for

pytestmark = pytest.mark.django_db

# District-wide reference lists: they belong to no organization, so they have no scope.
UNSCOPED_LISTS = {PositionKind, TitleKind, MeetingRequirement, DeadlineRule, DraftParagraph}

# The organization page's read-only inline of current leaders (from the members app).
LEADERSHIP_INLINE = {"appointments-TOTAL_FORMS": "0", "appointments-INITIAL_FORMS": "0"}


def test_every_registered_admin_is_scoped_or_a_district_wide_list():
    for model, model_admin in admin.site._registry.items():
        if model in UNSCOPED_LISTS:
            assert not has_scope(model)
            continue
        maker_for(model)  # a model with an admin page needs a maker in tests/registry.py
        if has_scope(model):
            assert isinstance(model_admin, ScopedAdminMixin), model.__name__


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m not in UNSCOPED_LISTS], ids=str
)
def test_a_changelist_shows_the_subtree_and_not_the_sibling(tree, user_in, model):
    mine = maker_for(model).make(tree.village_a1)
    theirs = maker_for(model).make(tree.village_b1)
    viewer = user_in(tree.street_a, Role.DISTRICT_ADMIN)
    request = RequestFactory().get("/admin/")
    request.user = viewer

    shown = admin.site._registry[model].get_queryset(request)

    key = model._meta.pk.attname  # a token's pk property is its user's id; its key is "key"
    assert shown.filter(pk=getattr(mine, key)).exists()
    assert not shown.filter(pk=getattr(theirs, key)).exists()


def test_the_tree_changelist_page_lists_only_the_subtree(tree, user_in, browser_as):
    page = browser_as(user_in(tree.street_a, Role.STAFF)).get("/admin/organizations/organization/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "甲一社区妇联" in body
    assert "乙一村妇联" not in body
    assert "测试区妇联 › 甲街道妇联" in body  # the path to the root, ancestors included


def test_the_parent_dropdown_offers_only_the_subtree(tree, user_in, browser_as):
    page = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN)).get(
        "/admin/organizations/organization/add/"
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert "甲街道妇联" in body
    assert "乙镇妇联" not in body
    assert "测试区妇联" not in body


def test_autocomplete_offers_only_the_subtree(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    answer = client.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "user", "field_name": "organization", "term": ""},
    )

    assert answer.status_code == 200
    names = sorted(row["text"] for row in answer.json()["results"])
    assert names == sorted(["甲街道妇联", "甲一社区妇联", "甲二社区妇联", "甲街道快递行业妇委会"])


def test_an_account_outside_the_subtree_is_refused_and_nothing_saved(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    page = client.post(
        "/admin/accounts/user/add/",
        {
            **LEADERSHIP_INLINE,
            "username": "intruder",
            "name": "外人",
            "organization": tree.village_b1.pk,
            "role": Role.STATION_OPERATOR,
            "usable_password": "true",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )

    assert page.status_code == 200  # the form again, with its error
    assert "选择一个有效的选项" in page.content.decode()
    assert not User.objects.filter(username="intruder").exists()


def test_an_account_inside_the_subtree_is_created(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    page = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "gongzuo",
            "name": "工作人员",
            "organization": tree.village_a1.pk,
            "role": Role.STAFF,
            "usable_password": "true",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )

    assert page.status_code == 302
    created = User.objects.get(username="gongzuo")
    assert (created.organization, created.role) == (tree.village_a1, Role.STAFF)
    assert created.check_password("a-long-enough-password")


def test_nobody_can_change_their_own_role_or_organization(tree, user_in, browser_as):
    me = user_in(tree.street_a, Role.DISTRICT_ADMIN, username="me")
    client = browser_as(me)

    page = client.post(
        f"/admin/accounts/user/{me.pk}/change/",
        {
            "username": "me",
            "name": "我",
            "organization": tree.district.pk,
            "role": Role.DISTRICT_ADMIN,
            "is_active": "on",
            "is_superuser": "on",
        },
    )

    assert page.status_code == 302
    me.refresh_from_db()
    assert (me.organization, me.role, me.name) == (tree.street_a, Role.DISTRICT_ADMIN, "我")


def test_a_district_admin_cannot_raise_a_station_operator_to_a_superuser(tree, user_in, browser_as):
    operator = user_in(tree.village_a1, Role.STATION_OPERATOR, username="op")
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    client.post(
        f"/admin/accounts/user/{operator.pk}/change/",
        {
            "username": "op",
            "name": "站点员",
            "organization": tree.village_a1.pk,
            "role": "superuser",
            "is_active": "on",
            "is_superuser": "on",
        },
    )

    operator.refresh_from_db()
    assert operator.role == Role.STATION_OPERATOR
    assert operator.is_superuser is False


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/devicetoken/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
        "/admin/accounts/user/",
    ],
)
def test_accounts_tokens_and_login_records_are_for_district_admins_only(
    tree, user_in, browser_as, url
):
    assert browser_as(user_in(tree.district, Role.STAFF)).get(url).status_code == 403
    assert browser_as(user_in(tree.district, Role.DISTRICT_ADMIN)).get(url).status_code == 200


def test_history_of_an_organization_outside_the_subtree_is_a_404(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))

    mine = client.get(f"/admin/organizations/organization/{tree.village_a1.pk}/history/")
    theirs = client.get(f"/admin/organizations/organization/{tree.village_b1.pk}/history/")

    assert mine.status_code == 200
    assert theirs.status_code == 404


@pytest.mark.parametrize("role", [Role.STATION_OPERATOR, Role.LEADERSHIP])
def test_stations_and_leadership_do_not_enter_the_admin(tree, user_in, browser_as, role):
    page = browser_as(user_in(tree.village_a1, role)).get("/admin/")

    assert page.status_code == 302
    assert page["Location"].startswith("/admin/login/")


def test_moving_a_village_is_one_change_of_parent(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    village = tree.village_a2

    page = client.post(
        f"/admin/organizations/organization/{village.pk}/change/",
        {
            **LEADERSHIP_INLINE,
            "parent": tree.street_b.pk,
            "sector": "",
            "name": village.name,
            "code": village.code,
            "opened_on": "2010-01-01",
            "closed_on": "",
            "address": "",
        },
    )

    assert page.status_code == 302
    village.refresh_from_db()
    assert (village.parent, village.street) == (tree.street_b, tree.street_b)
    assert village.path.startswith(tree.street_b.path)


def test_a_closing_date_before_the_opening_date_is_a_chinese_message(tree, user_in, browser_as):
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))

    page = client.post(
        "/admin/organizations/organization/add/",
        {
            **LEADERSHIP_INLINE,
            "parent": tree.street_a.pk,
            "kind": Kind.VILLAGE,
            "sector": "",
            "name": "新村妇联",
            "code": "NEW001",
            "opened_on": "2020-01-01",
            "closed_on": "2019-01-01",
            "address": "",
        },
    )

    assert page.status_code == 200
    assert "撤销日期不能早于成立日期。" in page.content.decode()
    assert not Organization.objects.filter(code="NEW001").exists()


def test_repeated_failed_logins_lock_the_username(tree, user_in, client):
    account = user_in(tree.village_a1, Role.STAFF, username="target")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "target", "password": "wrong"})

    locked = client.post("/accounts/login/", {"username": "target", "password": PASSWORD})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert account.is_active


def test_an_empty_parent_cannot_make_a_new_district_outside_the_subtree(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    before = Organization.objects.count()

    page = client.post(
        "/admin/organizations/organization/add/",
        {
            **LEADERSHIP_INLINE,
            "parent": "",
            "kind": Kind.DISTRICT,
            "sector": "",
            "name": "另立区妇联",
            "code": "ROGUE",
            "opened_on": "2020-01-01",
            "closed_on": "",
            "address": "",
        },
    )

    assert page.status_code == 200  # the form again, with its error
    assert Organization.objects.count() == before


def test_the_top_of_ones_own_subtree_can_be_edited_but_not_moved(tree, user_in, browser_as):
    client = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    street = tree.street_a

    page = client.post(
        f"/admin/organizations/organization/{street.pk}/change/",
        {
            **LEADERSHIP_INLINE,
            "parent": tree.street_b.pk,
            "sector": "",
            "name": "甲街道妇联（新）",
            "code": street.code,
            "opened_on": "2010-01-01",
            "closed_on": "",
            "address": "",
        },
    )

    assert page.status_code == 302
    street.refresh_from_db()
    assert (street.name, street.parent) == ("甲街道妇联（新）", tree.district)


def test_reference_lists_are_changed_by_the_districts_own_admins_only(tree, user_in, browser_as):
    street_admin = browser_as(user_in(tree.street_a, Role.DISTRICT_ADMIN))
    district_admin = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))

    assert street_admin.get("/admin/organizations/positionkind/add/").status_code == 403
    assert street_admin.get("/admin/organizations/positionkind/").status_code == 200
    assert district_admin.get("/admin/organizations/positionkind/add/").status_code == 200


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if admin.site._registry[m].list_filter],
    ids=lambda model: model.__name__,
)
def test_every_choice_of_every_list_filter_answers(tree, user_in, browser_as, model):
    # A filter class's parameter (?open=, ?current=) is a lookup the list allows, as a field's is.
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))
    opts = model._meta
    changelist = f"/admin/{opts.app_label}/{opts.model_name}/"
    cl = client.get(changelist).context["cl"]

    answers = {
        choice["query_string"]: client.get(changelist + choice["query_string"]).status_code
        for spec in cl.filter_specs
        for choice in spec.choices(cl)
    }

    assert len(answers) > 1
    assert set(answers.values()) == {200}
