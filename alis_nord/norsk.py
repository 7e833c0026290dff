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
NOTHING = "–"  # a figure that does not exist (a year not yet reported, an average of no one)


def tall(value: int | Decimal, decimals: int = 0) -> str:
    """``1234567`` → ``1 234 567`` (no-break spaces); with decimals, a decimal comma."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if isinstance(value, Decimal) and decimals == 2:
        value = round_ore(value)
    return format_decimal(value, format=pattern, locale=LOCALE).replace("-", "\u2212")


def kr(amount: Decimal | None, decimals: int = 2) -> str:
    """``Decimal("1234567.5")`` → ``1 234 567,50 kr``; rounded half-up to øre first."""
    if amount is None:
        return NOTHING
    rounded = round_ore(amount)
    if decimals == 0:
        rounded = rounded.quantize(Decimal(1), rounding="ROUND_HALF_UP")
    return f"{tall(rounded, decimals)}{NBSP}kr"


def prosent(value: Decimal | None, decimals: int = 1) -> str:
    """``Decimal("12.345")`` → ``12,3 %`` (half-up, no-break space before the sign)."""
    if value is None:
        return NOTHING
    quantum = Decimal(1).scaleb(-decimals)
    return f"{tall(value.quantize(quantum, rounding='ROUND_HALF_UP'), decimals)}{NBSP}%"


def dato(value: dt.date) -> str:
    """``2021-03-30`` → ``30. mars 2021``."""
    return format_date(value, "d. MMMM y", locale=LOCALE)


def tidspunkt(moment: dt.datetime) -> str:
    """A moment as a Norwegian reader reads it, in Norwegian time: ``3. mars 2024 kl. 10:15``
    (a stored time without its zone is UTC)."""
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(ZoneInfo("Europe/Oslo"))
    return f"{dato(local.date())} kl. {local:%H:%M}"


def enheter(count: int, entall: str, flertall: str) -> str:
    """A count with its noun in the right number: ``1 rad``, ``2 rader``, ``12 345 rader``; the
    one place messages take number agreement from."""
    return f"{tall(count)} {entall if count == 1 else flertall}"


def without_row(message: str) -> str:
    """A finding's message without its leading «Rad 8: », where the row is said beside it."""
    import re

    return re.sub(r"^Rad \d+: ", "", message)


def organisasjonsnummer(number: str) -> str:
    """``"972418013"`` → ``972 418 013`` (no-break spaces), as Brønnøysundregistrene write it."""
    return NBSP.join(number[i : i + 3] for i in range(0, len(number), 3))


def antall(count) -> str:
    """A count of persons as published: ``12``, ``:`` where it is suppressed (fewer than 3 persons,
    see ``alis_nord.disclosure``), ``–`` where there is none to show."""
    from alis_nord.disclosure import SUPPRESSED, SUPPRESSED_MARK

    if count is SUPPRESSED:
        return SUPPRESSED_MARK
    if count is None:
        return NOTHING
    return tall(count)


def desimal(value, decimals: int = 1) -> str:
    """``Decimal("42.25")`` → ``42,3`` (half-up); ``:`` where suppressed, ``–`` for none."""
    from alis_nord.disclosure import SUPPRESSED, SUPPRESSED_MARK

    if value is SUPPRESSED:
        return SUPPRESSED_MARK
    if value is None:
        return NOTHING
    quantum = Decimal(1).scaleb(-decimals)
    return tall(Decimal(value).quantize(quantum, rounding="ROUND_HALF_UP"), decimals)


def indikator(value, enhet: str) -> str:
    """An indicator's value or target in its unit: ``92,5 %`` or ``25``; ``:`` where the value is
    suppressed, ``–`` where there is none."""
    from alis_nord.disclosure import SUPPRESSED, SUPPRESSED_MARK

    if value is SUPPRESSED:
        return SUPPRESSED_MARK
    if value is None:
        return NOTHING
    if enhet == "prosent":
        return prosent(Decimal(value))
    return tall(Decimal(value).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
