"""Cell values as the format types them (alis_nord/values.py), each form by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from alis_nord.contract import table_contracts
from alis_nord.money import NotANumber
from alis_nord.values import convert, display, parse_date


def column(table: str, name: str):
    return table_contracts()[table].column(name)


BELOP = column("kostnader", "belop")  # money
BILAGSDATO = column("kostnader", "bilagsdato")  # date
KATEGORI = column("kostnader", "kategori")  # code
BESKRIVELSE = column("kostnader", "beskrivelse")  # text
KOMMUNENUMMER = column("kostnader", "kommunenummer")
RAPPORTAAR = column("kostnader", "rapportaar")  # year
ALIS_ID = column("alis", "alis_id")
KURS_TIMER = column("alis", "kurs_timer")  # decimal
FASTLEGEHJEMLER = column("fastlegedekning", "fastlegehjemler")  # integer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-03-15", dt.date(2021, 3, 15)),
        ("2021-3-5", dt.date(2021, 3, 5)),
        ("15.03.2021", dt.date(2021, 3, 15)),
        (" 5.3.2021 ", dt.date(2021, 3, 5)),
        (dt.datetime(2021, 3, 15, 0, 0), dt.date(2021, 3, 15)),
        (dt.date(2021, 3, 15), dt.date(2021, 3, 15)),
    ],
)
def test_dates_in_every_form_the_format_allows(value, expected):
    assert parse_date(value) == expected
    assert convert(BILAGSDATO, value) == expected


@pytest.mark.parametrize(
    "value", ["03/15/2021", "15.03.21", "2021-02-30", "31.02.2021", "15-03-2021", "x2021-03-15"]
)
def test_dates_that_would_have_to_be_guessed_are_refused(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12 500,50", Decimal("12500.50")),
        ("12 500,5", Decimal("12500.50")),  # always two decimals
        ("12 500,50 kr", Decimal("12500.50")),  # the template's amount format, exported as shown
        ("12500 KR.", Decimal("12500.00")),
        (12500.5, Decimal("12500.50")),
        (7, Decimal("7.00")),
        ("-2 500,25", Decimal("-2500.25")),
    ],
)
def test_amounts(value, expected):
    amount = convert(BELOP, value)
    assert amount == expected and amount.as_tuple().exponent == -2


@pytest.mark.parametrize("value", ["12,505", "0,001", 0.125, True, dt.date(2021, 1, 1), "kr", "12 kr 50"])
def test_amounts_with_more_than_two_decimals_or_not_numbers_are_refused(value):
    with pytest.raises(ValueError):
        convert(BELOP, value)


def test_a_true_cell_is_not_one_krone_or_one_hour():
    for col in (BELOP, KURS_TIMER, FASTLEGEHJEMLER):
        with pytest.raises(NotANumber):
            convert(col, True)


def test_decimals_and_whole_numbers():
    assert convert(KURS_TIMER, "12,5") == Decimal("12.5")
    assert convert(KURS_TIMER, 0.1 + 0.2) == Decimal("0.3")
    assert convert(FASTLEGEHJEMLER, "52") == 52 and convert(FASTLEGEHJEMLER, 52.0) == 52
    assert convert(FASTLEGEHJEMLER, "1 234") == 1234
    with pytest.raises(NotANumber):
        convert(FASTLEGEHJEMLER, "52,5")


@pytest.mark.parametrize(
    ("value", "expected"), [("1804", "1804"), (" 0301 ", "0301"), (301, "0301"), (1804.0, "1804")]
)
def test_kommunenummer_keeps_its_leading_zero(value, expected):
    assert convert(KOMMUNENUMMER, value) == expected


@pytest.mark.parametrize("value", ["180", "18045", "18a4", 18045])
def test_kommunenummer_must_be_four_digits(value):
    with pytest.raises(ValueError):
        convert(KOMMUNENUMMER, value)


def test_years_from_1900_to_2999():
    assert convert(RAPPORTAAR, "2021") == 2021 and convert(RAPPORTAAR, 2021) == 2021
    assert convert(RAPPORTAAR, 1900) == 1900 and convert(RAPPORTAAR, 2999) == 2999
    for value in (1899, 3000, "21"):
        with pytest.raises(ValueError):
            convert(RAPPORTAAR, value)


def test_alis_ids_are_upper_case_a_and_three_to_six_digits():
    assert convert(ALIS_ID, " a1234 ") == "A1234"
    assert convert(ALIS_ID, "A123") == "A123" and convert(ALIS_ID, "A123456") == "A123456"
    for value in ("A12", "A1234567", "B1234", "1234"):
        with pytest.raises(ValueError):
            convert(ALIS_ID, value)


def test_codes_match_after_folding_and_others_are_looked_up_no_further():
    assert convert(KATEGORI, " Kurs ") == "kurs"
    with pytest.raises(LookupError):
        convert(KATEGORI, "kaffe")


def test_text_is_kept_as_the_clerk_wrote_it_trimmed():
    assert convert(BESKRIVELSE, "  =1+1 <b>kurs</b> ") == "=1+1 <b>kurs</b>"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (dt.datetime(2021, 3, 5), "05.03.2021"),
        (dt.datetime(2021, 3, 5, 14, 30), "05.03.2021"),  # the format's dates have no time of day
        (dt.date(2021, 3, 5), "05.03.2021"),
        (12.0, "12"),
        (12.5, "12.5"),
        ("tekst", "tekst"),
    ],
)
def test_display_shows_a_value_as_the_clerk_wrote_it(value, shown):
    assert display(value) == shown


@pytest.mark.parametrize(
    ("col", "value", "named"),
    [
        (BILAGSDATO, " 03/15/2021 ", "03/15/2021"),  # trimmed, as it was compared
        (KURS_TIMER, dt.date(2021, 1, 1), "2021-01-01"),
        (KURS_TIMER, True, "True"),
        (FASTLEGEHJEMLER, "52,5", "52,5"),
        (KOMMUNENUMMER, " 180 ", "180"),
        (RAPPORTAAR, 3000, 3000),
        (ALIS_ID, " b1234 ", "B1234"),
        (BELOP, "12,505", "12,505"),
        (KATEGORI, "kaffe", "kaffe"),
    ],
)
def test_a_refused_value_is_named_in_the_refusal(col, value, named):
    # the reference files' error messages chain these, so an operator sees the value itself
    with pytest.raises((ValueError, LookupError)) as refused:
        convert(col, value)
    assert refused.value.args == (named,)
