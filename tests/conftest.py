"""Shared fixtures: a small tree, accounts of any role anywhere, API clients."""

import os
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from apps.organizations.choices import Kind, Sector
from apps.organizations.models import Organization
from tests.factories.accounts import UserFactory, token_key
from tests.factories.organizations import make_org

# Property tests: `ci` (the default, also for `make test`) is derandomized and bounded so a run
# costs the same every time; HYPOTHESIS_PROFILE=thorough searches longer before a release.
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Nothing a test leaves in Django's cache (throttle counts, remembered large counts) reaches
    the next test: the database is rolled back between tests, the cache is not."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@dataclass
class Tree:
    """district → street_a → (village_a1, village_a2, committee_a); street_b → village_b1"""

    district: Organization
    street_a: Organization
    village_a1: Organization
    village_a2: Organization
    committee_a: Organization
    street_b: Organization
    village_b1: Organization


@pytest.fixture
def tree(db) -> Tree:
    district = make_org(None, Kind.DISTRICT, "测试区妇联")
    street_a = make_org(district, Kind.STREET, "甲街道妇联")
    street_b = make_org(district, Kind.STREET, "乙镇妇联")
    return Tree(
        district=district,
        street_a=street_a,
        village_a1=make_org(street_a, Kind.VILLAGE, "甲一社区妇联"),
        village_a2=make_org(street_a, Kind.VILLAGE, "甲二社区妇联"),
        committee_a=make_org(
            street_a, Kind.COMMITTEE, "甲街道快递行业妇委会", sector=Sector.NEW_ECONOMY
        ),
        street_b=street_b,
        village_b1=make_org(street_b, Kind.VILLAGE, "乙一村妇联"),
    )


@pytest.fixture
def user_in(db):
    """user_in(org, role): an account of that role in that organization."""

    def make(organization, role, **fields):
        return UserFactory(organization=organization, role=role, **fields)

    return make


@pytest.fixture
def api_as(db):
    """api_as(user): a client that sends the user's token, as a station client does."""

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_key(user)}")
        return client

    return make


@pytest.fixture
def browser_as(db):
    """browser_as(user): a Django test client logged in with a session, as in the admin."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
