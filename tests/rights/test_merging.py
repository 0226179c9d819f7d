"""A merge of two records of one person moves her terms at stations (docs/merging.md)."""

import pytest
from django.core.exceptions import ValidationError

from apps.members import merging
from apps.organizations.roles import Role
from apps.rights.models import StationStaff
from tests.factories.members import make_member
from tests.registry import make_station_staff

pytestmark = pytest.mark.django_db


def test_a_merge_moves_the_duplicates_terms_to_the_survivor_with_history(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    survivor = make_member(tree.street_a, name="何秀珍", phone="13700003333")
    duplicate = make_member(tree.village_a1, name="何秀珍", id_number="", phone="13700003333")
    term = make_station_staff(tree.village_a1, member=duplicate)

    merging.member_merge(survivor=survivor, duplicate=duplicate, by=staff)

    term.refresh_from_db()
    assert term.member == survivor
    latest = term.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        staff,
        f"person #{duplicate.pk} merged into #{survivor.pk}",
    )


def test_a_merge_that_would_show_a_village_a_person_of_another_is_refused(tree, user_in):
    staff = user_in(tree.district, Role.STAFF)
    survivor = make_member(tree.village_a2, name="何秀珍", phone="13700003333")
    duplicate = make_member(tree.village_a1, name="何秀珍", id_number="", phone="13700003333")
    term = make_station_staff(tree.village_a1, member=duplicate)

    with pytest.raises(ValidationError):
        merging.member_merge(survivor=survivor, duplicate=duplicate, by=staff)

    assert StationStaff.objects.get(pk=term.pk).member == duplicate
