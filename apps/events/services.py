"""Writing events, campaigns and funds: the API, the admin and (later) the import share these rules.

Every service is keyword-only, atomic and cleans before it saves (docs/architecture.md). A batch
of events (``events_create``) is checked in Python and stored with one COPY (and one INSERT …
SELECT for its history, apps/core/bulk.py): its references come already loaded, scoped once
for the whole batch, so the batch costs the same few statements whatever its size
(docs/events.md).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.core.bulk import insert_with_history
from apps.core.history import history_note
from apps.core.models import CLIENT_KEY_FIELDS, checked_by_the_database
from apps.events.models import Campaign, Event, EventParticipant, Fund
from apps.members.services.people import merged_reason
from apps.members.signals import refuse_rows_outside

EVENT_FIELDS = (
    "title",
    "category",
    "campaign",
    "starts_at",
    "ends_at",
    "place",
    "position",
    "partners",
    "participants",
    "people_reached",
    "volunteers",
    "spent",
    "summary",
)
CAMPAIGN_FIELDS = ("title", "starts_on", "ends_on", "description")
FUND_FIELDS = ("source", "amount", "received_on", "purpose", "campaign", "event")


def _check_fields(fields: Mapping, editable) -> None:
    unknown = set(fields) - set(editable)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")


def _save_new(record, *, by):
    record.full_clean(exclude=checked_by_the_database(record))
    history_note(record, by=by, reason="")
    record.save()
    return record


def _save_changed(record, *, by, fields: Mapping):
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean(exclude=checked_by_the_database(record))
    history_note(record, by=by, reason="")
    record.save(update_fields={*fields, "updated_at"})
    return record


# --- Events ----------------------------------------------------------------------------------


# Each column's default, in the table's order, and the references by name with their column: an
# event is built from these positionally, which is Model.__init__'s fast path (a batch builds
# 500; by keyword each took three times as long: docs/events.md, "A batch from the field").
_DEFAULTS = {field.attname: field.get_default() for field in Event._meta.concrete_fields}
_REFERENCES = {
    field.name: (field.attname, field.related_model, field)
    for field in Event._meta.concrete_fields
    if field.many_to_one
}


def _event(organization, fields: Mapping) -> Event:
    """An unsaved event; its line is its category's. Its references are the rows given (none is
    read again), each set as Django sets a related row it was given."""
    _check_fields(fields, (*EVENT_FIELDS, *CLIENT_KEY_FIELDS))
    category = fields.get("category")
    rows = {"organization": organization, "line": getattr(category, "line", None)}
    values = dict(_DEFAULTS)
    for name, value in fields.items():
        if name in _REFERENCES:
            rows[name] = value
        else:
            values[name] = value
    for name, row in rows.items():
        attname, model, _reference = _REFERENCES[name]
        if row is not None and not isinstance(row, model):
            raise TypeError(f"{name}: a {model.__name__} or None, not {type(row).__name__}")
        values[attname] = None if row is None else row.pk
    event = Event(*values.values())
    for name, (_attname, _model, reference) in _REFERENCES.items():
        reference.set_cached_value(event, rows.get(name))
    return event


class InvalidItems(Exception):
    """Items of a batch that failed their checks: ``errors`` maps each index to its fields'
    messages (the API answers it as docs/api.md's 400 of a batch)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def event_create(*, by, organization, **fields) -> Event:
    """Record an event ``organization`` held (the API gives the client's key too)."""
    return _save_new(_event(organization, fields), by=by)


def events_create(*, by, items: list[Mapping]) -> list[Event]:
    """Record a batch of events, all or nothing, in one INSERT (and one for their history).

    Each item is ``{"organization": …, **fields}`` with its references as loaded objects (the
    API loads each kind once for the batch, in the caller's reach). Every item is checked
    before anything is written (``events_check``). The database's constraints (the client's
    key among them) still decide last.
    """
    return events_store(by=by, events=events_check(items=items))


def events_check(*, items: list[Mapping], fields_checked: bool = False) -> list[Event]:
    """The batch's unsaved events, each built once and put through the model's checks once
    (its fields and ``clean()``); ``InvalidItems`` maps each failing item's index to its
    fields' messages, for every failing item at once.

    ``fields_checked``: each value has been through the API's field of the same name, which
    carries the model field's own rules (length, range, blank, null: DRF's ModelSerializer
    builds it from the model field), so only the rules between fields (``clean()``) are left.
    """
    events, errors = [], {}
    for index, item in enumerate(items):
        fields = dict(item)
        event = _event(fields.pop("organization"), fields)
        try:
            # The rules of the model's checks are in clean(); the constraints run in the INSERT.
            if fields_checked:
                event.clean()
            else:
                event.full_clean(
                    exclude=checked_by_the_database(event),
                    validate_unique=False,
                    validate_constraints=False,
                )
        except ValidationError as exc:
            errors[str(index)] = exc.message_dict
        events.append(event)
    if errors:
        raise InvalidItems(errors)
    return events


def events_store(*, by, events: list[Event]) -> list[Event]:
    """Store events ``events_check`` returned (the client's key set on them since, if any):
    COPY, and the history rows copied by the database (apps/core/bulk.py), three statements
    whatever the batch's size. The database's constraints decide last."""
    with transaction.atomic():
        return insert_with_history(Event, events, by=by)


def event_update(*, by, event: Event, **fields) -> Event:
    """Change the given fields; the organization is set once, the line follows the category.
    The participants are never fewer than the people on the event's list."""
    _check_fields(fields, EVENT_FIELDS)
    if "category" in fields:
        fields["line"] = fields["category"].line
    with transaction.atomic():
        if "participants" in fields and fields["participants"] is not None:
            # Locked, so an add to the list cannot slip in between the count and the save.
            Event.objects.select_for_update().filter(pk=event.pk).values_list("pk").first()
            listed = EventParticipant.objects.alive().filter(event=event).count()
            if fields["participants"] < listed:
                raise ValidationError({"participants": [FEWER_THAN_LISTED % {"listed": listed}]})
        return _save_changed(event, by=by, fields=fields)


def event_delete(*, by, event: Event) -> Event:
    """Mark the event deleted (entered by mistake): gone from lists, totals and campaigns."""
    return event.mark_deleted(by=by)


# --- Campaigns and funds ---------------------------------------------------------------------


def campaign_create(*, by, organization, **fields) -> Campaign:
    """Launch a campaign for ``organization``'s subtree."""
    _check_fields(fields, (*CAMPAIGN_FIELDS, *CLIENT_KEY_FIELDS))
    return _save_new(Campaign(organization=organization, **fields), by=by)


def campaign_update(*, by, campaign: Campaign, **fields) -> Campaign:
    _check_fields(fields, CAMPAIGN_FIELDS)
    return _save_changed(campaign, by=by, fields=fields)


def campaign_delete(*, by, campaign: Campaign) -> Campaign:
    return campaign.mark_deleted(by=by)


def fund_create(*, by, organization, **fields) -> Fund:
    """Record money ``organization`` obtained or raised."""
    _check_fields(fields, (*FUND_FIELDS, *CLIENT_KEY_FIELDS))
    return _save_new(Fund(organization=organization, **fields), by=by)


def fund_update(*, by, fund: Fund, **fields) -> Fund:
    _check_fields(fields, FUND_FIELDS)
    return _save_changed(fund, by=by, fields=fields)


def fund_delete(*, by, fund: Fund) -> Fund:
    return fund.mark_deleted(by=by)


# --- Participant lists -----------------------------------------------------------------------
# A training's trainees: people of the event organization's subtree, each with whether she
# attended and completed it. The event's ``participants`` number stays the figure counted (a
# large public event has no list); a list is never longer than it (docs/events.md).

PARTICIPANT_FIELDS = ("attended", "completed")
FEWER_THAN_LISTED = _(
    "The participants cannot be fewer than the %(listed)s people on the event's list."
)
LIST_FULL = _(
    "The event's list would have more people than its %(participants)s participants: "
    "raise the event's participants first."
)
LISTED_TWICE = _("%(person)s is listed twice.")


def _lock_event(event: Event) -> Event:
    """The event, locked: changes to its list and to its number of participants take turns."""
    return Event.objects.select_for_update().select_related("organization").get(pk=event.pk)


def _check_room(event: Event, listed: int) -> None:
    if listed > event.participants:
        raise ValidationError({"event": [LIST_FULL % {"participants": event.participants}]})


def _check_participant(row: EventParticipant) -> None:
    row.full_clean(exclude=checked_by_the_database(row), validate_constraints=False)
    row.validate_constraints(exclude=list(CLIENT_KEY_FIELDS))  # once on the list, with a message


def participant_add(*, by, event: Event, member, **fields) -> EventParticipant:
    """Put ``member`` on the event's list (the API gives the client's key too)."""
    _check_fields(fields, (*PARTICIPANT_FIELDS, *CLIENT_KEY_FIELDS))
    with transaction.atomic():
        locked = _lock_event(event)
        _check_room(locked, EventParticipant.objects.alive().filter(event=locked).count() + 1)
        row = EventParticipant(
            organization=locked.organization, event=locked, member=member, **fields
        )
        _check_participant(row)
        history_note(row, by=by, reason="")
        row.save()
        return row


def participant_update(*, by, participant: EventParticipant, **fields) -> EventParticipant:
    """Change whether she attended and completed; the event and the person are set once."""
    _check_fields(fields, PARTICIPANT_FIELDS)
    for name, value in fields.items():
        setattr(participant, name, value)
    with transaction.atomic():
        _check_participant(participant)
        history_note(participant, by=by, reason="")
        participant.save(update_fields={*fields, "updated_at"})
        return participant


def participant_remove(*, by, participant: EventParticipant) -> EventParticipant:
    """Take the person off the list (marked deleted: the history keeps that she was on it)."""
    return participant.mark_deleted(by=by)


@dataclass
class ListChanges:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)


def participants_set(*, by, event: Event, entries) -> ListChanges:
    """Make ``entries`` ({"member", "attended", "completed"}) the event's whole list (the
    admin's inline). Every entry is checked before anything is written; people no longer
    listed are marked deleted."""
    entries = list(entries)
    with transaction.atomic():
        locked = _lock_event(event)
        existing = {row.member_id: row for row in locked.participant_list.alive()}
        rows, problems, seen = [], [], set()
        for entry in entries:
            person = entry["member"]
            if person.pk in seen:
                problems.append(LISTED_TWICE % {"person": person})
                continue
            seen.add(person.pk)
            row = existing.get(person.pk) or EventParticipant(
                organization=locked.organization, event=locked, member=person
            )
            row.event = locked
            changed = [
                name
                for name in PARTICIPANT_FIELDS
                if getattr(row, name) != entry.get(name, name == "attended")
            ]
            for name in PARTICIPANT_FIELDS:
                setattr(row, name, entry.get(name, name == "attended"))
            try:
                row.full_clean(exclude=["event", "organization"], validate_constraints=False)
            except ValidationError as exc:
                problems.extend(f"{person}: {message}" for message in exc.messages)
            rows.append((row, changed))
        if problems:
            raise ValidationError({"participant_list": problems})
        _check_room(locked, len(rows))
        changes = ListChanges()
        for member_id, row in existing.items():
            if member_id not in seen:
                row.mark_deleted(by=by)
                changes.removed.append(row)
        for row, changed in rows:
            if row.pk is None:
                history_note(row, by=by, reason="")
                row.save()
                changes.added.append(row)
            elif changed:
                history_note(row, by=by, reason="")
                row.save(update_fields=[*changed, "updated_at"])
                changes.changed.append((row, changed))
        return changes


@transaction.atomic
def participants_move(*, survivor, duplicate, by) -> int:
    """A merge (docs/merging.md): the duplicate's places on events' lists become the
    survivor's. Where both were on one event's list, the survivor's row keeps what either
    recorded (attended, completed) and the duplicate's row is marked deleted, with a history
    row saying into which row it was folded. Deleted rows are re-pointed too."""
    rows = EventParticipant.objects.filter(member=duplicate)
    refuse_rows_outside(rows, survivor)
    rows = list(rows.select_for_update().order_by("pk"))
    theirs = {
        row.event_id: row
        for row in EventParticipant.objects.select_for_update()
        .alive()
        .filter(member=survivor, event_id__in=[row.event_id for row in rows])
        .order_by("pk")
    }
    reason = merged_reason(survivor, duplicate)
    for row in rows:
        kept = theirs.get(row.event_id) if row.deleted_at is None else None
        if kept is not None:
            folded = {"attended": kept.attended or row.attended}
            folded["completed"] = kept.completed or row.completed
            changed = [name for name, value in folded.items() if getattr(kept, name) != value]
            if changed:
                for name in changed:
                    setattr(kept, name, folded[name])
                kept.validate_constraints()
                history_note(kept, by=by, reason=reason)
                kept.save(update_fields=[*changed, "updated_at"])
            row.mark_deleted(by=by, reason=f"{reason}: folded into #{kept.pk}")
            continue
        row.member = survivor
        row.validate_constraints()
        history_note(row, by=by, reason=reason)
        row.save(update_fields=["member", "updated_at"])
    return len(rows)
