"""Resident ID numbers and mobile numbers: what is accepted, what is refused, what is shown."""

import datetime
import re

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from apps.core.identity import (
    check_character,
    id_number_birth_date,
    id_number_gender,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_mobile,
)
from tests.factories.identity import (
    GENDERS,
    MOBILE_PREFIXES,
    REGIONS,
    birth_dates,
    make_id_number,
    mobile_numbers,
    valid_id_numbers,
)

# The example in GB 11643-1999: Beijing Chaoyang, born 1949-12-31, a woman.
EXAMPLE = "11010519491231002X"


def refusal(value, normalize=normalize_id_number) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        normalize(value)
    return caught.value


def shown_texts(error: ValidationError):
    """Every way an error can be turned into text, in both languages the site speaks."""
    for language in ("zh-hans", "en"):
        with translation.override(language):
            yield from (str(message) for message in error.messages)
            yield str(error)
            yield repr(error)


# --- the check character ---


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),  # the standard's other example
        ("11010119900307803", "X"),  # worked by hand: weighted sum 222, 222 % 11 == 2
        ("51010720000229002", "9"),  # worked by hand: weighted sum 168, 168 % 11 == 3
        ("00000000000000000", "1"),
    ],
)
def test_check_character(first17, expected):
    assert check_character(first17) == expected


# --- accepted numbers ---


@pytest.mark.parametrize(
    "value",
    [EXAMPLE, "11010119900307803X", "510107200002290029"],
)
def test_real_format_examples_are_accepted(value):
    assert normalize_id_number(value) == value


def test_lowercase_x_and_surrounding_space_are_accepted():
    assert normalize_id_number("  11010519491231002x\n") == EXAMPLE


def test_factory_builds_the_standard_example():
    assert make_id_number(datetime.date(1949, 12, 31)) == EXAMPLE


def test_reading_the_example():
    assert id_number_birth_date(EXAMPLE) == datetime.date(1949, 12, 31)
    assert id_number_gender(EXAMPLE) == "female"
    assert id_number_gender("440524188001010014") == "male"


def test_born_today_and_on_the_first_day_of_1900_are_accepted():
    for born in (timezone.localdate(), datetime.date(1900, 1, 1)):
        value = make_id_number(born)
        assert normalize_id_number(value) == value


@given(valid_id_numbers())
def test_every_generated_number_is_accepted(value):
    assert normalize_id_number(value) == value


@given(
    born=birth_dates(),
    gender=st.sampled_from(GENDERS),
    region=st.sampled_from(REGIONS),
    sequence=st.integers(min_value=0, max_value=499),
)
def test_birth_date_and_gender_round_trip(born, gender, region, sequence):
    value = normalize_id_number(make_id_number(born, gender, region, sequence))

    assert id_number_birth_date(value) == born
    assert id_number_gender(value) == gender
    assert value.startswith(region)


@given(value=valid_id_numbers(), position=st.integers(min_value=0, max_value=17), data=st.data())
def test_any_single_changed_character_is_refused(value, position, data):
    """GB 11643's check character catches every single-character mistake, wherever it is."""
    allowed = "0123456789X" if position == 17 else "0123456789"
    replacements = [c for c in allowed if c != value[position]]
    replacement = data.draw(st.sampled_from(replacements))
    changed = value[:position] + replacement + value[position + 1 :]

    assert check_character(changed[:17]) != changed[17]
    for text in shown_texts(refusal(changed)):
        assert changed not in text
        assert not re.search(r"\d{6}", text)


def test_every_single_digit_change_of_the_example_is_refused():
    for position in range(18):
        for digit in "0123456789":
            if digit != EXAMPLE[position]:
                changed = EXAMPLE[:position] + digit + EXAMPLE[position + 1 :]
                refusal(changed)


# --- refused numbers, each with its own code ---


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "length"),
        ("   ", "length"),
        ("11010519491231002", "length"),
        ("11010519491231002X1", "length"),
        ("110105194912310", "length"),  # the old 15-digit numbers
        ("110105 19491231 002X", "length"),
        ("1101051949123100XX", "format"),
        ("X10105194912310021", "format"),
        ("11010519491231002Y", "format"),
        ("11010519491231002-", "format"),
        ("１１０１０５１９４９１２３１００２X", "format"),  # full-width digits
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "format"),  # digits of another script
        (make_id_number(datetime.date(1990, 1, 1), region="000000"), "region"),
        (make_id_number(datetime.date(1990, 1, 1), region="100105"), "region"),
        (make_id_number(datetime.date(1990, 1, 1), region="160105"), "region"),
        (make_id_number(datetime.date(1990, 1, 1), region="830000"), "region"),
        (make_id_number(datetime.date(1990, 1, 1), region="990000"), "region"),
        ("11010519491231002Z", "format"),
        ("11010519491231003X", "check_character"),
        ("110105194912310021", "check_character"),
    ],
)
def test_malformed_numbers_are_refused_with_their_code(value, code):
    assert refusal(value).code == code


def first17_with_check(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    "birth",
    [
        "20230230",  # 30 February
        "20230229",  # not a leap year
        "19000229",  # 1900 was not a leap year either
        "19491301",  # month 13
        "19490001",  # month 0
        "19491200",  # day 0
        "19490431",  # 31 April
        "00000000",
        "18991231",  # before 1900
        "18000101",
        "99991231",  # the future
    ],
)
def test_impossible_birth_dates_are_refused(birth):
    value = first17_with_check(f"110105{birth}002")

    assert refusal(value).code == "birth_date"


def test_a_birth_date_tomorrow_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    assert refusal(first17_with_check(f"110105{tomorrow:%Y%m%d}002")).code == "birth_date"


def test_leap_day_is_a_real_date_in_a_leap_year():
    value = make_id_number(datetime.date(2000, 2, 29))

    assert normalize_id_number(value) == value


def test_each_birth_date_refusal_has_its_own_message():
    bad_day = refusal(first17_with_check("11010520230230002"))
    too_early = refusal(first17_with_check("11010518991231002"))
    too_late = refusal(first17_with_check("11010599991231002"))

    with translation.override("en"):
        messages = {str(error.messages[0]) for error in (bad_day, too_early, too_late)}
    assert len(messages) == 3


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002",
        "1101051949123100XX",
        make_id_number(datetime.date(1990, 1, 1), region="990000"),
        first17_with_check("11010520230230002"),
        first17_with_check("11010518991231002"),
        first17_with_check("11010599991231002"),
        "11010519491231003X",
        "  11010519491231003x  ",
    ],
)
def test_refusals_never_repeat_the_number(value):
    error = refusal(value)

    for text in shown_texts(error):
        assert value.strip() not in text
        assert value.strip()[:17] not in text
        assert not re.search(r"\d{6}", text), text  # not even the address code or birth date
    assert not error.params


def test_every_failure_has_an_english_message_id():
    """The message ids are English; the catalogue gives the Chinese."""
    values = [
        "1",
        "1101051949123100XX",
        make_id_number(datetime.date(1990, 1, 1), region="990000"),
        first17_with_check("11010520230230002"),
        "11010519491231003X",
    ]
    with translation.override("en"):
        messages = [str(refusal(value).messages[0]) for value in values]

    assert messages[0] == "Enter an 18-character resident ID number."
    assert messages[3] == "The birth date in this ID number is not a real date."
    assert messages[4] == (
        "The check character of this ID number is wrong; please check for a mistyped digit."
    )
    assert len(set(messages)) == len(messages)


# --- masking an ID number ---


def test_mask_id_number():
    assert mask_id_number(EXAMPLE) == "110105********002X"


def test_mask_empty_id_number():
    assert mask_id_number("") == ""


def test_mask_shows_nothing_of_a_malformed_value():
    assert mask_id_number("12345") == "*****"


@given(valid_id_numbers())
def test_mask_hides_the_birth_date(value):
    masked = mask_id_number(value)

    assert len(masked) == 18
    assert masked[6:14] == "********"
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]


# --- mobile numbers ---


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "138-1234-5678",
        "138 1234 5678",
        " 13812345678 ",
        "008613812345678",
        "86 13812345678",
    ],
)
def test_mobile_numbers_are_accepted_in_the_ways_people_write_them(value):
    assert normalize_mobile(value) == "+8613812345678"


@pytest.mark.parametrize(
    "value",
    [
        "15912345678",
        "18612345678",
        "19912345678",
        "17012345678",
    ],
)
def test_other_mobile_prefixes(value):
    assert normalize_mobile(value) == f"+86{value}"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "not a number",
        "010 1234 5678",  # a Beijing landline
        "01012345678",
        "+86 21 6123 4567",  # a Shanghai landline
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "12012345678",  # no such mobile prefix
        "14012345678",
        "13812345678 ext 12",
        "+1 202 555 0123",  # a valid number, but not in mainland China
        "+852 5123 4567",  # a Hong Kong mobile
        "+44 7400 123456",
    ],
)
def test_other_numbers_are_refused(value):
    error = refusal(value, normalize_mobile)

    assert error.code == "phone"
    for text in shown_texts(error):
        if value.strip():
            assert value.strip() not in text
        assert not re.search(r"\d{4}", text)


@given(mobile_numbers())
def test_every_generated_mobile_is_accepted(value):
    assert normalize_mobile(value) == f"+86{value}"


@given(mobile_numbers(), st.sampled_from(["+86 ", "+86-", "0086", "86", ""]), st.booleans())
def test_mobile_normalization_ignores_how_it_was_typed(value, country, hyphens):
    separator = "-" if hyphens else " "
    typed = country + separator.join([value[:3], value[3:7], value[7:]])

    assert normalize_mobile(typed) == f"+86{value}"
    assert normalize_mobile(normalize_mobile(typed)) == f"+86{value}"


def test_the_mobile_prefixes_the_factory_uses_all_work():
    for prefix in MOBILE_PREFIXES:
        assert normalize_mobile(f"{prefix}00000000") == f"+86{prefix}00000000"


# --- masking a mobile number ---


def test_mask_phone():
    assert mask_phone("+8613812345678") == "138****5678"


def test_mask_empty_phone():
    assert mask_phone("") == ""


@given(mobile_numbers())
def test_mask_phone_keeps_three_and_four(value):
    masked = mask_phone(normalize_mobile(value))

    assert masked == value[:3] + "****" + value[-4:]


@given(
    st.sampled_from(["", "+86", "+86 "]),
    st.from_regex(r"1[0-9]{10}", fullmatch=True),
    st.sampled_from(["{}", "{} ", " {}", "{}-"]),
)
def test_a_number_typed_plainly_is_read_as_phonenumbers_parses_it(country, digits, spacing):
    """The quick path of normalize_mobile (no parsing) answers as the parser does, refusals too."""
    from apps.core.identity import _normalize_mobile_parsed

    parts = (digits[:3], digits[3:7], digits[7:])
    value = country + " ".join(spacing.format(part) for part in parts)

    def answer(normalize):
        try:
            return normalize(value)
        except ValidationError as exc:
            return exc.code

    assert answer(normalize_mobile) == answer(_normalize_mobile_parsed)


def _mobile_by_phonenumbers(national: str) -> bool:
    number = phonenumbers.PhoneNumber(country_code=86, national_number=int(national))
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def test_a_mobile_is_told_by_its_first_five_digits_as_phonenumbers_tells_it():
    """normalize_mobile asks phonenumbers once per five-digit prefix: its patterns for China
    must not look past the first five digits of a number that looks like a mobile."""
    for prefix in range(13000, 20000):
        national = str(prefix)
        if not re.fullmatch(r"1(?:[3-68-9]\d|7[0-8])\d\d", national):
            continue
        kinds = {_mobile_by_phonenumbers(national + ending) for ending in ("000000", "999999")}
        assert kinds == {_mobile_by_phonenumbers(national + "581093")}, national


@given(st.from_regex(r"1(?:[3-68-9][0-9]|7[0-8])[0-9]{8}", fullmatch=True))
def test_a_number_is_accepted_exactly_when_phonenumbers_calls_it_a_mobile(national):
    try:
        accepted = normalize_mobile(national) == f"+86{national}"
    except ValidationError:
        accepted = False
    assert accepted == _mobile_by_phonenumbers(national)
