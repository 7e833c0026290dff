"""alis_nord/stored.py on small fixed inputs: what a computation reads, and a stored figure to
and from its row by the column names (the conversions every budget figure goes through)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from alis_nord.stored import FINANCIAL, STATUS_REPORT, Reads, StoredRows, figure_from_row, figure_row


@dataclass(frozen=True)
class Figure:
    year: int
    kilde: str
    belop: Decimal
    years_missing: tuple[int, ...]
    final_year: bool

    @property
    def half(self) -> Decimal:
        return self.belop / 2


COLUMNS = ["report_year", "kilde", "belop_ore", "years_missing", "final_year", "half_ore"]


def test_a_figure_becomes_its_row_by_the_column_names():
    figure = Figure(2021, "statsforvalter", Decimal("1234.56"), (2019, 2020), True)
    # 1 234.56 kr = 123 456 øre; half of it 617.28 kr = 61 728 øre (a property is stored too);
    # the report year is the warehouse's to set
    assert figure_row(figure, COLUMNS) == {
        "kilde": "statsforvalter",
        "belop_ore": 123456,
        "years_missing": "2019,2020",
        "final_year": True,
        "half_ore": 61728,
    }
    assert figure_row(Figure(2021, "x", Decimal("0.00"), (), False), ["years_missing"]) == {
        "years_missing": ""
    }


def test_a_row_becomes_its_figure_and_fields_stored_elsewhere_are_given():
    row = {
        "report_year": 2021,
        "kilde": "statsforvalter",
        "belop_ore": -5,
        "years_missing": "2019",
        "final_year": False,
    }
    # −5 øre = −0.05 kr, exactly; the report year is the figure's year
    assert figure_from_row(Figure, row) == Figure(2021, "statsforvalter", Decimal("-0.05"), (2019,), False)
    assert str(figure_from_row(Figure, row).belop) == "-0.05"
    assert figure_from_row(Figure, {**row, "years_missing": ""}).years_missing == ()
    given = figure_from_row(
        Figure, {"report_year": 2020, "belop_ore": 1}, kilde="x", years_missing=(), final_year=True
    )
    assert given == Figure(2020, "x", Decimal("0.01"), (), True)
    with pytest.raises(KeyError):
        figure_from_row(
            Figure, {"report_year": 2020, "belop": 1, "kilde": "x", "years_missing": "", "final_year": True}
        )


def test_reads_add_up_in_order_without_repeating_a_table():
    first = Reads(("alis", "findings"), ("grant_use",))
    second = Reads(("findings", "kostnader"), ("grant_use", "costs_by_source"))
    assert first + second == Reads(("alis", "findings", "kostnader"), ("grant_use", "costs_by_source"))
    assert (first + second).tables == {"alis", "findings", "kostnader", "grant_use", "costs_by_source"}
    # the status report reads what the financial report reads, and more
    assert FINANCIAL.tables <= STATUS_REPORT.tables and "report_summary" in STATUS_REPORT.this_year


def test_stored_rows_give_the_years_slice_and_every_year_up_to_the_report_year():
    rows = StoredRows(
        2020,
        {"alis": [{"report_year": 2020, "alis_id": "A1"}]},
        {"grant_use": [{"report_year": y} for y in (2019, 2020, 2021)]},
    )
    assert rows["alis"] == [{"report_year": 2020, "alis_id": "A1"}]
    assert rows.up_to_year("grant_use") == [{"report_year": 2019}, {"report_year": 2020}]  # not 2021
    assert StoredRows(2020, {}).every_year == {}
