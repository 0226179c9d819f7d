"""Resident ID numbers (GB 11643-1999) and mobile phone numbers: checking, reading, masking.

Error messages never repeat the value they refuse, so a refused number cannot end up in a log.
"""

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 11643-1999 / ISO 7064 MOD 11-2: the weight of each of the first 17 digits, and the check
# character for each remainder of the weighted sum divided by 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"

# Province-level codes, the first two digits of an address code. 11-65 are the provinces,
# autonomous regions and municipalities of GB/T 2260; 71 (Taiwan), 81 (Hong Kong) and 82 (Macao)
# are listed there too. 91 is not a GB/T 2260 code; it is accepted because ID number checkers
# commonly allow it (read as "abroad").
_PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "91",
    }
)  # fmt: skip

_ID_NUMBER_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def check_character(first17: str) -> str:
    """The 18th character GB 11643 derives from the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalize_id_number(value: str) -> str:
    """The number as stored: trimmed, with a capital X; raises ValidationError if it cannot be real.

    Each failure has its own code, so forms and imports can say what to look at.
    """
    value = value.strip()
    if value.endswith("x"):
        value = value[:-1] + "X"

    if len(value) != 18:
        raise ValidationError(_("Enter an 18-character resident ID number."), code="length")
    if not _ID_NUMBER_SHAPE.fullmatch(value):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or the letter X."),
            code="format",
        )
    if value[:2] not in _PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits of this ID number are not a province code."), code="region"
        )

    try:
        birth_date = id_number_birth_date(value)
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number is not a real date."), code="birth_date"
        ) from None
    if birth_date < _EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("The birth date in this ID number is before 1900."), code="birth_date"
        )
    if birth_date > timezone.localdate():
        raise ValidationError(
            _("The birth date in this ID number is in the future."), code="birth_date"
        )

    if check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this ID number is wrong; please check for a mistyped digit."),
            code="check_character",
        )
    return value


def id_number_birth_date(value: str) -> datetime.date:
    """The birth date in digits 7-14 of a normalized number."""
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_number_gender(value: str) -> str:
    """ "male" or "female": GB 11643 gives men odd and women even 17th digits."""
    return "male" if int(value[16]) % 2 == 1 else "female"


def mask_id_number(value: str) -> str:
    """What a list or an export shows: the address code and the last four, nothing else."""
    if not value:
        return ""
    if len(value) != 18:
        # Not a number we checked: show none of it rather than guess which part is safe.
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[-4:]


def normalize_mobile(value: str) -> str:
    """A mainland China mobile number in E.164 ("+8613812345678"); raises ValidationError if not.

    Landlines are refused because the number is used to reach a person, e.g. by text message.
    """
    error = ValidationError(_("Enter a valid mainland China mobile phone number."), code="phone")
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise error from None
    if (
        number.country_code != 86
        or number.extension
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise error
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# A mobile as normalize_mobile stores it: masked without parsing it again for every row shown.
_STORED_MOBILE = re.compile(r"\+86(1\d{10})")


def mask_phone(value: str) -> str:
    """What a list shows: "138****5678", enough to tell numbers apart but not to call one."""
    if not value:
        return ""
    stored = _STORED_MOBILE.fullmatch(value)
    try:
        national = (
            stored.group(1)
            if stored
            else phonenumbers.national_significant_number(phonenumbers.parse(value, "CN"))
        )
    except phonenumbers.NumberParseException:
        return "*" * len(value)
    if len(national) < 8:
        return "*" * len(national)
    return national[:3] + "*" * (len(national) - 7) + national[-4:]
