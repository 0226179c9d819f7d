"""Siblings are invisible on the pages outside the admin and the API too: every such route that
names a record by id, for every role in village A1, aimed at a record of sibling village B1's
account (and at an id past any bigint), is a 404, and nothing is logged as read. Generated from
the URL conf: a new page that names a record fails here until its model is named below, so it
is covered the day it is added (docs/scoping.md)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.core.models import AccessLog
from apps.jobs.models import Job
from apps.organizations.roles import ALL_ROLES, Role
from tests.registry import maker_for

pytestmark = pytest.mark.django_db

# Each page route that names a record, and the model of that record.
PAGE_MODELS = {
    "jobs/<int:job_id>/": Job,
    "jobs/<int:job_id>/status/": Job,
    "jobs/<int:job_id>/download/": Job,
}
ELSEWHERE = ("admin/", "api/", "accounts/")  # tested by their own generated tests


def site_routes(patterns=None, prefix="") -> list[str]:
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            found += site_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if "<int:" in route and not route.startswith(ELSEWHERE):
                found.append(route)
    return found


ROUTES = site_routes()


def test_every_page_that_names_a_record_has_its_model_named():
    missing = sorted(set(ROUTES) - set(PAGE_MODELS))
    assert not missing, f"name the model of these pages in PAGE_MODELS: {missing}"
    assert set(PAGE_MODELS) <= set(ROUTES)  # no stale entry


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
@pytest.mark.parametrize("route", ROUTES)
def test_a_siblings_record_is_not_found_on_any_page(tree, user_in, browser_as, route, role):
    theirs = maker_for(PAGE_MODELS[route]).make(tree.village_b1)
    client = browser_as(user_in(tree.village_a1, role))
    name = route[route.index("<int:") + 5 : route.index(">")]

    for pk in (theirs.pk, 10**20):
        url = "/" + route.replace(f"<int:{name}>", str(pk))
        assert client.get(url).status_code == 404, url
    assert not AccessLog.objects.exists()


def test_the_owner_reaches_the_page_the_siblings_cannot(tree, user_in, browser_as):
    """The 404s above are the scope's, not a broken page's."""
    owner = user_in(tree.village_b1, Role.STAFF)
    job = maker_for(Job).make(tree.village_b1, user=owner)

    assert browser_as(owner).get(f"/jobs/{job.pk}/").status_code == 200
