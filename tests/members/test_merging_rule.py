"""Merging only what is likely one person (issue 10, item 5; docs/merging.md): a pair or group
the duplicates page proposes, or — only for a district administrator — two records she
confirms are one person, naming both villages. The confirmation is in both records' history."""

import pytest
from django.core.exceptions import ValidationError

from apps.members import merging
from apps.members.models import Member
from apps.organizations.roles import Role
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db
PAGE = "/admin/members/member/duplicates/"


def unrelated(tree):
    """Two people who share no key: another name, number, phone and birth date."""
    return (
        make_member(tree.village_a1, name="张三", address="一村1号"),
        make_member(tree.village_a2, name="李梅", id_number="", address="二村2号"),
    )


def alive(*people):
    return Member.objects.filter(pk__in=[p.pk for p in people], deleted_at=None).count()


@pytest.mark.parametrize("role", [Role.STAFF, Role.DISTRICT_ADMIN])
def test_two_unrelated_people_are_not_merged_on_the_page(tree, user_in, browser_as, role):
    """The attack: any two people in scope posted to the page, one's address and numbers
    copied into the other's village."""
    keep, drop = unrelated(tree)
    client = browser_as(user_in(tree.district, role))

    page = client.post(PAGE, {"member": [keep.pk, drop.pk], "survivor": keep.pk}, follow=True)

    assert alive(keep, drop) == 2
    assert "同一人" in page.content.decode() or "one person" in page.content.decode()


def test_two_unrelated_people_are_not_merged_by_the_service(tree, user_in):
    keep, drop = unrelated(tree)

    for role in (Role.STAFF, Role.DISTRICT_ADMIN):
        with pytest.raises(ValidationError, match=r"同一人|one person"):
            merging.member_merge(by=user_in(tree.district, role), survivor=keep, duplicate=drop)

    keep.refresh_from_db()
    assert alive(keep, drop) == 2 and keep.address == "一村1号"


def test_a_district_admin_merges_them_with_a_confirmation_naming_both_villages(
    tree, user_in, browser_as
):
    keep, drop = unrelated(tree)
    admin = user_in(tree.district, Role.DISTRICT_ADMIN)
    client = browser_as(admin)

    asked = client.post(PAGE, {"member": [keep.pk, drop.pk], "survivor": keep.pk})
    text = asked.content.decode()
    sentence = merging.confirmation_text(keep, [drop])
    assert asked.status_code == 200 and sentence in text
    assert tree.village_a1.name in sentence and tree.village_a2.name in sentence
    assert alive(keep, drop) == 2  # asked, not done

    wrong = merging.confirmation_text(keep, [make_member(tree.village_b1, name="李梅")])
    client.post(PAGE, {"member": [keep.pk, drop.pk], "survivor": keep.pk, "confirm": wrong})
    assert alive(keep, drop) == 2

    done = client.post(
        PAGE, {"member": [keep.pk, drop.pk], "survivor": keep.pk, "confirm": sentence}
    )

    assert done.status_code == 302
    drop.refresh_from_db()
    assert drop.merged_into == keep
    for record in (keep, drop):
        latest = record.history.latest()
        assert sentence in latest.history_change_reason and latest.history_user == admin


@pytest.mark.parametrize("role", [Role.STAFF])
def test_other_roles_may_not_confirm(tree, user_in, browser_as, role):
    keep, drop = unrelated(tree)
    user = user_in(tree.district, role)
    sentence = merging.confirmation_text(keep, [drop])

    with pytest.raises(ValidationError, match=r"区管理员|district administrator"):
        merging.member_merge(by=user, survivor=keep, duplicate=drop, confirmation=sentence)
    browser_as(user).post(
        PAGE, {"member": [keep.pk, drop.pk], "survivor": keep.pk, "confirm": sentence}
    )

    assert alive(keep, drop) == 2


def test_a_group_linked_through_its_members_is_one_person(tree, user_in):
    """Kept by number with the second, the second and third by name and phone: one group."""
    staff = user_in(tree.district, Role.STAFF)
    keep = make_member(tree.village_a1, name="何丽", phone="13700001234")
    middle = make_member(tree.village_a2, name="何丽", id_number="", phone="13700009999")
    last = make_member(tree.village_a2, name="何丽", id_number="", phone="13700009999")
    Member.objects.filter(pk=middle.pk).update(id_number=keep.id_number, birth_date=keep.birth_date)

    merging.member_merge_group(by=staff, survivor=keep, duplicates=[middle, last])

    assert alive(keep, middle, last) == 1
