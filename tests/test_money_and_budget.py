"""Pure money and budget arithmetic, against figures worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from alis_nord.budget import days_employed, days_in_year, grant_use, pro_rata
from alis_nord.money import (
    NotANumber,
    decimal_from_spreadsheet_number,
    from_ore,
    money_text,
    parse_decimal,
    round_ore,
    to_ore,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12500.50", "12500.50"),
        ("12 500,50", "12500.50"),
        ("12\u00a0500,50", "12500.50"),  # no-break space, as Excel in a Norwegian locale writes
        ("12\u202f500,50", "12500.50"),  # narrow no-break space
        ("-2 500,25", "-2500.25"),
        ("\u22122500,25", "-2500.25"),  # a real minus sign
        (" 7 ", "7"),
    ],
)
def test_parse_decimal_accepts_the_forms_offices_write(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "12.500,50", "1,2,3", "abc", "12 500 kr", "1e5", "NaN"])
def test_parse_decimal_refuses_what_it_would_have_to_guess(text):
    with pytest.raises(NotANumber):
        parse_decimal(text)


def test_rounding_is_half_up_to_ore_not_bankers():
    # half-even would give 0.12 and 2.34; Norwegian accounting rounds half up
    assert round_ore(Decimal("0.125")) == Decimal("0.13")
    assert round_ore(Decimal("2.345")) == Decimal("2.35")
    assert round_ore(Decimal("-2.345")) == Decimal("-2.35")


def test_ore_round_trip_and_machine_text():
    assert to_ore(Decimal("12500.50")) == 1250050
    assert from_ore(1250050) == Decimal("12500.50")
    assert money_text(Decimal("1234567.5")) == "1234567.50"
    with pytest.raises(ValueError):
        to_ore(Decimal("0.005"))  # not a whole øre: refuse rather than round silently


def test_spreadsheet_floats_become_the_decimal_the_cell_showed():
    assert decimal_from_spreadsheet_number(12500.5) == Decimal("12500.5")
    assert decimal_from_spreadsheet_number(0.1 + 0.2) == Decimal("0.3")  # Excel's float noise removed
    assert decimal_from_spreadsheet_number(10000) == Decimal(10000)


@pytest.mark.parametrize("cell", [float("inf"), float("-inf"), float("nan")])
def test_an_overflowing_number_cell_is_not_a_number_rather_than_a_crash(cell):
    # openpyxl reads a cell 1E999 as infinity; it must end as an invalid_value finding
    with pytest.raises(NotANumber):
        decimal_from_spreadsheet_number(cell)


def test_days_employed_counts_both_ends_and_clips_to_the_year():
    assert days_in_year(2020) == 366 and days_in_year(2019) == 365
    # whole leap year
    assert days_employed(dt.date(2019, 3, 1), None, 2020) == 366
    # starts and leaves in the same leap year: Feb 10–29 (20) + Mar–Oct (245) + Nov 1–20 (20) = 285
    assert days_employed(dt.date(2020, 2, 10), dt.date(2020, 11, 20), 2020) == 285
    # starts 1 March 2019: 365 − 31 (Jan) − 28 (Feb) = 306
    assert days_employed(dt.date(2019, 3, 1), None, 2019) == 306
    # one single day
    assert days_employed(dt.date(2021, 12, 31), None, 2021) == 1
    # left before the year: no days
    assert days_employed(dt.date(2019, 1, 1), dt.date(2019, 12, 31), 2020) == 0


def test_pro_rata_rounds_each_alis_to_ore():
    # 250 000 × 285 / 366 = 194 672.1311… → 194 672.13
    assert pro_rata(Decimal(250000), 285, 2020) == Decimal("194672.13")
    # 50 000 × 285 / 366 = 38 934.4262… → 38 934.43
    assert pro_rata(Decimal(50000), 285, 2020) == Decimal("38934.43")
    # 250 000 × 306 / 365 = 209 589.0410… → 209 589.04
    assert pro_rata(Decimal(250000), 306, 2019) == Decimal("209589.04")


def test_grant_use_is_cumulative_over_the_grant_period_only():
    used = {2019: Decimal("219589.04"), 2020: Decimal("685355.44"), 2024: Decimal("1000.00")}
    total = Decimal("23400000.00")
    use = grant_use(2020, total, 2019, 2023, used)
    # 219 589.04 + 685 355.44 = 904 944.48; 23 400 000 − 904 944.48 = 22 495 055.52
    assert use.used_cumulative == Decimal("904944.48")
    assert use.remaining == Decimal("22495055.52")
    assert use.years_missing == ()
    # 2024 is after the grant period: nothing of 2024 counts, cumulative stops at 2023
    after = grant_use(2024, total, 2019, 2023, used)
    assert after.used_in_year == Decimal("0.00")
    assert after.years_missing == (2021, 2022, 2023)
    assert after.used_cumulative == Decimal("904944.48")


def test_overspending_gives_a_negative_remainder():
    use = grant_use(2019, Decimal("100.00"), 2019, 2023, {2019: Decimal("150.50")})
    assert use.remaining == Decimal("-50.50")


@pytest.mark.parametrize("text", ["12.500,50", "12,500.50", ",50", "12,", ".5", "5.", "+-5", "1 2,3,4"])
def test_a_refused_number_names_the_text_it_refused(text):
    with pytest.raises(NotANumber) as refused:
        parse_decimal(text)
    assert refused.value.args == (text,)  # what the validator's finding quotes


def test_spreadsheet_numbers_are_cut_to_ten_decimals_half_up():
    # 11 decimals: 0.12345678901 → 0.1234567890 (half-up at the 11th), shown as 0.123456789
    assert decimal_from_spreadsheet_number(0.12345678901) == Decimal("0.123456789")
    # exactly half at the 11th decimal rounds up: 5e-11 → 0.0000000001 (half-even would give 0)
    assert decimal_from_spreadsheet_number(5e-11) == Decimal("1E-10")
    # 10 decimals are kept as they are
    assert decimal_from_spreadsheet_number(0.1234567891) == Decimal("0.1234567891")
    # a large number is never cut (cutting 1E+20 to ten decimals would need 31 digits)
    assert decimal_from_spreadsheet_number(1e20) == Decimal("1E+20")


@pytest.mark.parametrize(("cell", "shown"), [(True, "True"), (float("inf"), "inf"), (float("nan"), "nan")])
def test_a_cell_that_is_not_an_amount_is_named_in_the_refusal(cell, shown):
    with pytest.raises(NotANumber) as refused:
        decimal_from_spreadsheet_number(cell)  # a TRUE cell is not 1 kr
    assert refused.value.args == (shown,)


def test_an_empty_sum_from_storage_is_zero_kroner():
    assert from_ore(None) == Decimal("0.00") and str(from_ore(None)) == "0.00"
    assert from_ore(0) == Decimal("0.00") and from_ore(1) == Decimal("0.01")
    assert str(from_ore(-250025)) == "-2500.25"


def test_half_an_ore_rounds_up_in_the_machine_text():
    # 0.005 kr is half an øre: half-up gives 0.01 (":.2f" alone would round half-even to 0.00)
    assert money_text(Decimal("0.005")) == "0.01"
    assert money_text(Decimal("2.345")) == "2.35" and money_text(Decimal("-2.345")) == "-2.35"
    assert money_text(Decimal("0")) == "0.00"


def test_an_amount_that_is_not_whole_ore_says_so():
    with pytest.raises(ValueError, match=r"^0\.005 NOK is not a whole number of øre$"):
        to_ore(Decimal("0.005"))
    assert to_ore(Decimal("-2500.25")) == -250025 and to_ore(Decimal("0")) == 0


def test_a_large_spreadsheet_number_with_a_small_exponent_is_kept_whole():
    # 1.2345678901234566e25 (a float that reads back as itself) has 17 digits and exponent 9: cutting it to ten decimals would need
    # 36 digits, more than Decimal's 28; it is kept as the cell showed it
    assert decimal_from_spreadsheet_number(1.2345678901234566e25) == Decimal("1.2345678901234566E+25")
