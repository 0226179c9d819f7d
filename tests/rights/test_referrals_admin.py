"""Referrals in the admin (docs/rights.md, Referrals): the case's page shows the exchange, the
receiver opens the referred case read-only, and the letter carries only what the consent allows,
its read logged."""

import pytest

from apps.core.models import AccessLog
from apps.organizations.models import Kind
from apps.organizations.roles import Role
from apps.rights.services import referrals as services
from tests.factories.organizations import make_org
from tests.registry import make_referral, station_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(tree):
    organization = make_org(tree.district, Kind.COMMITTEE, "区妇女儿童法律服务中心", sector="organ")
    station_of(organization, kind="legal_center", name="区妇女儿童法律服务中心")
    return organization


def referral_to(tree, center, **fields):
    return make_referral(
        tree.village_a1, to_organization=center, outside_kind="", outside_name="", **fields
    )


def test_the_case_page_shows_the_exchange_and_the_receiver_reads_it_without_changing(
    tree, center, user_in, browser_as
):
    referral = referral_to(tree, center)
    lawyer = user_in(center, Role.CASE_WORKER)
    services.referral_transition(by=lawyer, referral=referral, to="accepted")
    services.referral_transition(by=lawyer, referral=referral, to="answered", answer="已代理起诉")
    url = f"/admin/rights/case/{referral.case_id}/change/"

    page = browser_as(lawyer).get(url)

    assert page.status_code == 200
    text = page.content.decode()
    assert "已代理起诉" in text
    assert 'name="narrative"' not in text  # read-only there: the receiver works it by the API
    assert browser_as(user_in(tree.village_a1, Role.CASE_WORKER)).get(url).status_code == 200
    other = make_referral(tree.village_a2).case
    assert browser_as(lawyer).get(f"/admin/rights/case/{other.pk}/change/").status_code == 302


@pytest.mark.parametrize(
    ("shares", "narrative", "name"),
    [({}, False, False), ({"share_narrative": True, "share_identity": True}, True, True)],
)
def test_the_letter_carries_only_what_the_consent_allows_and_is_logged(
    tree, center, user_in, browser_as, shares, narrative, name
):
    referral = referral_to(tree, center, **shares)
    worker = user_in(tree.village_a1, Role.CASE_WORKER)

    page = browser_as(worker).get(f"/admin/rights/referral/{referral.pk}/letter/")

    assert page.status_code == 200
    text = page.content.decode()
    assert referral.case.number in text and "区妇女儿童法律服务中心" in text
    assert ("丈夫多次殴打" in text) == narrative
    assert ("王秀梅" in text) == name
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    assert AccessLog.objects.filter(user=worker, object_id=referral.case_id, through="letter")


def test_masked_roles_and_other_villages_get_no_letter(tree, center, user_in, browser_as):
    referral = referral_to(tree, center)

    for user in (
        user_in(tree.street_a, Role.STAFF),
        user_in(tree.village_a2, Role.CASE_WORKER),
    ):
        assert browser_as(user).get(
            f"/admin/rights/referral/{referral.pk}/letter/"
        ).status_code in (
            403,
            404,
        )
    assert not AccessLog.objects.filter(through="letter").exists()
