"""Valid resident ID numbers and mobile numbers for tests, made rather than copied from people."""

import datetime

from django.utils import timezone
from hypothesis import strategies as st

from apps.core.identity import check_character

# Real county-level address codes (GB/T 2260), from several provinces.
REGIONS = ("110105", "310104", "330106", "420106", "440305", "510107", "650102")
GENDERS = ("male", "female")
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

# Mobile prefixes phonenumbers accepts as MOBILE for CN (checked against phonenumbers 9.0).
MOBILE_PREFIXES = (
    *(f"13{digit}" for digit in range(10)),
    *(f"15{digit}" for digit in "01235679"),
    *(f"18{digit}" for digit in range(10)),
    *(f"19{digit}" for digit in "0123589"),
)


def make_id_number(
    birth_date: datetime.date, gender: str = "female", region: str = "110105", sequence: int = 1
) -> str:
    """A number that passes normalize_id_number.

    `sequence` (0-499) picks the order code; the gender sets its last digit, so
    make_id_number(date(1949, 12, 31)) is the standard's example 11010519491231002X.
    """
    if gender not in GENDERS:
        raise ValueError(f"gender must be 'male' or 'female', not {gender!r}")
    if not (len(region) == 6 and region.isascii() and region.isdigit()):
        raise ValueError(f"region must be six digits, not {region!r}")
    if not 0 <= sequence <= 499:
        raise ValueError(f"sequence must be 0-499, not {sequence}")
    order = sequence * 2 + (1 if gender == "male" else 0)
    first17 = f"{region}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


def birth_dates():
    """Any birth date normalize_id_number accepts: 1900-01-01 to today."""
    return st.dates(min_value=EARLIEST_BIRTH_DATE, max_value=timezone.localdate())


def valid_id_numbers():
    """Normalized resident ID numbers from a few real regions, any age, either gender."""
    return st.builds(
        make_id_number,
        birth_date=birth_dates(),
        gender=st.sampled_from(GENDERS),
        region=st.sampled_from(REGIONS),
        sequence=st.integers(min_value=0, max_value=499),
    )


def mobile_numbers():
    """Mainland mobile numbers as people type them: 11 digits, no country code."""
    return st.builds(
        lambda prefix, rest: f"{prefix}{rest:08d}",
        st.sampled_from(MOBILE_PREFIXES),
        st.integers(min_value=0, max_value=99_999_999),
    )
