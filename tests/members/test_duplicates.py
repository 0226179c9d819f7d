"""Likely duplicates kept on write (docs/merging.md): the pairs follow every kind of write, the
page reads them in a fixed number of queries whatever the number of people, through indexes,
and recording them locks nothing a single save of another person waits for."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from apps.core.actors import SYSTEM
from apps.members import merging
from apps.members.models import DistinctPair, DuplicateCandidate, Member
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.factories.identity import make_id_number
from tests.factories.members import make_member
from tests.locks import wait_for_lock_waiters

BORN = datetime.date(1968, 4, 2)


def recounted() -> set[tuple[int, int]]:
    """The pairs of the people alive, found afresh from the people table."""
    people = list(Member.objects.alive().order_by("pk"))
    return {
        (a.pk, b.pk)
        for i, a in enumerate(people)
        for b in people[i + 1 :]
        if set(merging.keys_of(a)) & set(merging.keys_of(b))
    }


def recorded() -> set[tuple[int, int]]:
    return set(DuplicateCandidate.objects.values_list("person_a", "person_b"))


@pytest.mark.django_db
def test_the_pairs_follow_every_kind_of_write(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    one = make_member(tree.village_a1, name="韩梅", id_number="", phone="13700003333")
    two = make_member(tree.village_a2, name="韩梅", id_number="", phone="13700003333")
    three = make_member(
        tree.village_b1, name="江燕", id_number=make_id_number(BORN, "female"), birth_date=None
    )
    Member.objects.bulk_create(  # an import's way: no service, no save()
        Member(organization=tree.village_b1, name="韩梅", gender="female", phone="+8613700003333")
        for _ in range(2)
    )
    assert recorded() == recounted() and len(recorded()) == 6

    services.member_update(by=SYSTEM, member=one, phone="13700004444", name="韩梅梅")
    Member.objects.filter(pk=two.pk).update(birth_date=BORN)
    assert recorded() == recounted() and len(recorded()) == 3
    Member.objects.filter(pk=one.pk).update(name="韩梅", phone="+8613700003333")
    merging.member_merge(by=staff, survivor=two, duplicate=one)
    services.member_delete(by=SYSTEM, member=three)
    Member.objects.filter(organization=tree.village_b1, deleted_at__isnull=True).delete()

    assert recorded() == recounted() == set()
    assert merging.likely_duplicates(by=staff) == []


@pytest.mark.django_db
def test_the_page_is_two_queries_whatever_the_number_of_people(
    tree, user_in, browser_as, django_assert_num_queries
):
    staff = user_in(tree.district, Role.STAFF)
    make_member(tree.village_a1, name="温岚", id_number="", phone="13700005555")
    make_member(tree.village_a2, name="温岚", id_number="", phone="13700005555")
    client = browser_as(staff)
    client.get("/admin/members/member/duplicates/")  # the session and the account, read once
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/members/member/duplicates/")

    Member.objects.bulk_create(
        Member(organization=tree.village_b1, name=f"路人{n}", gender="female") for n in range(300)
    )
    with django_assert_num_queries(2):  # the pairs of the subtree, the people of the page
        groups = merging.likely_duplicates(by=staff)
    with django_assert_num_queries(len(few)):
        page = client.get("/admin/members/member/duplicates/")

    assert [[person.name for person in group] for group in groups] == [["温岚", "温岚"]]
    assert page.content.decode().count("温岚") >= 2


@pytest.mark.django_db
def test_a_pair_whose_key_has_gone_is_not_shown(tree, user_in):
    """A pair recorded in the same instant as a change that undoes it is checked away."""
    staff = user_in(tree.district, Role.STAFF)
    one = make_member(tree.village_a1, name="苏青", id_number="", phone="13700007777")
    two = make_member(tree.village_a2, name="苏青", id_number="", phone="13700008888")
    with connection.cursor() as cursor:  # as if written blind to the change of phone
        cursor.execute(
            "INSERT INTO members_duplicatecandidate (person_a_id, person_b_id, reason)"
            " VALUES (%s, %s, 'name_phone')",
            [one.pk, two.pk],
        )

    assert merging.likely_duplicates(by=staff) == []


@pytest.mark.django_db
def test_the_pages_queries_read_no_whole_table(tree, user_in):
    """At 20,000 people (and a few pairs), ANALYZEd, the pairs and the people of the page are
    read through indexes: no sequential scan of the people."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_member (organization_id, name, name_pinyin, gender, ethnicity,"
            " birth_date, id_number, phone, political_status, education, occupation, address,"
            " created_at, updated_at, version, client_id, request_hash)"
            " SELECT %s, '人' || n, 'ren' || n, 'female', 'han', DATE '1950-01-01' + n,"
            " '', '', '', '', '', '', now(), now(), 1, gen_random_uuid(), ''"
            " FROM generate_series(1, 20000) n",
            [tree.village_b1.pk],
        )
        cursor.execute("ANALYZE members_member, members_duplicatecandidate")
    for village in (tree.village_a1, tree.village_a2):
        make_member(village, name="温岚", id_number="", phone="13700005555")
    user = user_in(tree.street_a, Role.STAFF)

    with CaptureQueriesContext(connection) as captured:
        assert len(merging.likely_duplicates(by=user)) == 1

    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on members_member" not in plan, plan


def pairs_plan_of_insert(village, rows: int) -> str:
    """The plan the insert trigger used for the pairs of ``rows`` people inserted in one
    statement (auto_explain, sent back as a notice), with the people table's statistics saying
    it is empty, as they do right after a first load."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_member")  # taken while the table is empty
        cursor.execute("LOAD 'auto_explain'")
        for setting in ("log_min_duration = 0", "log_nested_statements = on", "log_level = notice"):
            cursor.execute(f"SET LOCAL auto_explain.{setting}")
    plans = []
    connection.connection.add_notice_handler(lambda notice: plans.append(notice.message_primary))
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO members_member (organization_id, name, name_pinyin, gender,"
                " ethnicity, birth_date, id_number, phone, political_status, education,"
                " occupation, address, created_at, updated_at, version, client_id, request_hash)"
                " SELECT %s, '人' || (n %% 400), 'ren', 'female', 'han',"
                " DATE '1950-01-01' + n %% 400, 'X' || (n %% 1000), '137' || (n %% 500),"
                " '', '', '', '', now(), now(), 1, gen_random_uuid(), ''"
                " FROM generate_series(1, %s) n",
                [village.pk, rows],
            )
            cursor.execute("SET LOCAL auto_explain.log_min_duration = -1")
    finally:
        connection.connection._notice_handlers.clear()
    return next(plan for plan in plans if "INSERT INTO members_duplicatecandidate" in plan)


@pytest.mark.django_db
def test_a_few_rows_probe_the_key_indexes_whatever_the_statistics(tree):
    """Each of a few rows finds its pairs through the three key indexes (migration
    members/0015): never a pass over the table for each row, which took minutes for a
    20,000-row COPY right after the demo was loaded."""
    plan = pairs_plan_of_insert(tree.village_b1, 600)

    for index in ("member_id_number", "member_name_phone", "member_name_birth"):
        assert f"Index Scan using {index} on members_member" in plan, plan
    assert "Seq Scan on members_member" not in plan, plan
    assert recorded() == recounted() and len(recorded()) >= 200


@pytest.mark.django_db
def test_many_rows_take_one_pass_over_the_table_whatever_the_statistics(tree):
    """A statement of many rows (an import's COPY) is hash-joined against one pass over the
    table: linear in the two, whatever the planner believes about either."""
    plan = pairs_plan_of_insert(tree.village_b1, 1200)

    assert "Nested Loop" not in plan and plan.count("Hash Join") == 3, plan
    assert recorded() == recounted() and len(recorded()) > 1200


@pytest.mark.django_db(transaction=True)
def test_an_open_import_does_not_hold_up_a_single_save(tree):
    """A transaction that has inserted people and recorded their pairs, not yet committed,
    holds up neither a new person with the same key nor a change to a person it paired."""
    on_file = make_member(tree.village_a1, name="柳青", id_number="", phone="13700006666")
    written, release = threading.Event(), threading.Event()

    def open_import():
        try:
            with transaction.atomic():
                new = Member.objects.bulk_create(
                    Member(
                        organization=tree.village_b1,
                        name="柳青",
                        gender="female",
                        phone="+8613700006666",
                        name_pinyin="liuqing",
                    )
                    for _ in range(3)
                )
                merging.record_candidates([person.pk for person in new])
                written.set()
                release.wait(20)
        finally:
            connections.close_all()

    importer = threading.Thread(target=open_import)
    importer.start()
    try:
        assert written.wait(20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = '5s'")
            make_member(tree.village_a2, name="柳青", id_number="", phone="13700006666")
            services.member_update(by=SYSTEM, member=on_file, occupation="教师", phone="")
            with connection.cursor() as cursor:
                waiting = wait_for_lock_waiters(cursor, 1, timeout=0.5)
    finally:
        release.set()
        importer.join(20)

    assert waiting == 0
    assert len(recorded()) == 3 + 3  # the import's three among them; the new one with them


@pytest.mark.django_db(transaction=True)
def test_one_person_entered_by_two_villages_at_once_is_one_pair(tree, user_in):
    """The second save of a key waits for the first (their own lock, not the import's) and
    finds her: the pair is recorded though each began before the other committed."""
    inserted, release = threading.Event(), threading.Event()

    def enter(village, first):
        try:
            with transaction.atomic():
                make_member(village, name="柳青", id_number="", phone="13700006666")
                if first:
                    inserted.set()
                    release.wait(20)
        finally:
            connections.close_all()

    first = threading.Thread(target=enter, args=(tree.village_a1, True))
    second = threading.Thread(target=enter, args=(tree.village_b1, False))
    first.start()
    inserted.wait(20)
    second.start()
    with connection.cursor() as cursor:
        waiting = wait_for_lock_waiters(cursor, 1)
    release.set()
    first.join(20)
    second.join(20)

    assert waiting == 1
    staff = user_in(tree.district, Role.STAFF)
    assert [[p.name for p in group] for group in merging.likely_duplicates(by=staff)] == [
        ["柳青", "柳青"]
    ]


@pytest.mark.django_db
def test_not_the_same_person_hides_the_group_for_good(tree, user_in, browser_as):
    """Staff who find a group to be different people say so on the page: the group is gone,
    stays gone when their keys change again, the records are untouched, and the decision names
    who took it."""
    staff = user_in(tree.street_a, Role.STAFF)
    one = make_member(tree.village_a1, name="李娟", id_number="", phone="13700001111")
    two = make_member(tree.village_a2, name="李娟", id_number="", phone="13700001111")
    versions = {one.pk: one.version, two.pk: two.version}
    client = browser_as(staff)
    assert "李娟" in client.get("/admin/members/member/duplicates/").content.decode()

    done = client.post(
        "/admin/members/member/duplicates/",
        {"member": [one.pk, two.pk], "action": "distinct"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert "李娟：已记录为不同的人。" in done.content.decode()
    assert merging.likely_duplicates(by=staff) == []
    Member.objects.filter(pk=one.pk).update(birth_date=BORN)
    Member.objects.filter(pk=two.pk).update(birth_date=BORN)  # a second shared key
    assert merging.likely_duplicates(by=staff) == []
    assert {p.pk: p.version for p in Member.objects.filter(pk__in=versions)} == versions
    decision = DistinctPair.objects.get()
    assert (decision.person_a_id, decision.person_b_id, decision.decided_by) == (
        one.pk,
        two.pk,
        staff,
    )
    third = make_member(tree.village_a1, name="李娟", id_number="", phone="13700001111")
    assert [{p.pk for p in group} for group in merging.likely_duplicates(by=staff)] == [
        {one.pk, two.pk, third.pk}  # a new record is a new question; the page shows the group
    ]


@pytest.mark.django_db
def test_not_the_same_person_only_for_ones_own_records(tree, user_in, browser_as):
    """A record outside the account's subtree in the posted group refuses the whole decision."""
    staff = user_in(tree.street_a, Role.STAFF)
    mine = make_member(tree.village_a1, name="周敏", id_number="", phone="13700002222")
    other = make_member(tree.village_b1, name="周敏", id_number="", phone="13700002222")

    refused = browser_as(staff).post(
        "/admin/members/member/duplicates/",
        {"member": [mine.pk, other.pk], "action": "distinct"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert "其中有记录不在您的管辖范围内" in refused.content.decode()
    assert not DistinctPair.objects.exists() and refused.status_code == 200
    with pytest.raises(ValidationError):
        merging.mark_distinct(by=staff, people=[mine])


@pytest.mark.django_db
def test_an_imports_recheck_is_hash_joined_whatever_the_statistics(tree):
    """The import records its rows' pairs again under its lock (``record_candidates``): with the
    statistics of the table before the import (empty, on a new install) that was a nested loop
    over every new row against every other — 60 s for 20,000 rows, 9 minutes for 60,000."""
    pairs_plan_of_insert(tree.village_b1, 1200)  # the import's rows, and their statistics
    ids = list(Member.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        for setting in ("log_min_duration = 0", "log_nested_statements = on", "log_level = notice"):
            cursor.execute(f"SET LOCAL auto_explain.{setting}")
    plans = []
    connection.connection.add_notice_handler(lambda notice: plans.append(notice.message_primary))
    try:
        merging.record_candidates(ids)
    finally:
        connection.connection._notice_handlers.clear()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL auto_explain.log_min_duration = -1")

    plan = next(plan for plan in plans if "INSERT INTO members_duplicatecandidate" in plan)
    assert "Nested Loop" not in plan and plan.count("Hash Join") >= 3, plan
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_nestloop")
        assert cursor.fetchone()[0] == "on"  # set back for the rest of the transaction
    assert recorded() == recounted()


@pytest.mark.django_db
def test_the_trigger_leaves_a_transactions_pairs_to_it_only_when_told(tree):
    """``pairs_recorded_later`` (the import) makes the insert trigger pass over this
    transaction's rows, which ``record_candidates`` then pairs; the next transaction's rows are
    paired by the trigger again (migration members/0017)."""
    on_file = make_member(tree.village_a1, name="白露", id_number="", phone="13700007777")

    def same_key():
        return Member(
            organization=tree.village_b1,
            name="白露",
            gender="female",
            phone="+8613700007777",
            name_pinyin="bailu",
        )

    with transaction.atomic():
        merging.pairs_recorded_later()
        new = Member.objects.bulk_create([same_key()])
        assert recorded() == set()  # left to the transaction
        merging.record_candidates([person.pk for person in new])
        assert recorded() == {(on_file.pk, new[0].pk)}

    later = Member.objects.bulk_create([same_key()])  # a new transaction: the trigger's again
    assert recorded() == recounted() and len(recorded()) == 3
    assert later[0].pk in {pk for pair in recorded() for pk in pair}
