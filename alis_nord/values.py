"""Cell values as the submission format types them: dates, numbers, codes, ids.

One parser for every input, a municipality's table or the project office's reference files:
``parse_date`` for dates, ``convert`` for a cell of a contract column, ``display`` for a value
as the clerk wrote it. Imports nothing heavy.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alis_nord.money import NotANumber, decimal_from_spreadsheet_number, parse_decimal
from alis_nord.readers import fold

if TYPE_CHECKING:
    from alis_nord.contract import Column

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
ALIS_ID = re.compile(r"^A\d{3,6}$")
_KRONER_SUFFIX = re.compile(r"\s*kr\.?\s*$", re.IGNORECASE)  # "12 500,50 kr", as the template shows it


def parse_date(value: Any) -> dt.date:
    """ISO ``2020-03-15``, Norwegian ``15.03.2020``, or a real Excel date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _NORWEGIAN_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return dt.date(year, month, day)


def _number(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return decimal_from_spreadsheet_number(value)
    if isinstance(value, dt.date | bool):
        raise NotANumber(str(value))
    return parse_decimal(str(value))


def _whole(value: Any) -> int:
    number = _number(value)
    if number != number.to_integral_value():
        raise NotANumber(str(value))
    return int(number)


def display(value: Any) -> str:
    """A cell value as the clerk wrote it, for messages and ``findings.csv``."""
    if value is None:
        return ""
    if isinstance(value, dt.date):  # a datetime too: the format's dates have no time of day
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def convert(column: Column, value: Any) -> Any:
    """A raw cell as the column's type; raises ``ValueError`` when it is not one."""
    kind = column.type
    if kind == "kommunenummer":
        text = str(_whole(value)).zfill(4) if not isinstance(value, str) else value.strip()
        if not re.fullmatch(r"\d{4}", text):
            raise ValueError(text)
        return text
    if kind == "year":
        year = _whole(value)
        if not 1900 <= year <= 2999:
            raise ValueError(value)
        return year
    if kind == "alis_id":
        text = display(value).strip().upper()
        if not ALIS_ID.match(text):
            raise ValueError(text)
        return text
    if kind == "date":
        return parse_date(value)
    if kind == "decimal":
        return _number(value)
    if kind == "integer":
        return _whole(value)
    if kind == "money":
        # a CSV exported "as shown" from a workbook in the template's amount format keeps " kr"
        amount = _number(_KRONER_SUFFIX.sub("", value) if isinstance(value, str) else value)
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(value)
        return amount.quantize(Decimal("0.01"))
    if kind == "code":
        folded = fold(display(value))
        for code in column.codes:
            if fold(code) == folded:
                return code
        raise LookupError(value)
    return display(value).strip()  # text: kept as text, never evaluated
