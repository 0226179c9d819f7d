"""The keys people share are counted by the database on every write, whoever writes
(apps/members/models/duplicates.py): the duplicates page reads them, not the whole table."""

import datetime
import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from apps.core.actors import SYSTEM
from apps.members import merging
from apps.members.models import DuplicateKey, Member
from apps.members.services import people as services
from apps.organizations.roles import Role
from tests.core.test_machinery import wait_for_lock_waiters
from tests.factories.identity import make_id_number
from tests.factories.members import make_member

BORN = datetime.date(1968, 4, 2)


def recounted() -> Counter:
    """The keys of the people alive, counted afresh from the people table."""
    keys = Counter()
    for person in Member.objects.alive():
        if person.id_number:
            keys["id_number", "", person.id_number] += 1
        if person.name and person.phone:
            keys["name_phone", person.name, person.phone] += 1
        if person.name and person.birth_date:
            keys["name_birth", person.name, person.birth_date.isoformat()] += 1
    return keys


def counted() -> Counter:
    rows = DuplicateKey.objects.exclude(people=0).values_list("kind", "name", "value", "people")
    return Counter({(kind, name, value): people for kind, name, value, people in rows})


@pytest.mark.django_db
def test_the_counts_follow_every_kind_of_write(tree, user_in):
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
    assert counted() == recounted()
    assert counted()["name_phone", "韩梅", "+8613700003333"] == 4

    services.member_update(by=SYSTEM, member=one, phone="13700004444", name="韩梅梅")
    Member.objects.filter(pk=two.pk).update(birth_date=BORN)
    merging.member_merge(by=staff, survivor=two, duplicate=one)
    services.member_delete(by=SYSTEM, member=three)
    Member.objects.filter(organization=tree.village_b1, deleted_at__isnull=True).delete()

    assert counted() == recounted()
    assert counted()["name_phone", "韩梅", "+8613700003333"] == 1
    assert merging.likely_duplicates(by=staff) == []


@pytest.mark.django_db
def test_finding_duplicates_is_two_queries_whatever_the_table(
    tree, user_in, django_assert_num_queries
):
    staff = user_in(tree.district, Role.STAFF)
    make_member(tree.village_a1, name="温岚", id_number="", phone="13700005555")
    make_member(tree.village_a2, name="温岚", id_number="", phone="13700005555")
    Member.objects.bulk_create(
        Member(organization=tree.village_b1, name=f"路人{n}", gender="female") for n in range(300)
    )

    with django_assert_num_queries(2):  # the shared keys, the people with them
        groups = merging.likely_duplicates(by=staff)

    assert [[person.name for person in group] for group in groups] == [["温岚", "温岚"]]


@pytest.mark.django_db(transaction=True)
def test_one_person_entered_by_two_villages_at_once_is_counted_twice(tree, user_in):
    """The second writer of a key waits on its row until the first commits, then adds to it:
    the first's own count, taken before the second existed, is not the last word."""
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

    assert waiting == 1  # the second was inside the database while the first was open
    assert counted()["name_phone", "柳青", "+8613700006666"] == 2
    staff = user_in(tree.district, Role.STAFF)
    assert [[p.name for p in group] for group in merging.likely_duplicates(by=staff)] == [
        ["柳青", "柳青"]
    ]
