"""A list that sends no filter skips the filter form (``SyncFilterSet.sends_no_filter``): the
rows must be exactly those the form would have left, for every list's filters, generated from
the URL conf so a new list is covered without anyone remembering."""

import pytest
from django.http import QueryDict
from django.urls import get_resolver
from django_filters import FilterSet
from rest_framework.test import APIRequestFactory

from apps.core.filters import SyncFilterSet
from apps.core.models import SoftDeletableModel
from apps.organizations.choices import Kind
from apps.organizations.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.organizations import make_org


def _filtersets() -> set[type[SyncFilterSet]]:
    found = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "cls", None)
            filterset = getattr(view, "filterset_class", None)
            if filterset is not None:
                found.add(filterset)

    walk(get_resolver().url_patterns)
    return found


FILTERSETS = sorted(_filtersets(), key=lambda cls: cls.__qualname__)


def test_the_lists_have_filters():
    assert len(FILTERSETS) >= 4  # people, appointments, branch meetings, organizations
    assert all(issubclass(cls, SyncFilterSet) for cls in FILTERSETS)


@pytest.mark.django_db
@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda cls: cls.__qualname__)
def test_no_filter_sent_gives_the_forms_rows(filterset):
    user = UserFactory(
        organization=make_org(None, Kind.DISTRICT, "云溪区妇联"), role=Role.DISTRICT_ADMIN
    )
    request = APIRequestFactory().get("/")
    request.user = user
    queryset = filterset._meta.model._default_manager.all()
    quick = filterset(data=QueryDict(), queryset=queryset, request=request)
    assert quick.sends_no_filter() and quick.is_valid()
    full = filterset(data=QueryDict(), queryset=queryset, request=request)
    assert full.form.is_valid()
    assert str(quick.qs.query) == str(FilterSet.qs.fget(full).query)
    if issubclass(queryset.model, SoftDeletableModel):  # lists leave deleted records out
        assert '"deleted_at" IS NULL' in str(quick.qs.query)


@pytest.mark.django_db
def test_a_sent_filter_goes_through_the_form():
    user = UserFactory(
        organization=make_org(None, Kind.DISTRICT, "云溪区妇联"), role=Role.DISTRICT_ADMIN
    )
    request = APIRequestFactory().get("/")
    request.user = user
    people = next(cls for cls in FILTERSETS if cls.__qualname__ == "MemberFilter")
    sent = people(
        data=QueryDict("gender=nonsense"),
        queryset=people._meta.model.objects.all(),
        request=request,
    )
    assert not sent.sends_no_filter()
    assert not sent.is_valid()  # the form refuses it: a 400, as before
