"""Notices (docs/notices.md): an account reads and marks its own, nobody else's, in the API and
on the admin's first page; e-mailed only where e-mail is set up."""

import pytest
from django.core import mail

from apps.core.actors import SYSTEM
from apps.notices.models import Notice
from apps.notices.services import notice_send
from tests.registry import make_notice

pytestmark = pytest.mark.django_db

NOTICES = "/api/v1/notices/"


def test_a_notice_goes_to_the_organizations_active_accounts_of_the_roles_only(tree, user_in):
    staff = user_in(tree.street_a, "staff")
    worker = user_in(tree.street_a, "case_worker")
    user_in(tree.street_a, "staff", is_active=False)
    user_in(tree.street_a, "leadership")
    user_in(tree.village_a1, "staff")  # below: not the organization itself

    sent = notice_send(
        by=SYSTEM,
        organization=tree.street_a,
        roles=["staff", "case_worker"],
        title="案件逾期",
        body="紧急",
        link="/admin/",
    )

    assert sorted(n.account_id for n in sent) == sorted([staff.pk, worker.pk])
    assert Notice.objects.count() == 2


def test_the_api_lists_the_callers_own_notices_and_filters_unread(
    tree, user_in, api_as, django_assert_num_queries
):
    me = user_in(tree.village_a1, "station_operator")
    mine = [make_notice(tree.village_a1, account=me, title=f"通知{n}") for n in range(3)]
    make_notice(tree.village_a1)  # a colleague's
    mine[0].read_at = mine[0].created_at
    mine[0].save()
    client = api_as(me)

    with django_assert_num_queries(3):  # the token, the page's count, the page
        answer = client.get(NOTICES)

    assert [row["id"] for row in answer.json()["results"]] == [n.pk for n in reversed(mine)]
    unread = client.get(NOTICES, {"unread": "true"}).json()["results"]
    assert [row["id"] for row in unread] == [mine[2].pk, mine[1].pk]
    read = client.get(NOTICES, {"unread": "false"}).json()["results"]
    assert [row["id"] for row in read] == [mine[0].pk]
    assert set(read[0]) == {"id", "title", "body", "link", "created_at", "read_at"}


def test_a_bad_unread_is_a_400_in_chinese(tree, user_in, api_as):
    answer = api_as(user_in(tree.village_a1, "staff")).get(NOTICES, {"unread": "maybe"})

    assert answer.status_code == 400
    assert "unread" in answer.json()
    assert "true" in answer.json()["unread"][0] and "只能" in answer.json()["unread"][0]


def test_marking_read_is_the_owners_alone_and_keeps_the_first_time(tree, user_in, api_as):
    me = user_in(tree.street_a, "district_admin")
    notice = make_notice(tree.street_a, account=me)
    colleague = make_notice(tree.street_a)  # same organization, another account
    client = api_as(me)

    first = client.post(f"{NOTICES}{notice.pk}/read/")
    again = client.post(f"{NOTICES}{notice.pk}/read/")

    assert first.status_code == again.status_code == 200
    assert first.json()["read_at"] == again.json()["read_at"] is not None
    assert client.post(f"{NOTICES}{colleague.pk}/read/").status_code == 404
    assert client.get(f"{NOTICES}{colleague.pk}/").status_code == 404
    colleague.refresh_from_db()
    assert colleague.read_at is None


def test_the_admins_first_page_shows_the_unread_and_opening_one_marks_it_read(
    tree, user_in, browser_as
):
    me = user_in(tree.street_a, "case_worker")
    notice = make_notice(
        tree.street_a, account=me, title="案件 WQ-2026-00007 已逾期", link="/admin/"
    )
    other = make_notice(tree.street_a, title="别人的通知")
    browser = browser_as(me)

    page = browser.get("/admin/").content.decode()
    assert "案件 WQ-2026-00007 已逾期" in page and "别人的通知" not in page

    opened = browser.post(f"/admin/notices/{notice.pk}/read/")
    assert (opened.status_code, opened["Location"]) == (302, "/admin/")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "WQ-2026-00007" not in browser.get("/admin/").content.decode()
    assert browser.post(f"/admin/notices/{other.pk}/read/").status_code == 404
    assert browser.get(f"/admin/notices/{notice.pk}/read/").status_code == 405


def test_a_link_to_another_site_is_not_followed(tree, user_in, browser_as):
    me = user_in(tree.street_a, "staff")
    notice = make_notice(tree.street_a, account=me, link="https://evil.example/")

    opened = browser_as(me).post(f"/admin/notices/{notice.pk}/read/")

    assert opened["Location"] == "/admin/"


def test_e_mail_is_off_by_default_and_sent_after_the_commit_where_set_up(
    tree, user_in, settings, django_capture_on_commit_callbacks
):
    """An account with an e-mail address gets its notices by mail too, once set up."""
    user_in(tree.street_a, "staff", email="fulian@example.org")
    user_in(tree.street_a, "staff")  # no address: no mail
    assert settings.NOTICES_EMAIL is False

    with django_capture_on_commit_callbacks(execute=True):
        notice_send(by=SYSTEM, organization=tree.street_a, roles=["staff"], title="一")
    assert mail.outbox == []

    settings.NOTICES_EMAIL = True
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(
            by=SYSTEM, organization=tree.street_a, roles=["staff"], title="二", link="/admin/"
        )
    assert [(m.subject, m.to) for m in mail.outbox] == [("二", ["fulian@example.org"])]
    assert "/admin/" in mail.outbox[0].body
