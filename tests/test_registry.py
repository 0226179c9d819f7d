"""The tests' registry (tests/registry.py) makes what it says, and says where a maker goes."""

import pytest

from apps.organizations.roles import Role
from apps.organizations.scoping import has_scope, scoped
from tests.registry import REGISTRY, NoMaker, maker_for
from tests.roles_table import RIGHTS
from tests.scoping_app.models import Unscoped

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(REGISTRY), ids=lambda model: model._meta.label)
def test_a_maker_saves_one_record_in_the_subtree_it_is_given(tree, user_in, model):
    record = maker_for(model).make(tree.village_a1)

    rows = model._default_manager.filter(pk=getattr(record, model._meta.pk.attname))
    assert type(record) is model
    assert rows.count() == 1
    if has_scope(model):  # axes' login records name a username: test_admin.py scopes them
        assert scoped(rows, user_in(tree.village_a1, Role.STAFF)).count() == 1
        assert scoped(rows, user_in(tree.village_b1, Role.STAFF)).count() == 0


def test_every_maker_that_names_a_resource_names_a_row_of_the_roles_table():
    named = {maker.resource for maker in REGISTRY.values() if maker.resource is not None}

    assert named - set(RIGHTS) == set()


def test_a_model_without_a_maker_says_where_to_add_one():
    with pytest.raises(NoMaker) as raised:
        maker_for(Unscoped)

    assert str(raised.value) == (
        "scoping_app.Unscoped has no maker: add one to REGISTRY in tests/registry.py "
        "(make; for an API resource also its roles-table row and create body), "
        'see "The tests\' registries" in docs/api-machinery.md'
    )
