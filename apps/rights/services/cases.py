"""Cases are written here and nowhere else: intake, changes, status moves, follow-up visits,
and linking a party to the same person's party on an earlier case (docs/rights.md, Cases).

Every function takes the acting account as ``by`` and checks its right first; the scope of
what it names (the station, the earlier party) is checked here too, so the admin and the API
get the same answers.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_note
from apps.core.identity import normalize_id_number
from apps.core.models import CLIENT_KEY_FIELDS, checked_by_the_database
from apps.core.transitions import transition
from apps.organizations.models import Organization
from apps.organizations.roles import Role
from apps.organizations.scoping import scoped
from apps.rights.choices import CaseStatus
from apps.rights.models import Case, CaseCounter, CaseParty, FollowUp, Station

STATION_OUT_OF_REACH = _("The chosen receiving station does not exist or is not within your reach.")
STATION_CLOSED = _("The receiving station was not open on the day the case was received.")
RECEIVED_IN_FUTURE = _("A case cannot be received in the future.")
IDENTITY_WITHOUT_CONSENT = _(
    "Without consent to record identity every party is anonymous: leave out names, ID numbers "
    "and phones."
)
ANONYMOUS_WITH_IDENTITY = _("An anonymous party has no name, ID number or phone.")
FOLLOWUP_BEFORE_CLOSING = _("A follow-up visit is recorded only after the case is closed.")
FOLLOWUP_BEFORE_CLOSED_DAY = _("A follow-up visit cannot be before the day the case was closed.")
FOLLOWUP_IN_FUTURE = _("A follow-up visit cannot be in the future.")
PARTY_OF_CLOSED_CASE = _(
    "The case is closed: its parties are kept as they were. Correct a party instead, or reopen "
    "the case to remove it."
)
PARTY_LINKED = _("A party of another case is linked to this party: it cannot be removed.")
NO_EARLIER_PARTY = _("No party of an earlier case within your reach has this ID number.")
CONSENT_WITHDRAWN_WITH_NAMES = _(
    "Parties of this case are recorded by name: make them anonymous before withdrawing the "
    "consent to record identity."
)

# What a PATCH may change; the station, number and status are set otherwise.
CHANGEABLE = (
    "received_at",
    "channel",
    "category",
    "risk",
    "consent_to_record",
    "consent_to_refer",
    "narrative",
)
IDENTITY = ("name", "id_number", "phone")
# What a party's PATCH may change; the link is ``party_link``'s.
PARTY_CHANGEABLE = ("role", "anonymous", "name", "gender", "id_number", "phone", "note")


def _require(by, perm: str) -> None:
    if not by.has_perm(perm):
        raise PermissionDenied


def district_of(organization: Organization) -> Organization:
    """The tree's root above ``organization``: case numbers run per district."""
    return Organization.objects.get(path=organization.path[: Organization.steplen])


def case_number_next(*, district: Organization, year: int) -> str:
    """The next number of ``district`` and ``year`` (``WQ-2026-00042``), under the counter
    row's lock: must run inside the intake's transaction, so a failed intake gives its number
    back and racing intakes wait for each other (consecutive, none twice, no gaps)."""
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(
        district=district, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"WQ-{year}-{counter.last:05d}"


def station_check(*, by, station: Station, received_at) -> None:
    """The station must be in the caller's reach (a station operator: its own organization's)
    and open on the day the case was received."""
    reachable = scoped(Station.objects.filter(pk=station.pk), by)
    if getattr(by, "role", None) == Role.STATION_OPERATOR:  # SYSTEM (a command) has no role
        reachable = reachable.filter(organization_id=by.organization_id)
    if not reachable.exists():
        raise ValidationError({"station": STATION_OUT_OF_REACH})
    if received_at and not station.is_open_on(timezone.localdate(received_at)):
        raise ValidationError({"station": STATION_CLOSED})


def parties_clean(parties: list[dict], *, consent_to_record: bool) -> list[dict]:
    """Each party as it will be stored; a party with identity needs consent and no anonymity."""
    cleaned, errors = [], {}
    for index, party in enumerate(parties):
        party = dict(party)
        for name in IDENTITY:
            party[name] = (party.get(name) or "").strip()
        named = any(party[name] for name in IDENTITY)
        try:
            if named and not consent_to_record:
                raise ValidationError(IDENTITY_WITHOUT_CONSENT)
            if named and party.get("anonymous"):
                raise ValidationError(ANONYMOUS_WITH_IDENTITY)
            if party["id_number"]:
                party["id_number"] = normalize_id_number(party["id_number"])
        except ValidationError as exc:
            errors[index] = exc.messages
        if not named:
            party["anonymous"] = True
        cleaned.append(party)
    if errors:
        raise ValidationError(
            {"parties": [f"{index + 1}: {' '.join(errors[index])}" for index in sorted(errors)]}
        )
    return cleaned


def case_intake(
    *,
    by,
    station: Station,
    received_at: datetime.datetime,
    channel: str,
    category,
    risk: str,
    consent_to_record: bool = False,
    consent_to_refer: bool = False,
    narrative: str = "",
    parties: list[dict] = (),
    **key,  # the client's key (client_id, request_hash) from the API
) -> Case:
    """Register a case at ``station`` with its parties, numbered from the district's counter.
    All or nothing: a refusal leaves no case, no party and no number used."""
    _require(by, "rights.add_case")
    station_check(by=by, station=station, received_at=received_at)
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": RECEIVED_IN_FUTURE})
    parties = parties_clean(list(parties), consent_to_record=consent_to_record)
    with transaction.atomic():
        case = Case(
            organization_id=station.organization_id,
            station=station,
            received_at=received_at,
            channel=channel,
            category=category,
            risk=risk,
            consent_to_record=consent_to_record,
            consent_to_refer=consent_to_refer,
            narrative=narrative,
            narrative_changed_at=timezone.now() if narrative else None,
            **key,
        )
        case.full_clean(exclude=[*checked_by_the_database(case), "number"])
        case.number = case_number_next(
            district=district_of(station.organization),
            year=timezone.localtime(received_at).year,
        )
        history_note(case, by=by, reason="intake")
        case.save()
        for fields in parties:
            party_add(by=by, case=case, **fields)
    return case


def party_add(*, by, case: Case, **fields) -> CaseParty:
    _require(by, "rights.change_case")
    party = CaseParty(case=case, **fields)
    if any(getattr(party, name) for name in IDENTITY):
        party.identity_changed_at = timezone.now()
    party.full_clean(exclude=["case", *CLIENT_KEY_FIELDS])  # the key: its unique constraint
    history_note(party, by=by, reason="")
    party.save()
    return party


def party_create(*, by, case: Case, client_id=None, request_hash="", **fields) -> CaseParty:
    """A party named after intake, under the same consent rules as at intake. The API's
    client key goes into the party's own INSERT, so a retried POST stores no second party."""
    _require(by, "rights.change_case")
    with transaction.atomic():
        # The consent as it is now: a withdrawal (case_update, under the same lock) waits.
        case = Case.objects.select_for_update().get(pk=case.pk)
        (party,) = parties_clean([fields], consent_to_record=case.consent_to_record)
        return party_add(by=by, case=case, client_id=client_id, request_hash=request_hash, **party)


def party_update(*, by, party: CaseParty, **fields) -> CaseParty:
    """Change a party: under the consent rules of intake, the case's consent as it is now. The
    history keeps no name, ID number, phone or note; ``identity_changed_at`` says when they
    changed. A closed case's parties are changed too (a name spelled wrong), not removed."""
    _require(by, "rights.change_case")
    unexpected = set(fields) - set(PARTY_CHANGEABLE)
    if unexpected:
        raise TypeError(f"a party's {sorted(unexpected)} are not changed here")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=party.case_id)  # the consent as it is
        party = CaseParty.objects.select_for_update().get(pk=party.pk)
        merged = {name: getattr(party, name) for name in PARTY_CHANGEABLE}
        merged.update(fields)
        if (
            "anonymous" in fields
            and fields["anonymous"]
            and not any(name in fields for name in IDENTITY)
        ):
            # Made anonymous: the identity goes with it.
            merged.update({name: "" for name in IDENTITY})
        (cleaned,) = parties_clean([merged], consent_to_record=case.consent_to_record)
        identity = [name for name in (*IDENTITY, "note") if getattr(party, name) != cleaned[name]]
        for name in PARTY_CHANGEABLE:
            setattr(party, name, cleaned[name])
        if identity:
            party.identity_changed_at = timezone.now()
        party.full_clean(exclude=["case", *CLIENT_KEY_FIELDS])
        history_note(party, by=by, reason="changed")
        party.save()
    return party


def party_remove(*, by, party: CaseParty) -> Case:
    """Remove a party named by mistake, while the case is open. Once the case is closed its
    parties stay as they were when it closed (a party is still changed, not removed); a party
    another case's party is linked to stays too. The history keeps the removal, without the
    party's identity (it never held it)."""
    _require(by, "rights.change_case")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=party.case_id)  # not closed meanwhile
        party_remove_check(party=party, case=case)
        history_note(party, by=by, reason="removed")
        party.delete()
    return case


def party_remove_check(*, party: CaseParty, case: Case | None = None) -> None:
    """What ``party_remove`` refuses: asked by the admin's form too, to show it on the page."""
    case = case or party.case
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"party": PARTY_OF_CLOSED_CASE})
    if CaseParty.objects.filter(linked_to_id=party.pk).exists():
        raise ValidationError({"party": PARTY_LINKED})


def case_update(*, by, case: Case, **fields) -> Case:
    """Change what a PATCH may change. The narrative's text is not kept in the history; its
    ``narrative_changed_at`` is, so the history shows that and when it changed."""
    _require(by, "rights.change_case")
    unexpected = set(fields) - set(CHANGEABLE)
    if unexpected:
        raise TypeError(f"a case's {sorted(unexpected)} are not changed here")
    case_change_check(by=by, case=case, fields=fields)
    changed = {name for name, value in fields.items() if getattr(case, name) != value}
    for name in changed:
        setattr(case, name, fields[name])
    if "narrative" in changed:
        case.narrative_changed_at = timezone.now()
        changed.add("narrative_changed_at")
    case.full_clean(exclude=checked_by_the_database(case))
    history_note(case, by=by, reason="")
    case.save()
    return case


def case_change_check(*, by, case: Case, fields: dict) -> None:
    """What ``case_update`` refuses beyond the model's own rules, asked of the stored case
    before anything is set: the admin's form asks it too, to show the message on the page."""
    if "received_at" in fields and fields["received_at"] != case.received_at:
        station_check(by=by, station=case.station, received_at=fields["received_at"])
    if (
        case.consent_to_record
        and fields.get("consent_to_record") is False
        and case.parties.exclude(name="", id_number="", phone="").exists()
    ):
        raise ValidationError({"consent_to_record": CONSENT_WITHDRAWN_WITH_NAMES})


def case_transition(*, by, case: Case, to: str, note: str = "", version=None, **needs) -> Case:
    """A status move (apps.core.transitions): the API's and the admin's doors call it there."""
    return transition(case, to=to, by=by, note=note, version=version, **needs)


def followup_add(
    *, by, case: Case, visited_on: datetime.date, method: str, note="", **key
) -> FollowUp:
    """A follow-up visit (回访): only on a closed case, not before its closing day. ``key``:
    the API's client key (client_id, request_hash), stored by the visit's own INSERT."""
    _require(by, "rights.add_case")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)  # not reopened meanwhile
        if case.status != CaseStatus.CLOSED:
            raise ValidationError({"case": FOLLOWUP_BEFORE_CLOSING})
        if visited_on < timezone.localdate(case.closed_at):
            raise ValidationError({"visited_on": FOLLOWUP_BEFORE_CLOSED_DAY})
        if visited_on > timezone.localdate():
            raise ValidationError({"visited_on": FOLLOWUP_IN_FUTURE})
        followup = FollowUp(
            case=case, visited_on=visited_on, method=method, note=note, by=by, **key
        )
        followup.full_clean(exclude=["case", "by", *CLIENT_KEY_FIELDS])
        followup.save()
    return followup


def party_link(*, by, party: CaseParty, id_number: str) -> CaseParty:
    """Link ``party`` to the same person's party on the latest earlier case within the case
    worker's subtree that carries ``id_number``; her earlier cases are then one step away."""
    _require(by, "rights.link_caseparty")
    number = normalize_id_number(id_number)
    if not scoped(CaseParty.objects.filter(pk=party.pk), by).exists():
        raise ValidationError({"party": NO_EARLIER_PARTY})
    earlier = (
        scoped(CaseParty.objects.filter(id_number=number), by)
        .exclude(case_id=party.case_id)
        .filter(case__received_at__lte=party.case.received_at)
        .order_by("-case__received_at", "-id")
        .first()
    )
    if earlier is None:
        raise ValidationError({"id_number": NO_EARLIER_PARTY})
    party.linked_to = earlier
    history_note(party, by=by, reason="linked")
    party.save(update_fields=["linked_to", "updated_at"])
    return party
