"""The changelists' rows (apps/core/admin_rows.py) are Django's own, to the byte, for every
admin of the site: plain, sorted (the kept filters in every link) and filtered."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.urls import reverse

from apps.core import admin_rows
from apps.organizations.roles import Role
from tests.registry import REGISTRY, maker_for

pytestmark = pytest.mark.django_db

ADMINS = list(admin.site._registry)


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("query", ["", "o=-1", "q=%E6%9E%97"], ids=["plain", "sorted", "searched"])
@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_the_rows_are_djangos_own(tree, user_in, browser_as, model, query):
    if model in REGISTRY:
        for _ in range(2):
            maker_for(model).make(tree.village_a1)
    client = browser_as(user_in(tree.district, Role.DISTRICT_ADMIN))

    page = client.get(f"{changelist(model)}?{query}")

    assert page.status_code == 200
    cl = page.context["cl"]
    ours = [str(row[0]) for row in admin_rows.results(cl)]
    djangos = ["".join(items_for_result(cl, obj, None)) for obj in cl.result_list]
    assert ours == djangos
    assert all(row in page.content.decode() for row in ours)
    model_admin = admin.site._registry[model]
    assert [model_admin.action_checkbox(obj) for obj in cl.result_list] == [
        admin.ModelAdmin.action_checkbox(model_admin, obj) for obj in cl.result_list
    ]  # the checkbox written out is the widget's
    if not query.startswith("q="):  # a search may find nothing in some lists
        assert len(ours) >= 1
