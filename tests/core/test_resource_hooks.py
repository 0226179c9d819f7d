"""The hooks of the resource contract, on the test-only Ticket resource (tests/core/urls.py):
an ancestor's record named on a write, referral-aware writes, bulk create, full reads,
soft DELETE, and status changes through one service from the API and the admin."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.actors import SYSTEM
from apps.core.models import AccessLog
from apps.core.transitions import IllegalMove, StaleVersion, transition
from apps.organizations import roles
from apps.organizations.roles import Role
from tests.scoping_app.models import Campaign, Ticket, TicketReferral

pytestmark = pytest.mark.django_db

TICKETS = "/api/test/tickets/"
PLAIN = "/api/test/plain-tickets/"
OPERATOR, STAFF = str(Role.STATION_OPERATOR), str(Role.STAFF)


@pytest.fixture
def rights(monkeypatch, settings):
    """Ticket rights: operators and staff read, write and move; staff alone delete and read
    the secret in full."""
    settings.ROOT_URLCONF = "tests.core.urls"
    for action in ("view", "add", "change"):
        monkeypatch.setitem(roles._granted, f"scoping_app.{action}_ticket", {OPERATOR, STAFF})
    monkeypatch.setitem(roles._granted, "scoping_app.delete_ticket", {STAFF})
    monkeypatch.setitem(roles._granted, "scoping_app.view_ticket_secret", {STAFF})


@pytest.fixture
def operator(rights, tree, user_in, api_as):
    return api_as(user_in(tree.village_a1, Role.STATION_OPERATOR))


def ticket_in(organization, **fields):
    return Ticket.objects.create(organization=organization, title="求助", **fields)


def body(**fields):
    return {"client_id": str(uuid.uuid4()), "title": "求助", **fields}


# An ancestor's record named on a write (docs/scoping.md, exception one).


def test_a_village_names_its_districts_campaign_but_not_a_sibling_streets(tree, operator):
    districts = Campaign.objects.create(organization=tree.district, name="送法进万家")
    siblings = Campaign.objects.create(organization=tree.street_b, name="乙镇行动")

    named = operator.post(TICKETS, body(campaign=districts.pk), format="json")
    refused = operator.post(TICKETS, body(campaign=siblings.pk), format="json")

    assert named.status_code == 201, named.content
    assert named.json()["campaign"] == {"id": districts.pk, "name": "送法进万家"}
    assert refused.status_code == 400
    assert list(refused.json()) == ["campaign"]
    assert Ticket.objects.count() == 1


def test_an_ancestors_campaign_is_named_not_changed(tree, operator):
    districts = Campaign.objects.create(organization=tree.district, name="送法进万家")
    theirs = ticket_in(tree.district, campaign=districts)

    url = f"{TICKETS}{theirs.pk}/"
    response = operator.patch(url, {"title": "改", "version": 1}, format="json")

    assert response.status_code == 404
    assert Ticket.objects.get(pk=theirs.pk).title == "求助"


# Referral-aware writes (docs/scoping.md, exception two).


def test_the_receiving_organization_works_a_referred_ticket_while_the_referral_is_open(
    tree, rights, user_in, api_as
):
    ticket = ticket_in(tree.village_b1)
    referral = TicketReferral.objects.create(ticket=ticket, target=tree.committee_a)
    center = api_as(user_in(tree.committee_a, Role.STATION_OPERATOR))

    changed = center.patch(f"{TICKETS}{ticket.pk}/", {"notes": "已接", "version": 1}, format="json")
    moved = center.post(
        f"{TICKETS}{ticket.pk}/transition/", {"to": "accepted", "version": 2}, format="json"
    )
    referral.status = "closed"
    referral.save()
    after = center.patch(f"{TICKETS}{ticket.pk}/", {"notes": "再改", "version": 3}, format="json")

    assert (changed.status_code, moved.status_code, after.status_code) == (200, 200, 404)
    ticket.refresh_from_db()
    assert (ticket.notes, ticket.status, ticket.version) == ("已接", "accepted", 3)


def test_where_referred_tickets_are_read_only_the_receiver_reads_but_may_not_write(
    tree, rights, user_in, api_as
):
    ticket = ticket_in(tree.village_b1)
    TicketReferral.objects.create(ticket=ticket, target=tree.committee_a)
    center = api_as(user_in(tree.committee_a, Role.STATION_OPERATOR))

    read = center.get(f"{PLAIN}{ticket.pk}/")
    write = center.patch(f"{PLAIN}{ticket.pk}/", {"notes": "改", "version": 1}, format="json")

    assert (read.status_code, write.status_code) == (200, 403)
    assert Ticket.objects.get(pk=ticket.pk).notes == ""


def test_a_neighbour_without_a_referral_gets_404(tree, rights, user_in, api_as):
    ticket = ticket_in(tree.village_b1)
    neighbour = api_as(user_in(tree.committee_a, Role.STATION_OPERATOR))

    assert neighbour.get(f"{TICKETS}{ticket.pk}/").status_code == 404


# Bulk create: a bare array, all or nothing, errors by index, each item retry-safe.


def test_a_plain_create_is_seven_statements(operator, django_assert_num_queries):
    """The token with its account's organization; the throttle's count; the write's savepoint;
    the INSERT, which stores the client's key; its history row; the scope of the row written;
    the release."""
    sent = body()
    with django_assert_num_queries(7):
        response = operator.post(TICKETS, sent, format="json")

    assert response.status_code == 201
    assert str(Ticket.objects.get().client_id) == sent["client_id"]


def test_a_batch_is_stored_once_and_its_replay_answers_200(operator):
    batch = [body(title=f"第{n}件") for n in range(3)]

    first = operator.post(f"{TICKETS}bulk/", batch, format="json")
    again = operator.post(f"{TICKETS}bulk/", batch, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert [t["title"] for t in first.json()] == ["第0件", "第1件", "第2件"]
    assert first.json() == again.json()
    assert Ticket.objects.count() == 3


def test_a_batch_with_one_new_item_answers_201_and_stores_only_that_one(operator):
    batch = [body(title="旧")]
    operator.post(f"{TICKETS}bulk/", batch, format="json")

    response = operator.post(f"{TICKETS}bulk/", [*batch, body(title="新")], format="json")

    assert response.status_code == 201
    assert sorted(Ticket.objects.values_list("title", flat=True)) == ["新", "旧"]


def test_one_bad_item_stores_nothing_and_is_named_by_its_index(operator):
    batch = [body(), body(title=""), body(), {"title": "无键"}]

    response = operator.post(f"{TICKETS}bulk/", batch, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["1", "3"]
    assert list(response.json()["errors"]["1"]) == ["title"]
    assert list(response.json()["errors"]["3"]) == ["client_id"]
    assert Ticket.objects.count() == 0


def test_a_client_id_twice_in_a_batch_is_an_error_at_the_later_index(operator):
    item = body()

    response = operator.post(f"{TICKETS}bulk/", [item, body(), dict(item)], format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "2": {"client_id": ["此 client_id 已在本批中较前的位置使用。"]}
    }
    assert Ticket.objects.count() == 0


def test_a_client_id_reused_with_another_body_is_409_by_index(operator):
    item = body()
    operator.post(f"{TICKETS}bulk/", [item], format="json")

    response = operator.post(f"{TICKETS}bulk/", [body(), {**item, "title": "改"}], format="json")

    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["1"]
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("payload", [{"title": "不是数组"}, [], "文本"])
def test_a_batch_must_be_a_non_empty_array(operator, payload):
    response = operator.post(f"{TICKETS}bulk/", payload, format="json")

    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_a_batch_over_the_limit_is_refused_whole(operator, monkeypatch):
    from tests.core.urls import TicketViewSet

    monkeypatch.setattr(TicketViewSet, "bulk_max", 2)

    response = operator.post(f"{TICKETS}bulk/", [body(), body(), body()], format="json")

    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_a_batch_item_aimed_at_a_sibling_stores_nothing(tree, operator):
    batch = [body(), body(organization=tree.village_a2.pk)]

    response = operator.post(f"{TICKETS}bulk/", batch, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["1"]
    assert Ticket.objects.count() == 0


# Full reads: masked fields, the access log, no caching.


def test_a_full_read_shows_the_secret_logs_the_read_and_is_not_cached(
    tree, rights, user_in, api_as
):
    ticket = ticket_in(tree.village_a1, secret="家暴细节")
    staff = user_in(tree.street_a, Role.STAFF)

    detail = api_as(staff).get(f"{TICKETS}{ticket.pk}/")
    listed = api_as(staff).get(TICKETS)

    assert detail.json()["secret"] == "家暴细节"
    assert detail["Cache-Control"] == "no-store"
    assert listed.json()["results"][0]["secret"] == "***"
    log = AccessLog.objects.get()
    assert (log.user, log.record, log.through) == (staff, ticket, "api")


def test_a_role_without_the_full_read_right_sees_the_mask_and_logs_nothing(tree, operator):
    ticket = ticket_in(tree.village_a1, secret="家暴细节")

    detail = operator.get(f"{TICKETS}{ticket.pk}/")

    assert detail.json()["secret"] == "***"
    assert AccessLog.objects.count() == 0


# DELETE: a soft delete, for roles with the delete right.


def test_delete_marks_the_record_deleted_for_a_role_with_the_right(tree, rights, user_in, api_as):
    ticket = ticket_in(tree.village_a1)
    staff = user_in(tree.street_a, Role.STAFF)

    response = api_as(staff).delete(f"{TICKETS}{ticket.pk}/")
    again = api_as(staff).delete(f"{TICKETS}{ticket.pk}/")

    assert (response.status_code, again.status_code) == (204, 404)
    ticket.refresh_from_db()
    assert ticket.is_deleted
    assert ticket.history.latest().history_user == staff
    synced = api_as(staff).get(TICKETS, {"updated_after": "2000-01-01T00:00:00Z"})
    assert [(t["id"], t["deleted"]) for t in synced.json()["results"]] == [(ticket.pk, True)]


def test_delete_without_the_right_is_403_and_changes_nothing(tree, operator):
    ticket = ticket_in(tree.village_a1)

    assert operator.delete(f"{TICKETS}{ticket.pk}/").status_code == 403
    assert not Ticket.objects.get(pk=ticket.pk).is_deleted


def test_a_resource_that_cannot_be_soft_deleted_offers_no_delete(tree, user_in, api_as):
    admin = api_as(user_in(tree.district, Role.DISTRICT_ADMIN))

    response = admin.delete(f"/api/v1/organizations/{tree.village_a1.pk}/")

    assert response.status_code == 405


# Status changes: one service, called by the API and the admin alike.


def test_the_service_checks_the_table_the_needs_the_version_and_the_right(tree, rights, user_in):
    ticket = ticket_in(tree.village_a1)
    operator = user_in(tree.village_a1, Role.STATION_OPERATOR)
    leader = user_in(tree.village_a1, Role.LEADERSHIP)

    with pytest.raises(IllegalMove):
        transition(ticket, to="closed", by=operator, outcome="mediated")
    with pytest.raises(PermissionDenied):
        transition(ticket, to="accepted", by=leader)
    with pytest.raises(StaleVersion):
        transition(ticket, to="accepted", by=operator, version=9)
    accepted = transition(ticket, to="accepted", by=operator, note="受理", version=1)
    with pytest.raises(ValidationError) as missing:
        transition(accepted, to="closed", by=operator)
    closed = transition(accepted, to="closed", by=SYSTEM, outcome="withdrawn")

    assert list(missing.value.message_dict) == ["outcome"]
    assert (closed.status, closed.outcome, closed.version) == ("closed", "withdrawn", 3)
    reasons = list(closed.history.order_by("history_id").values_list("history_change_reason"))
    assert reasons == [(None,), ("受理",), ("closed",)]
    assert closed.history.latest().history_user is None  # the system, not an account


def test_an_admin_action_moves_the_selected_through_the_service(tree, rights, user_in, browser_as):
    open_one, closed_one = ticket_in(tree.village_a1), ticket_in(tree.village_a1, status="closed")
    staff = user_in(tree.street_a, Role.STAFF)

    page = browser_as(staff).post(
        "/testadmin/scoping_app/ticket/",
        {"action": "move_to_accepted", "_selected_action": [open_one.pk, closed_one.pk]},
        follow=True,
    )

    assert page.status_code == 200
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {open_one.pk: "accepted", closed_one.pk: "closed"}
    assert Ticket.objects.get(pk=open_one.pk).history.latest().history_user == staff


def test_the_admin_status_page_asks_for_what_the_move_needs(tree, rights, user_in, browser_as):
    ticket = ticket_in(tree.village_a1, status="accepted")
    client = browser_as(user_in(tree.street_a, Role.STAFF))
    url = f"/testadmin/scoping_app/ticket/{ticket.pk}/transition/"

    refused = client.post(url, {"to": "closed", "note": "", "outcome": "", "version": 1})
    done = client.post(url, {"to": "closed", "note": "调解成功", "outcome": "mediated"})

    assert refused.status_code == 200
    assert "outcome" in refused.context["form"].errors
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome) == ("closed", "mediated")
    assert ticket.history.latest().history_change_reason == "调解成功"


def test_the_admin_status_page_of_a_siblings_ticket_is_404(tree, rights, user_in, browser_as):
    theirs = ticket_in(tree.village_b1)
    client = browser_as(user_in(tree.street_a, Role.STAFF))

    page = client.post(f"/testadmin/scoping_app/ticket/{theirs.pk}/transition/", {"to": "accepted"})

    assert page.status_code == 404
    assert Ticket.objects.get(pk=theirs.pk).status == "open"


def test_every_organization_record_keeps_the_sync_index():
    from django.apps import apps

    from apps.organizations.models import OrganizationRecord

    records = [m for m in apps.get_models() if issubclass(m, OrganizationRecord)]
    missing = [
        m.__name__
        for m in records
        if not any(list(index.fields) == ["updated_at", "id"] for index in m._meta.indexes)
    ]

    assert len(records) >= 5  # people, appointments, meetings and the two test records
    assert missing == []


def test_a_protected_row_is_a_409_in_the_callers_language(tree):
    from django.db.models import ProtectedError
    from django.utils import translation

    from apps.core.errors import api_exception_handler

    with translation.override("zh-hans"):
        response = api_exception_handler(ProtectedError("still used", set()), {})

    assert response.status_code == 409
    assert response.data == {"detail": "仍有其他记录指向此记录，不能删除。", "code": "protected"}
