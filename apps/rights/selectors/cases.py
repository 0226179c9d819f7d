"""Reads of cases, all from ``scoped()`` (docs/scoping.md), and the one place that decides who
reads a case in full (docs/roles.md: case workers, and a station its own cases)."""

from django.db.models import QuerySet

from apps.organizations.roles import Role
from apps.organizations.scoping import scoped
from apps.rights.models import Case, CaseParty, FollowUp

FULL_READ_PERM = "rights.read_case"


def reads_cases_in_full(user) -> bool:
    """Whether ``user`` reads a case's narrative and parties (on its page, logged). Everyone
    else with the view right reads the masked shape only, in lists and pages alike."""
    return user is not None and user.is_authenticated and user.has_perm(FULL_READ_PERM)


def case_list(*, user) -> QuerySet[Case]:
    """The cases ``user`` reaches: its subtree's; a station operator only its own
    organization's (the cases its station registered); a case worker also the cases referred
    to its subtree while the referral is open (docs/scoping.md, exception two); nothing for a
    role without the right."""
    if user is None or not user.has_perm("rights.view_case"):  # None: the schema's view
        return Case.objects.none()
    cases = Case.objects.select_related("organization", "station", "category")
    if user.role == Role.CASE_WORKER:  # and the cases referred to its subtree, while open
        from apps.rights.selectors.referrals import referred

        return referred(cases, user)
    cases = scoped(cases, user)
    if user.role == Role.STATION_OPERATOR:
        cases = cases.filter(organization_id=user.organization_id)
    return cases


def party_list(*, case: Case) -> QuerySet[CaseParty]:
    return case.parties.order_by("role", "id")


def followup_list(*, case: Case) -> QuerySet[FollowUp]:
    return case.followups.select_related("by").order_by("visited_on", "id")


def earlier_cases(*, party: CaseParty, user) -> QuerySet[Case]:
    """The other cases, within ``user``'s reach, naming a party with this party's ID number
    (or the one it is linked to): a woman's earlier requests for help. Full readers only."""
    if not reads_cases_in_full(user):
        return Case.objects.none()
    numbers = {party.id_number} - {""}
    if party.linked_to_id:
        numbers.add(party.linked_to.id_number)
    return case_list(user=user).filter(parties__id_number__in=numbers).exclude(pk=party.case_id)
