"""Norwegian (bokmål) formatting for everything a reader sees: the report's filters.

Babel supplies the nb locale's symbols (no-break space as thousands separator, decimal
comma, month names). Babel rounds half-even, so amounts are rounded half-up to øre here
first; the format then only prints them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from alis_nord.money import round_ore

LOCALE = "nb_NO"
NBSP = "\u00a0"


def tall(value: int | Decimal, decimals: int = 0) -> str:
    """``1234567`` → ``1 234 567`` (no-break spaces); with decimals, a decimal comma."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if isinstance(value, Decimal) and decimals == 2:
        value = round_ore(value)
    return format_decimal(value, format=pattern, locale=LOCALE).replace("-", "\u2212")


def kr(amount: Decimal, decimals: int = 2) -> str:
    """``Decimal("1234567.5")`` → ``1 234 567,50 kr``; rounded half-up to øre first."""
    rounded = round_ore(amount)
    if decimals == 0:
        rounded = rounded.quantize(Decimal(1), rounding="ROUND_HALF_UP")
    return f"{tall(rounded, decimals)}{NBSP}kr"


def prosent(value: Decimal, decimals: int = 1) -> str:
    quantum = Decimal(1).scaleb(-decimals)
    return f"{tall(value.quantize(quantum, rounding='ROUND_HALF_UP'), decimals)}{NBSP}%"


def dato(value: dt.date) -> str:
    """``2021-03-30`` → ``30. mars 2021``."""
    return format_date(value, "d. MMMM y", locale=LOCALE)
