"""Every write to the tree goes through the services: creating, changing and moving."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.organizations import services
from apps.organizations.choices import Kind, Sector
from apps.organizations.models import Organization, Position
from apps.organizations.signals import organization_moved
from tests.factories.organizations import PositionFactory, make_org

pytestmark = pytest.mark.django_db

OPENED = datetime.date(2015, 6, 1)


def create(parent, kind, name, **fields):
    return services.organization_create(
        parent=parent,
        kind=kind,
        name=name,
        code=fields.pop("code", f"S-{name}"),
        opened_on=fields.pop("opened_on", OPENED),
        **fields,
    )


def reloaded(organization):
    return Organization.objects.get(pk=organization.pk)


def children_names(organization):
    children = Organization.objects.get_children(reloaded(organization))
    return sorted(children.values_list("name", flat=True))


def assert_parents_agree_with_paths():
    """Every row's ``parent`` and ``street`` agree with its path; treebeard finds no fault."""
    for organization in Organization.objects.all():
        path_parent = Organization.objects.get_parent(organization, update=True)
        assert organization.parent_id == (path_parent.pk if path_parent else None), organization
        street_path = organization.path[: 2 * Organization.steplen]
        expected_street = (
            Organization.objects.get(path=street_path).pk if organization.depth >= 2 else None
        )
        assert organization.street_id == expected_street, organization
    assert Organization.objects.find_problems() == ([], [], [], [], [])


@pytest.fixture
def moves():
    """The organization_moved signals sent while the test runs, as plain dicts."""
    received = []

    def receiver(sender, organization, old_street_id, new_street_id, **kwargs):
        received.append(
            {
                "sender": sender,
                "organization": organization.pk,
                "old_street_id": old_street_id,
                "new_street_id": new_street_id,
            }
        )

    organization_moved.connect(receiver, weak=False)
    yield received
    organization_moved.disconnect(receiver)


# Creating.


def test_a_street_created_under_the_district_is_its_own_street(tree):
    street = create(tree.district, Kind.STREET, "丙街道妇联", code="330299003")

    stored = reloaded(street)
    assert stored.parent_id == tree.district.pk
    assert stored.kind == Kind.STREET
    assert stored.depth == 2
    assert stored.path.startswith(tree.district.path)
    assert stored.street_id == stored.pk
    assert street.street_id == stored.pk  # the returned instance says so too
    assert stored.name_pinyin == "bing jie dao fu lian"


def test_a_village_created_under_a_street_belongs_to_that_street(tree):
    village = create(tree.street_b, Kind.VILLAGE, "乙二村妇联", code="330299002002")

    stored = reloaded(village)
    assert stored.parent_id == tree.street_b.pk
    assert stored.depth == 3
    assert stored.path.startswith(tree.street_b.path)
    assert stored.street_id == tree.street_b.pk
    assert village.street_id == tree.street_b.pk


def test_the_district_has_no_street(tree):
    assert reloaded(tree.district).street_id is None
    assert reloaded(tree.district).parent_id is None


def test_a_committee_under_a_village_belongs_to_the_villages_street(tree):
    committee = create(
        tree.village_b1, Kind.COMMITTEE, "乙一村企业妇委会", sector=Sector.ENTERPRISE
    )

    stored = reloaded(committee)
    assert stored.parent_id == tree.village_b1.pk
    assert stored.street_id == tree.street_b.pk
    assert stored.sector == Sector.ENTERPRISE


@pytest.mark.parametrize(
    ("parent_name", "kind"),
    [
        ("district", Kind.VILLAGE),
        ("village_a1", Kind.STREET),
        ("village_a1", Kind.VILLAGE),
        ("street_a", Kind.STREET),
        ("street_a", Kind.DISTRICT),
    ],
)
def test_a_parent_of_the_wrong_kind_is_refused_and_nothing_is_saved(tree, parent_name, kind):
    parent = getattr(tree, parent_name)
    before = Organization.objects.count()
    children_before = reloaded(parent).numchild

    with pytest.raises(ValidationError) as caught:
        create(parent, kind, "错位组织", code="WRONG-KIND")

    assert list(caught.value.message_dict) == ["parent"]
    assert Organization.objects.count() == before
    assert not Organization.objects.filter(code="WRONG-KIND").exists()
    assert reloaded(parent).numchild == children_before


def test_the_wrong_kind_message_names_both_kinds(tree):
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            create(tree.district, Kind.VILLAGE, "错位村妇联")
        assert caught.value.message_dict == {
            "parent": [
                "A Village/community federation cannot be placed under a District federation."
            ]
        }


def test_a_street_without_a_parent_is_refused(tree):
    before = Organization.objects.count()

    with pytest.raises(ValidationError) as caught:
        create(None, Kind.STREET, "无上级街道妇联")

    assert list(caught.value.message_dict) == ["parent"]
    assert Organization.objects.count() == before


def test_a_duplicate_code_is_refused_on_code_and_nothing_is_saved(tree):
    before = Organization.objects.count()

    with pytest.raises(ValidationError) as caught:
        create(tree.street_a, Kind.VILLAGE, "重复编码村妇联", code=tree.village_b1.code)

    assert list(caught.value.message_dict) == ["code"]
    assert Organization.objects.count() == before
    assert Organization.objects.filter(code=tree.village_b1.code).get().pk == tree.village_b1.pk


def test_a_duplicate_code_on_update_is_refused_on_code(tree):
    with pytest.raises(ValidationError) as caught:
        services.organization_update(
            organization=reloaded(tree.village_a1), code=tree.village_b1.code
        )

    assert list(caught.value.message_dict) == ["code"]
    assert reloaded(tree.village_a1).code == tree.village_a1.code


def test_a_closing_date_before_the_opening_date_is_refused_and_nothing_is_saved(tree):
    before = Organization.objects.count()

    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            create(
                tree.street_a,
                Kind.VILLAGE,
                "倒序日期村妇联",
                opened_on=datetime.date(2020, 5, 1),
                closed_on=datetime.date(2020, 4, 30),
            )
        # The model's messages are lazy: read them while English is active.
        assert caught.value.message_dict == {
            "closed_on": ["The closing date cannot be before the opening date."]
        }
    assert Organization.objects.count() == before


def test_a_closing_date_on_the_opening_date_is_accepted(tree):
    same_day = datetime.date(2020, 5, 1)

    village = create(
        tree.street_a, Kind.VILLAGE, "当日撤销村妇联", opened_on=same_day, closed_on=same_day
    )

    assert reloaded(village).closed_on == same_day
    assert reloaded(village).is_open is False


def test_a_child_under_a_dissolved_parent_is_refused(tree):
    dissolved = services.organization_update(
        organization=reloaded(tree.village_a2), closed_on=datetime.date(2023, 12, 31)
    )
    before = Organization.objects.count()

    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            create(dissolved, Kind.COMMITTEE, "甲二社区妇委会", sector=Sector.ORGAN)
        assert caught.value.message_dict == {
            "parent": ["The parent organization has been dissolved."]
        }
    assert Organization.objects.count() == before


def test_a_child_under_a_dissolved_parent_is_refused_whatever_copy_of_the_parent_is_passed(tree):
    """The service must judge the parent as stored, not the caller's copy of it.

    ``tree.village_a2`` was loaded before the dissolution (as a concurrent
    request, a long-lived admin form or a loader holding the object would
    have it); the database says the village is dissolved.
    """
    services.organization_update(
        organization=reloaded(tree.village_a2), closed_on=datetime.date(2023, 12, 31)
    )
    before = Organization.objects.count()

    with pytest.raises(ValidationError) as caught:
        create(tree.village_a2, Kind.COMMITTEE, "甲二社区妇委会", sector=Sector.ORGAN)

    assert list(caught.value.message_dict) == ["parent"]
    assert Organization.objects.count() == before


# Changing.


def test_organization_update_changes_its_own_fields_and_the_pinyin_key(tree):
    updated = services.organization_update(
        organization=reloaded(tree.village_a1), name="安乐社区妇联", address="安乐路1号"
    )

    stored = reloaded(tree.village_a1)
    assert updated.pk == tree.village_a1.pk
    assert (stored.name, stored.address, stored.name_pinyin) == (
        "安乐社区妇联",
        "安乐路1号",
        "an le she qu fu lian",
    )
    assert (stored.path, stored.parent_id, stored.street_id) == (
        tree.village_a1.path,
        tree.street_a.pk,
        tree.street_a.pk,
    )


def test_organization_update_does_not_write_back_a_stale_tree_position(tree):
    """A copy loaded before a move is updated: only the changed fields may be written."""
    stale = reloaded(tree.village_a1)
    services.organization_move(organization=tree.village_a1, parent=tree.street_b)
    moved = reloaded(tree.village_a1)

    services.organization_update(organization=stale, name="安乐社区妇联")

    stored = reloaded(tree.village_a1)
    assert stored.name == "安乐社区妇联"
    assert (stored.path, stored.parent_id, stored.street_id) == (
        moved.path,
        tree.street_b.pk,
        tree.street_b.pk,
    )
    assert_parents_agree_with_paths()


def test_organization_update_does_not_write_back_a_stale_child_count(tree):
    stale = reloaded(tree.street_b)
    create(tree.street_b, Kind.VILLAGE, "乙二村妇联")

    services.organization_update(organization=stale, address="乙镇人民路2号")

    assert reloaded(tree.street_b).numchild == 2
    assert_parents_agree_with_paths()


@pytest.mark.parametrize(
    "field", ["parent", "kind", "street", "path", "depth", "numchild", "name_pinyin", "bogus"]
)
def test_organization_update_refuses_unknown_fields(tree, field):
    before = reloaded(tree.village_a1)

    with pytest.raises(TypeError, match=field):
        services.organization_update(
            organization=reloaded(tree.village_a1), name="不应保存", **{field: tree.street_b}
        )

    after = reloaded(tree.village_a1)
    assert (after.name, after.parent_id, after.kind, after.path) == (
        before.name,
        before.parent_id,
        before.kind,
        before.path,
    )


# Moving.


def test_moving_a_village_moves_its_subtree_and_keeps_its_records(tree, moves):
    committee = create(tree.village_a1, Kind.COMMITTEE, "甲一社区妇委会", sector=Sector.ORGAN)
    position = PositionFactory(organization=tree.village_a1, name="甲一妇女之家")
    old_path = reloaded(tree.village_a1).path

    moved = services.organization_move(organization=tree.village_a1, parent=tree.street_b)

    village = reloaded(tree.village_a1)
    assert moved.pk == village.pk
    assert village.parent_id == tree.street_b.pk
    assert village.street_id == tree.street_b.pk
    assert village.path != old_path
    assert village.path.startswith(reloaded(tree.street_b).path)
    assert village.depth == 3
    assert (moved.path, moved.parent_id, moved.street_id) == (
        village.path,
        tree.street_b.pk,
        tree.street_b.pk,
    )

    below = reloaded(committee)
    assert below.parent_id == village.pk
    assert below.path.startswith(village.path)
    assert below.depth == 4
    assert below.street_id == tree.street_b.pk

    assert Position.objects.get(pk=position.pk).organization_id == village.pk
    assert list(Position.objects.filter(organization__path__startswith=tree.street_b.path)) == [
        position
    ]

    assert moves == [
        {
            "sender": Organization,
            "organization": village.pk,
            "old_street_id": tree.street_a.pk,
            "new_street_id": tree.street_b.pk,
        }
    ]


def test_moving_a_village_leaves_the_rest_of_the_tree_consistent(tree):
    services.organization_move(organization=tree.village_a1, parent=tree.street_b)

    assert children_names(tree.street_a) == sorted(["甲二社区妇联", "甲街道快递行业妇委会"])
    assert children_names(tree.street_b) == sorted(["乙一村妇联", "甲一社区妇联"])
    assert reloaded(tree.street_a).numchild == 2
    assert reloaded(tree.street_b).numchild == 2
    assert reloaded(tree.village_a2).street_id == tree.street_a.pk
    assert reloaded(tree.village_b1).street_id == tree.street_b.pk
    assert_parents_agree_with_paths()


def test_a_child_created_after_a_move_lands_under_the_new_place(tree):
    services.organization_move(organization=tree.village_a1, parent=tree.street_b)

    committee = create(
        reloaded(tree.village_a1), Kind.COMMITTEE, "甲一社区妇委会", sector=Sector.ORGAN
    )

    assert reloaded(committee).street_id == tree.street_b.pk
    assert_parents_agree_with_paths()


def test_moving_a_street_under_another_district_keeps_it_its_own_street(tree, moves):
    other = create(None, Kind.DISTRICT, "邻区妇联", code="330288")

    services.organization_move(organization=tree.street_b, parent=other)

    street = reloaded(tree.street_b)
    assert street.parent_id == other.pk
    assert street.street_id == street.pk
    assert reloaded(tree.village_b1).street_id == street.pk
    assert reloaded(tree.village_b1).path.startswith(street.path)
    assert moves == [
        {
            "sender": Organization,
            "organization": street.pk,
            "old_street_id": street.pk,
            "new_street_id": street.pk,
        }
    ]
    assert_parents_agree_with_paths()


def test_moving_to_the_current_parent_changes_nothing_and_sends_nothing(tree, moves):
    before = reloaded(tree.village_a1)

    services.organization_move(organization=tree.village_a1, parent=tree.street_a)

    after = reloaded(tree.village_a1)
    assert (after.path, after.parent_id, after.street_id) == (
        before.path,
        before.parent_id,
        before.street_id,
    )
    assert moves == []


@pytest.mark.parametrize("target_name", ["street_a", "village_a1", "committee"])
def test_moving_an_organization_under_itself_or_its_descendant_is_refused(tree, moves, target_name):
    committee = create(tree.village_a1, Kind.COMMITTEE, "甲一社区妇委会", sector=Sector.ORGAN)
    target = committee if target_name == "committee" else getattr(tree, target_name)
    paths_before = dict(Organization.objects.values_list("pk", "path"))

    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            services.organization_move(organization=tree.street_a, parent=target)
        assert caught.value.message_dict == {
            "parent": ["An organization cannot be moved under itself or its own subtree."]
        }
    assert dict(Organization.objects.values_list("pk", "path")) == paths_before
    assert reloaded(tree.street_a).parent_id == tree.district.pk
    assert moves == []


def test_moving_under_a_parent_of_the_wrong_kind_is_refused(tree, moves):
    paths_before = dict(Organization.objects.values_list("pk", "path"))

    with pytest.raises(ValidationError) as caught:
        services.organization_move(organization=tree.village_a1, parent=tree.district)

    assert list(caught.value.message_dict) == ["parent"]
    assert dict(Organization.objects.values_list("pk", "path")) == paths_before
    assert reloaded(tree.village_a1).parent_id == tree.street_a.pk
    assert moves == []


def test_moving_under_a_dissolved_parent_is_refused(tree, moves):
    dissolved = make_org(
        tree.district, Kind.STREET, "丁街道妇联", closed_on=datetime.date(2022, 1, 1)
    )

    with pytest.raises(ValidationError) as caught:
        services.organization_move(organization=tree.village_a1, parent=dissolved)

    assert list(caught.value.message_dict) == ["parent"]
    assert reloaded(tree.village_a1).parent_id == tree.street_a.pk
    assert reloaded(dissolved).numchild == 0
    assert moves == []
