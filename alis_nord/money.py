"""Exact money: ``Decimal`` in Python, whole øre (integers) in the warehouse.

Rounding rule used everywhere: half-up to whole øre (0.01 NOK), the way Norwegian
accounting rounds. Binary floats never hold an amount.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")
ZERO = Decimal("0.00")  # no kroner, to the øre: the start of every sum of money
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+)(\.\d+)?$")
_TEN_DECIMALS = Decimal("0.0000000001")  # a spreadsheet number is cut to this, far below one øre


class NotANumber(ValueError):
    """A text that is not a number in any of the forms the submission format allows."""


def parse_decimal(text: str) -> Decimal:
    """Parse a number as Norwegian offices write it.

    Accepts ``12500.50``, ``12 500,50`` (space, no-break space or narrow no-break space as
    thousands separator, decimal comma) and a leading minus. A text with both a comma and a
    dot is rejected: it could mean either, and guessing would invent money.
    """
    cleaned = _SPACES.sub("", text.strip()).replace("\u2212", "-")  # U+2212 is a real minus
    cleaned = cleaned.replace(",", ".")  # a comma and a dot together become two dots: refused below
    if not _PLAIN_NUMBER.match(cleaned):
        raise NotANumber(text)
    return Decimal(cleaned)  # the pattern admits only what Decimal reads exactly


def decimal_from_spreadsheet_number(value: float | int) -> Decimal:
    """An Excel number cell as an exact decimal.

    openpyxl hands numbers over as binary floats; ``repr`` gives the shortest decimal that
    reads back as the same float, which is what the cell showed. Excel's own float noise
    (``0.30000000000000004``) is removed by cutting to 10 decimals, far below one øre.
    """
    if isinstance(value, bool):
        raise NotANumber(str(value))
    if isinstance(value, int):
        return Decimal(value)
    if not math.isfinite(value):  # a cell like 1E999 overflows to infinity: not an amount
        raise NotANumber(repr(value))
    result = Decimal(repr(value))
    if result.as_tuple().exponent < -10:  # type: ignore[operator]
        result = result.quantize(_TEN_DECIMALS, rounding=ROUND_HALF_UP).normalize()
    return result


def round_ore(amount: Decimal) -> Decimal:
    """Round half-up to whole øre."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def to_ore(amount: Decimal) -> int:
    """NOK as whole øre for storage. The amount must already be whole øre."""
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise ValueError(f"{amount} NOK is not a whole number of øre")
    return int(ore)


def from_ore(ore: int | None) -> Decimal:
    """Whole øre from storage as NOK with exactly two decimals."""
    return (Decimal(ore or 0) / 100).quantize(ORE)


def money_text(amount: Decimal) -> str:
    """The machine form of an amount, as in ``summary.json``: ``"1234567.50"``."""
    return f"{round_ore(amount):.2f}"
