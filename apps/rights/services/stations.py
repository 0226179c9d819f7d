"""Writing stations, posts, the legal service center and collection points, and their staff.

The API, the admin and the demo share these rules (docs/rights.md):

- a station or a post belongs to a village or community, or to a women's committee of one;
  the legal service center to a women's committee (an organization of its own under the
  district); a collection point to any organization;
- a station is closed by giving its closing date, never before its opening date; the terms of
  its staff end that day at the latest;
- a staff member is a living person of the station's organization's subtree, and her term lies
  inside the station's.

Phones are stored as people's are (docs/identity.md): a mainland mobile in E.164.
"""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_note
from apps.core.identity import normalize_mobile
from apps.core.models import CLIENT_KEY_FIELDS, checked_by_the_database
from apps.members.models import Member
from apps.members.services.people import merged_reason
from apps.members.signals import refuse_rows_outside
from apps.organizations.choices import Kind
from apps.organizations.models import Organization
from apps.rights.choices import COVERING_KINDS, StationKind
from apps.rights.models import Station, StationStaff

STATION_EDITABLE_FIELDS = ("kind", "name", "opened_on", "closed_on", "contact", "phone", "address")
STAFF_EDITABLE_FIELDS = ("member", "role", "started_on", "ended_on")

NOT_A_VILLAGE = _(
    "A station or post belongs to a village or community, or to a women's committee of one."
)
NOT_A_COMMITTEE = _(
    "The legal service center belongs to a women's committee: an organization of its own "
    "under the district, with its own case workers."
)
ORGANIZATION_DISSOLVED = _("%(name)s was dissolved on %(day)s: it opens no station after that.")
STAFF_BEFORE_OPENING = _(
    "%(person)s works here from %(day)s, before the opening date: change her term first."
)
STAFF_AFTER_CLOSING = _(
    "%(person)s starts here on %(day)s, after the closing date: change her term first."
)
NOT_OF_THE_SUBTREE = _(
    "The person must be on the people list of %(name)s or of an organization below it."
)
PERSON_GONE = _("This person's record has been deleted or merged into another one.")
TERM_BEFORE_OPENING = _("The station opened on %(day)s: the term cannot start before.")
TERM_AFTER_CLOSING = _("The station closed on %(day)s: the term must end by then.")
STATION_CLOSED_ALREADY = _("The station is closed already (on %(day)s).")
NO_STATION = _("Choose the station first.")


def _day(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _check_fields(fields: Mapping, editable) -> None:
    unknown = set(fields) - set(editable)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")


# --- Stations ------------------------------------------------------------------------------


def check_station_place(*, organization: Organization, kind: str) -> None:
    """Where each kind of station may belong (docs/rights.md, Kinds). Reads the organization's
    parent only for a committee that keeps a station or post."""
    if kind in COVERING_KINDS:
        allowed = organization.kind == Kind.VILLAGE or (
            organization.kind == Kind.COMMITTEE
            and organization.parent_id is not None
            and organization.parent.kind == Kind.VILLAGE
        )
        if not allowed:
            raise ValidationError({"organization": [NOT_A_VILLAGE]})
    elif kind == StationKind.LEGAL_CENTER and organization.kind != Kind.COMMITTEE:
        raise ValidationError({"organization": [NOT_A_COMMITTEE]})


def check_station(station: Station) -> None:
    """Every rule a station's fields follow, without saving (the admin's form asks it too):
    raises ValidationError naming the fields. Normalizes the phone in place."""
    _clean_station(station)
    if station.pk is not None:
        _check_staff_inside(station)


def _clean_station(station: Station) -> None:
    errors: dict[str, list] = {}
    if station.phone:
        try:
            station.phone = normalize_mobile(station.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    try:
        station.full_clean(exclude=checked_by_the_database(station))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    check_station_place(organization=station.organization, kind=station.kind)
    organization = station.organization
    closed = organization.closed_on
    if closed is not None and station.opened_on > closed:
        message = ORGANIZATION_DISSOLVED % {"name": organization.name, "day": _day(closed)}
        raise ValidationError({"opened_on": [message]})


def _check_staff_inside(station: Station) -> None:
    """Refuse new dates that would leave a staff member's start outside the station's term."""
    staff = StationStaff.objects.alive().filter(station=station).select_related("member")
    early = staff.filter(started_on__lt=station.opened_on).order_by("started_on").first()
    if early is not None:
        raise ValidationError(
            {
                "opened_on": [
                    STAFF_BEFORE_OPENING % {"person": early.member, "day": _day(early.started_on)}
                ]
            }
        )
    if station.closed_on is not None:
        late = staff.filter(started_on__gt=station.closed_on).order_by("started_on").first()
        if late is not None:
            raise ValidationError(
                {
                    "closed_on": [
                        STAFF_AFTER_CLOSING % {"person": late.member, "day": _day(late.started_on)}
                    ]
                }
            )


def _end_staff_by(station: Station, *, by) -> int:
    """Terms running past the station's closing date end that day (a history row each)."""
    if station.closed_on is None:
        return 0
    running = (
        StationStaff.objects.alive()
        .filter(station=station)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=station.closed_on))
        .select_for_update()
        .order_by("pk")
    )
    ended = 0
    for staff in running:
        staff.ended_on = station.closed_on
        history_note(staff, by=by, reason="station closed")
        staff.save(update_fields=["ended_on", "updated_at"])
        ended += 1
    return ended


def station_create(
    *, by, organization: Organization, kind: str, name: str, opened_on: date, **fields
) -> Station:
    """Open a station of ``organization`` (the API gives the client's key too)."""
    _check_fields(fields, (*STATION_EDITABLE_FIELDS, *CLIENT_KEY_FIELDS))
    station = Station(
        organization=organization, kind=kind, name=name, opened_on=opened_on, **fields
    )
    _clean_station(station)
    history_note(station, by=by, reason="")
    station.save()
    return station


@transaction.atomic
def station_update(*, by, station: Station, **fields) -> Station:
    """Change the given fields; the organization is set once. A closing date given here ends
    the staff's terms as ``station_close`` does."""
    _check_fields(fields, STATION_EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(station, name, value)
    check_station(station)
    history_note(station, by=by, reason="")
    station.save(update_fields={*fields, "updated_at"})
    _end_staff_by(station, by=by)
    return station


@transaction.atomic
def station_close(*, by, station: Station, closed_on: date) -> Station:
    """Close the station on ``closed_on`` (its last open day); its staff's terms end by then.
    A closed station stays closed: a place that opens again is a new station (docs/rights.md)."""
    if station.closed_on is not None:
        raise ValidationError(
            {"closed_on": [STATION_CLOSED_ALREADY % {"day": _day(station.closed_on)}]}
        )
    return station_update(by=by, station=station, closed_on=closed_on)


# --- Staff ---------------------------------------------------------------------------------


def check_station_staff(staff: StationStaff) -> None:
    """Every rule a staff row follows, without saving (the admin's inline asks it too), against
    its station as set on it (unsaved on the admin's add page): raises ValidationError."""
    station = staff.station
    staff.organization = station.organization
    staff.full_clean(exclude=[*checked_by_the_database(staff), "organization", "station"])
    errors: dict[str, list] = {}
    member = staff.member
    if member.deleted_at is not None or member.merged_into_id is not None:
        errors["member"] = [PERSON_GONE]
    elif not member.organization.path.startswith(station.organization.path):
        errors["member"] = [NOT_OF_THE_SUBTREE % {"name": station.organization.name}]
    if staff.started_on < station.opened_on:
        errors["started_on"] = [TERM_BEFORE_OPENING % {"day": _day(station.opened_on)}]
    if station.closed_on is not None:
        closing = TERM_AFTER_CLOSING % {"day": _day(station.closed_on)}
        if staff.started_on > station.closed_on:
            errors["started_on"] = [closing]
        elif staff.ended_on is None or staff.ended_on > station.closed_on:
            errors["ended_on"] = [closing]
    if errors:
        raise ValidationError(errors)


def station_staff_add(
    *, by, station: Station, member: Member, role: str, started_on: date, **fields
) -> StationStaff:
    """A person starts working at the station in ``role`` (the API gives the client's key
    too)."""
    _check_fields(fields, ("ended_on", *CLIENT_KEY_FIELDS))
    if station is None:
        raise ValidationError({"station": [NO_STATION]})
    staff = StationStaff(
        organization=station.organization,
        station=station,
        member=member,
        role=role,
        started_on=started_on,
        **fields,
    )
    check_station_staff(staff)
    history_note(staff, by=by, reason="")
    staff.save()
    return staff


def station_staff_update(*, by, staff: StationStaff, **fields) -> StationStaff:
    """Change the person, role or term; the station is set once."""
    _check_fields(fields, STAFF_EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(staff, name, value)
    check_station_staff(staff)
    history_note(staff, by=by, reason="")
    staff.save(update_fields={*fields, "updated_at"})
    return staff


def station_staff_end(*, by, staff: StationStaff, ended_on: date) -> StationStaff:
    """The term ends on ``ended_on`` (her last day there)."""
    return station_staff_update(by=by, staff=staff, ended_on=ended_on)


# --- Merges (docs/merging.md) --------------------------------------------------------------


@transaction.atomic
def station_staff_move(*, survivor: Member, duplicate: Member, by) -> int:
    """The duplicate's terms at stations (deleted ones too) become the survivor's, a history
    row each. Judged by ``refuse_rows_outside``, as the people app's rows are: a merge may keep
    the record of the organization above both."""
    rows = StationStaff.objects.filter(member=duplicate)
    refuse_rows_outside(rows, survivor)
    moved = 0
    for staff in rows.select_for_update().order_by("pk"):
        staff.member = survivor
        staff.validate_constraints()
        history_note(staff, by=by, reason=merged_reason(survivor, duplicate))
        staff.save(update_fields={"member", "updated_at"})
        moved += 1
    return moved
