"""A batch's items checked column by column in plain Python, as the resource's serializer would.

DRF checks an item field by field through several layers of calls (empty values, conversion,
each validator, the timezone looked up again for every date), about a tenth of a millisecond
a field. A batch of 500 items of a dozen fields spent most of its time there. ``FieldPlan``
works out once, from the serializer's own fields, how to take the common, well-formed value of
each field straight: a whole number in range, a trimmed short text, an ISO datetime with its
offset, an id or a code found in the rows loaded for the batch.

Anything else takes DRF's own path: a value the plan does not take as plainly valid (of another
type, out of range, blank, unknown, …) makes ``check`` answer None, and the caller runs the
item through the serializer, whose messages it answers. So the plan only ever accepts what the
serializer accepts, with the same value, and every refusal, message and shape is the
serializer's. tests/events/test_bulk_checks.py compares the two on good and bad items.
See docs/api-machinery.md, "Batches".
"""

import re
import uuid

from django.core import validators as django_validators
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import ISO_8601, api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator

# A NUL (PostgreSQL refuses it) or a lone surrogate: both refused by DRF's text validators.
_REFUSED_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


class Slow(Exception):
    """The value is not plainly valid: the serializer decides (and words any refusal)."""


def _text(field):
    """A CharField's value: a str, trimmed as DRF trims it, within its length, no NUL or lone
    surrogate."""
    most = field.max_length
    blank_ok = field.allow_blank
    trim = field.trim_whitespace

    def take(value):
        if type(value) is not str:
            raise Slow
        text = value.strip() if trim else value
        if not text:
            if blank_ok:
                return ""
            raise Slow
        if (most is not None and len(text) > most) or _REFUSED_CHARACTERS.search(text):
            raise Slow
        return text

    return take


def _whole(field):
    """An IntegerField's value: an int (not a bool) within its bounds."""
    low, high = field.min_value, field.max_value

    def take(value):
        if type(value) is not int or (low is not None and value < low):
            raise Slow
        if high is not None and value > high:
            raise Slow
        return value

    return take


def _decimal(field):
    """A DecimalField's value, converted by the field itself (its precision and rounding), then
    within its bounds."""
    low, high = field.min_value, field.max_value
    convert = field.to_internal_value

    def take(value):
        if type(value) not in (str, int):
            raise Slow
        try:
            number = convert(value)
        except serializers.ValidationError:
            raise Slow from None
        if (low is not None and number < low) or (high is not None and number > high):
            raise Slow
        return number

    return take


def _moment(field, zone):
    """A DateTimeField's value: ISO 8601 text with its offset, in the current timezone (what
    DRF's ``enforce_timezone`` does for an aware datetime). A naive one takes DRF's path."""

    def take(value):
        if type(value) is not str:
            raise Slow
        try:
            parsed = parse_datetime(value)
            if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
                raise Slow
            return parsed.astimezone(zone)
        except (ValueError, TypeError, OverflowError):
            raise Slow from None

    return take


def _uuid(field):
    """A UUIDField's value: text, as DRF reads it (``uuid.UUID(hex=…)``)."""

    def take(value):
        if type(value) is not str:
            raise Slow
        try:
            return uuid.UUID(hex=value)
        except ValueError:
            raise Slow from None

    return take


def _loaded(field, rows: dict):
    """A reference among the rows loaded for the batch (``PreloadedLookup``), by the int or the
    code that keys them; null where the field allows it."""
    allow_null = field.allow_null

    def take(value):
        if value is None and allow_null:
            return None
        if type(value) is int or type(value) is str:
            row = rows.get(value)
            if row is not None:
                return row
        raise Slow

    return take


_BOUNDS = (django_validators.MinValueValidator, django_validators.MaxValueValidator)
# The validators each kind of field carries that its taker above applies itself; a field with
# any other validator takes DRF's path.
_OWN_VALIDATORS = {
    serializers.CharField: (
        django_validators.MaxLengthValidator,
        django_validators.ProhibitNullCharactersValidator,
        ProhibitSurrogateCharactersValidator,
    ),
    serializers.IntegerField: _BOUNDS,
    serializers.DecimalField: _BOUNDS,
    serializers.DateTimeField: (),
    serializers.UUIDField: (),
}


class FieldPlan:
    """How each writable field of ``serializer`` takes an item's value, worked out once for a
    batch. ``preloaded`` maps a field's name to the rows loaded for the batch (key → row), for
    the fields that read from them as apps/events' ``PreloadedLookup`` does: a key missing from
    them does not exist."""

    def __init__(self, serializer, *, preloaded: dict | None = None):
        preloaded = preloaded or {}
        zone = timezone.get_current_timezone()  # as DRF's DateTimeField, once for the batch
        self.columns = []
        # The serializer's own item-level checks must be the ones this knows: none of its own
        # validators, no validate_<field> method, each field written to its own name.
        self.usable = not serializer.get_validators()
        for field in serializer._writable_fields:
            name = field.field_name
            if getattr(serializer, f"validate_{name}", None) or field.source_attrs != [name]:
                self.usable = False
            take = self._taker(field, preloaded.get(name), zone)
            if take is None:
                self.usable = False
            self.columns.append((name, field, take))

    @staticmethod
    def _taker(field, rows, zone):
        if rows is not None:
            return _loaded(field, rows)
        kind = type(field)
        known = _OWN_VALIDATORS.get(kind)
        if known is None or any(not isinstance(v, known) for v in field.validators):
            return None
        if kind is serializers.CharField:
            return _text(field)
        if kind is serializers.IntegerField:
            return _whole(field)
        if kind is serializers.DecimalField:
            return _decimal(field)
        if kind is serializers.DateTimeField:
            formats = getattr(field, "input_formats", api_settings.DATETIME_INPUT_FORMATS)
            return _moment(field, zone) if list(formats) == [ISO_8601] else None
        return _uuid(field)

    def check(self, item) -> dict | None:
        """The item's fields as the serializer's fields would give them, or None when any of
        them is not plainly valid (the serializer decides that item)."""
        if not self.usable or type(item) is not dict:
            return None
        data = {}
        try:
            for name, field, take in self.columns:
                value = item.get(name, empty)
                if value is empty:
                    if field.required:
                        return None
                    if field.default is empty:
                        continue  # left out, as DRF leaves it out
                    data[name] = field.get_default()
                else:
                    data[name] = take(value)
        except Slow:
            return None
        return data
