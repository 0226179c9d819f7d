"""Resident ID numbers (GB 11643-1999) and mobile phone numbers: checking, reading, masking.

Error messages never repeat the value they refuse, so a refused number cannot end up in a log.
"""

import datetime
import functools
import re
from operator import mul

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
# Days in the past when this module was loaded, anywhere on earth, and so ever after.
_PAST_AT_LOAD = datetime.date.today() - datetime.timedelta(days=2)
_EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


_ZERO_WEIGHTS = ord("0") * sum(_WEIGHTS)
# A mainland mobile number as typed, spaces and hyphens aside; 179 is left out, since a parser
# may take 179xx for a carrier prefix (_normalize_mobile_parsed decides those).
_PLAIN_MOBILE = re.compile(r"(?:\+86)?(1(?:[3-68-9][0-9]|7[0-8])[0-9]{8})")


def check_character(first17: str) -> str:
    """The 18th character GB 11643 derives from the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("check_character takes 17 digits")
    # The weighted sum of the digits' character codes, less that of seventeen zeros: an
    # import checks 100,000 numbers, and int() of each digit was most of the time.
    total = sum(map(mul, first17.encode(), _WEIGHTS)) - _ZERO_WEIGHTS
    return _CHECK_CHARACTERS[total % 11]


def normalize_id_number(value: str) -> str:
    """The number as stored: trimmed, with a capital X; raises ValidationError if it cannot be real.

    Each failure has its own code, so forms and imports can say what to look at.
    """
    return _checked_id_number(tidy_id_number(value))


def tidy_id_number(value: str) -> str:
    """The number as ``normalize_id_number`` stores it, if it is good: trimmed, a capital X."""
    value = value.strip()
    return value[:-1] + "X" if value.endswith("x") else value


# A number found good stays good (its birth date only recedes into the past), so the last ones
# are kept: an import checks each number, then the model's clean() checks it again.
@functools.lru_cache(maxsize=256)
def _checked_id_number(value: str) -> str:
    """``value`` (trimmed, capital X) if it can be real; raises ValidationError if not."""
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
    # The day in Beijing is at most one off the machine's: only a birth date that near today
    # pays for the time zone conversion, and only one since this module was loaded asks the
    # machine's date (an import checks 100,000 numbers).
    if (
        birth_date >= _PAST_AT_LOAD
        and birth_date >= datetime.date.today() - datetime.timedelta(days=1)
        and birth_date > timezone.localdate()
    ):
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
    plain = _PLAIN_MOBILE.fullmatch(value.replace(" ", "").replace("-", ""))
    if plain is None:
        return _normalize_mobile_parsed(value)
    # As typed most often: the number phonenumbers.parse would read, without its parsing, and
    # only its type asked (a +86 number of a mobile type is a valid one): a third of the time.
    national = plain.group(1)
    if not _mobile_prefix(national[:5]):
        raise _not_a_mobile()
    return f"+86{national}"


@functools.lru_cache(maxsize=2**14)
def _mobile_prefix(prefix: str) -> bool:
    """Whether the 11-digit numbers that start with these five digits are mobile numbers.

    phonenumbers' patterns for China tell numbers of this shape apart by their first five
    digits at most (tests/core/test_identity.py checks every such prefix against them), so one
    number per prefix is asked, once: an import checks 100,000 phones.
    """
    number = phonenumbers.PhoneNumber(country_code=86, national_number=int(prefix + "000000"))
    return phonenumbers.number_type(number) in _MOBILE_TYPES


def _normalize_mobile_parsed(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise _not_a_mobile() from None
    if number.country_code != 86 or number.extension or not _is_mobile(number):
        raise _not_a_mobile()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_mobile(number: phonenumbers.PhoneNumber) -> bool:
    return (
        phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _MOBILE_TYPES
    )


def _not_a_mobile() -> ValidationError:
    return ValidationError(_("Enter a valid mainland China mobile phone number."), code="phone")


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
