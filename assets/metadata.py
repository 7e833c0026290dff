"""How the assets show figures in the UI: one Markdown-table helper, and money two ways.

Amounts show as Norwegian text (``1 234 567,50 kr``) and, for the UI's plots across years, as
whole kroner rounded half-up (integer metadata). Exact øre stay in the warehouse.
"""

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from dagster import MetadataValue


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], empty: str = "–"
) -> MetadataValue:
    """A Markdown table for the UI; ``empty`` when there are no rows."""
    lines = ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    if not lines:
        return MetadataValue.md(empty)
    head = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return MetadataValue.md("\n".join(head + lines))


def markdown_list(items: Iterable[str], empty: str = "–") -> MetadataValue:
    text = "\n".join(f"- {item}" for item in items)
    return MetadataValue.md(text or empty)


def kr(amount: Decimal) -> str:
    """An amount in Norwegian format, to the øre: ``1 234 567,50 kr``."""
    from alis_nord.norsk import kr as norwegian_kr

    return norwegian_kr(amount)


def kr_text(amount: Decimal) -> MetadataValue:
    return MetadataValue.text(kr(amount))


def kroner(amount: Decimal) -> int:
    """Whole kroner, rounded half-up: for plotting in the UI only."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
