"""A case's parties and follow-up visits after intake (docs/rights.md, Cases): retry-safe by
their ``client_id`` as every create is (docs/api-machinery.md), even when two identical POSTs
race; a party changed or removed by the roles that read the case in full, its identity kept
out of the history."""

import datetime

import pytest
from django.utils import timezone

from apps.rights.models import CaseParty, FollowUp
from apps.rights.services import cases as services
from tests.factories.accounts import token_key
from tests.registry import make_case
from tests.rights.test_cases_races import categories, run_together  # noqa: F401 (its fixture)

CASES = "/api/v1/rights/cases/"
KEY = "00000000-0000-4000-8000-000000000401"


def witness(**fields):
    return {"role": "witness", "name": "李四", "phone": "13800000000", "client_id": KEY, **fields}


def visit(**fields):
    today = timezone.localdate().isoformat()
    return {"visited_on": today, "method": "phone", "note": "情况稳定", "client_id": KEY, **fields}


def closed_case(tree, worker):
    case = make_case(tree.village_a1, by=worker)
    return services.case_transition(by=worker, case=case, to="closed", outcome="mediated")


# --- Retry-safe creates -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resent_party_is_the_stored_one_and_another_body_with_its_key_is_a_conflict(
    tree, user_in, api_as
):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    client = api_as(worker)
    url = f"{CASES}{case.pk}/parties/"

    first = client.post(url, witness(), format="json")
    again = client.post(url, witness(), format="json")
    other = client.post(url, witness(name="王五"), format="json")
    keyless = client.post(
        url, {k: v for k, v in witness().items() if k != "client_id"}, format="json"
    )

    assert first.status_code == 201, first.content
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 409 and "client_id" in str(other.json())
    assert keyless.status_code == 400 and "client_id" in keyless.json()
    assert case.parties.filter(role="witness").count() == 1


@pytest.mark.django_db
def test_a_key_used_on_another_case_is_a_conflict_not_that_cases_party(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    one, two = make_case(tree.village_a1, by=worker), make_case(tree.village_a1, by=worker)
    client = api_as(worker)

    client.post(f"{CASES}{one.pk}/parties/", witness(), format="json")
    answer = client.post(f"{CASES}{two.pk}/parties/", witness(), format="json")

    assert answer.status_code == 409 and "李四" not in answer.content.decode()
    assert not two.parties.filter(role="witness").exists()


@pytest.mark.django_db
def test_a_resent_visit_is_the_stored_one_even_after_the_case_reopened(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = closed_case(tree, worker)
    client = api_as(worker)
    url = f"{CASES}{case.pk}/followups/"

    first = client.post(url, visit(), format="json")
    services.case_transition(by=worker, case=case, to="in_intervention", version=case.version)
    again = client.post(url, visit(), format="json")
    other = client.post(url, visit(method="visit"), format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert FollowUp.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("path", "body"), [("parties", witness), ("followups", visit)])
def test_two_identical_posts_at_once_store_one_row(tree, user_in, path, body):
    worker = user_in(tree.village_a1, "case_worker")
    case = closed_case(tree, worker)
    url = f"{CASES}{case.pk}/{path}/"
    requests = [lambda client: client.post(url, body(), format="json")] * 2

    waiting, answers = run_together(
        token_key(worker), requests, "SELECT 1 FROM rights_case WHERE id = %s FOR UPDATE", [case.pk]
    )

    assert waiting == 2  # both were inside the database at once, held at the case's lock
    assert sorted(status for status, _ in answers) == [200, 201]
    assert answers[0][1]["id"] == answers[1][1]["id"]
    model = CaseParty if path == "parties" else FollowUp
    assert model.objects.filter(client_id=KEY).count() == 1


# --- Changing and removing a party --------------------------------------------------------------


@pytest.mark.django_db
def test_a_full_reader_changes_a_party_and_the_history_keeps_no_identity(tree, user_in, api_as):
    operator = user_in(tree.village_a1, "station_operator")
    case = make_case(tree.village_a1, by=operator)
    seeker = case.parties.get()
    url = f"{CASES}{case.pk}/parties/{seeker.pk}/"

    answer = api_as(operator).patch(url, {"name": "王秀兰", "phone": "13900000000"}, format="json")

    assert answer.status_code == 200, answer.content
    seeker.refresh_from_db()
    assert (seeker.name, seeker.phone) == ("王秀兰", "13900000000")
    latest = seeker.history.latest()
    assert latest.identity_changed_at == seeker.identity_changed_at
    assert latest.history_change_reason == "changed" and latest.history_user == operator
    history_text = str(list(seeker.history.values()))
    assert "王秀" not in history_text and "139" not in history_text


@pytest.mark.django_db
def test_a_party_change_follows_the_consent_rules_and_saves_nothing_when_refused(
    tree, user_in, api_as
):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(
        tree.village_a1,
        by=worker,
        consent_to_record=False,
        parties=[{"role": "seeker", "anonymous": True}],
    )
    seeker = case.parties.get()
    url = f"{CASES}{case.pk}/parties/{seeker.pk}/"

    named = api_as(worker).patch(url, {"name": "王秀梅"}, format="json")
    bad_id = api_as(worker).patch(url, {"gender": "female", "id_number": "1234"}, format="json")

    assert named.status_code == 400 and "匿名" in str(named.json())
    assert bad_id.status_code == 400
    seeker.refresh_from_db()
    assert (seeker.name, seeker.gender, seeker.anonymous) == ("", "", True)


@pytest.mark.django_db
def test_making_a_party_anonymous_drops_its_identity(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    seeker = case.parties.get()

    answer = api_as(worker).patch(
        f"{CASES}{case.pk}/parties/{seeker.pk}/", {"anonymous": True}, format="json"
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["name"] == "" and answer.json()["anonymous"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["district_admin", "staff", "leadership"])
def test_the_masked_roles_may_not_change_or_remove_a_party(tree, user_in, api_as, role):
    case = make_case(tree.village_a1)
    seeker = case.parties.get()
    client = api_as(user_in(tree.village_a1, role))
    url = f"{CASES}{case.pk}/parties/{seeker.pk}/"

    changed = client.patch(url, {"name": "改名"}, format="json")
    removed = client.delete(url)

    assert changed.status_code == removed.status_code == 403
    assert "王秀梅" not in changed.content.decode()
    seeker.refresh_from_db()
    assert seeker.name == "王秀梅"


@pytest.mark.django_db
def test_a_party_of_another_case_is_not_found_through_this_one(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    one, two = make_case(tree.village_a1, by=worker), make_case(tree.village_a1, by=worker)
    other = two.parties.get()

    answer = api_as(worker).patch(
        f"{CASES}{one.pk}/parties/{other.pk}/", {"name": "改名"}, format="json"
    )

    assert answer.status_code == 404
    other.refresh_from_db()
    assert other.name == "王秀梅"


@pytest.mark.django_db
def test_a_party_is_removed_while_the_case_is_open_and_kept_once_closed(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)
    client = api_as(worker)
    party = client.post(f"{CASES}{case.pk}/parties/", witness(), format="json").json()
    kept = client.post(
        f"{CASES}{case.pk}/parties/",
        witness(client_id="00000000-0000-4000-8000-000000000402"),
        format="json",
    ).json()

    removed = client.delete(f"{CASES}{case.pk}/parties/{party['id']}/")
    case = services.case_transition(by=worker, case=case, to="closed", outcome="mediated")
    refused = client.delete(f"{CASES}{case.pk}/parties/{kept['id']}/")

    assert removed.status_code == 204
    assert refused.status_code == 400 and "已结案" in str(refused.json())
    assert set(case.parties.values_list("role", flat=True)) == {"seeker", "witness"}
    gone = CaseParty.history.filter(id=party["id"]).latest()
    assert gone.history_type == "-" and gone.history_change_reason == "removed"


@pytest.mark.django_db
def test_a_party_another_case_is_linked_to_is_not_removed(tree, user_in):
    from tests.factories.identity import make_id_number

    worker = user_in(tree.village_a1, "case_worker")
    number = make_id_number(datetime.date(1990, 5, 1))
    earlier = make_case(
        tree.village_a1, by=worker, parties=[{"role": "seeker", "name": "甲", "id_number": number}]
    )
    later = make_case(tree.village_a1, by=worker)
    services.party_link(by=worker, party=later.parties.get(), id_number=number)

    with pytest.raises(services.ValidationError):
        services.party_remove(by=worker, party=earlier.parties.get())
    assert earlier.parties.exists()


@pytest.mark.django_db
def test_a_case_itself_is_still_never_deleted(tree, user_in, api_as):
    worker = user_in(tree.village_a1, "case_worker")
    case = make_case(tree.village_a1, by=worker)

    answer = api_as(worker).delete(f"{CASES}{case.pk}/")

    assert answer.status_code in (403, 405)
    case.refresh_from_db()
    assert case.deleted_at is None
