"""Writing events, campaigns and funds: the API, the admin and (later) the import share these rules.

Every service is keyword-only, atomic and cleans before it saves (docs/architecture.md). A batch
of events (``events_create``) is checked in Python and stored with one ``bulk_create`` (and one
for its history): its references come already loaded, scoped once for the whole batch, so the
batch costs the same few statements whatever its size (docs/events.md).
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from apps.core.actors import history_user
from apps.core.history import history_note
from apps.core.models import CLIENT_KEY_FIELDS, checked_by_the_database
from apps.events.models import Campaign, Event, Fund

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


def _event(organization, fields: Mapping) -> Event:
    """An unsaved event; its line is its category's."""
    _check_fields(fields, (*EVENT_FIELDS, *CLIENT_KEY_FIELDS))
    event = Event(organization=organization, **fields)
    if event.category_id is not None:
        event.line = event.category.line  # loaded with the category: no query, none to check
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
    before anything is written: ``InvalidItems`` maps each failing item's index to its
    fields' messages. The database's constraints (the client's key among them) still decide
    last.
    """
    events, errors = [], {}
    for index, item in enumerate(items):
        fields = dict(item)
        event = _event(fields.pop("organization"), fields)
        try:
            # The rules of the model's checks are in clean(); the constraints run in the INSERT.
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
    with transaction.atomic():
        return bulk_create_with_history(events, Event, default_user=history_user(by))


def event_update(*, by, event: Event, **fields) -> Event:
    """Change the given fields; the organization is set once, the line follows the category."""
    _check_fields(fields, EVENT_FIELDS)
    if "category" in fields:
        fields["line"] = fields["category"].line
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
