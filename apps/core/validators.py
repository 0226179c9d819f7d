"""Checks on text people type that the database would take but people must not be shown.

A name with a control, bidirectional or invisible character can look like
another (``qu_admin`` with a right-to-left mark) or hide text in a list;
a username of look-alike letters (a Cyrillic ``а``) can pass for another
account. A code or username that cannot be had is refused with one wording
whatever the reason, so the refusal never says that it exists elsewhere.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

NOT_AVAILABLE = _("This is not available: choose another.")
HIDDEN_CHARACTERS = _("Remove the invisible or control characters from the text.")
EARLIEST_BIRTH = date(1900, 1, 1)


@deconstructible
class PlainTextValidator:
    """No control characters (Cc), no format characters (Cf: bidi marks, zero-width spaces,
    the soft hyphen, the byte-order mark) and no private-use characters (Co)."""

    def __call__(self, value):
        if any(unicodedata.category(ch) in {"Cc", "Cf", "Co"} for ch in str(value)):
            raise ValidationError(HIDDEN_CHARACTERS, code="hidden_characters")

    def __eq__(self, other):
        return isinstance(other, PlainTextValidator)


plain_text = PlainTextValidator()

# ASCII letters, digits and _ . - only: no look-alike letters of other scripts.
username_characters = RegexValidator(
    re.compile(r"^[A-Za-z0-9_.-]+\Z"),
    message=NOT_AVAILABLE,
    code="invalid",
)

# A code is one visible word: no spaces, no hidden characters.
code_characters = RegexValidator(
    re.compile(r"^[^\s\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+\Z"),
    message=NOT_AVAILABLE,
    code="invalid",
)


def past_birth_date(value):
    """A birth date between 1900 and today (Beijing time)."""
    if value is not None and not EARLIEST_BIRTH <= value <= timezone.localdate():
        raise ValidationError(
            _("A birth date lies between 1900 and today."), code="birth_date_out_of_range"
        )


def ascii_digits(text) -> bool:
    """Whether ``text`` is a whole number written in ASCII digits: what ``int()`` and
    PostgreSQL take. ``str.isdigit()`` is true of "²" and "٣" too, which ``int()`` refuses or
    reads otherwise: a check on ids and page numbers from a request uses this instead."""
    return isinstance(text, str) and text.isascii() and text.isdigit()
