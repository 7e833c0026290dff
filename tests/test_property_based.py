"""Property-based: whatever a municipality sends, validation ends in findings, never an
exception, and every row received is accepted or quarantined."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from alis_nord.landing import take_inventory
from alis_nord.reference_parsing import load_reference_data
from alis_nord.validation import validate_year
from tests.fuzzing import examples
from tests.submissions import ALIS, COVERAGE, VOUCHER, csv_bytes, workbook_bytes
from tests.submissions import landing_2021 as _landing

# Text that looks like what clerks type, and text that does not.
CELL_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1,5",
            "12 500,50",
            "1.2.3",
            "31.02.2021",
            "2021-13-01",
            "=1+1",
            "A12",
            "kurs",
            "pågår",
        ]
    ),
)
CELL_VALUE = st.one_of(
    CELL_TEXT,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.booleans(),
    st.none(),
)
# derandomized in CI, exploring under make fuzz (tests/fuzzing.py)
SETTINGS = settings(max_examples=examples(25))


def _rows(template: dict, values: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(st.fixed_dictionaries({column: values for column in template}), min_size=0, max_size=4)


def _check(root) -> None:
    result = validate_year(root, take_inventory(root, 2021), load_reference_data(root))
    assert result.rows_received == sum(len(t.accepted) for t in result.tables) + len(result.quarantined)
    assert all(f.severity in ("fatal", "error", "warning") and f.message for f in result.findings)


@SETTINGS
@given(alis=_rows(ALIS, CELL_TEXT), vouchers=_rows(VOUCHER, CELL_TEXT), coverage=_rows(COVERAGE, CELL_TEXT))
def test_any_csv_cells(tmp_path_factory, alis, vouchers, coverage):
    files = {
        "1804_alis.csv": csv_bytes(ALIS, *alis),
        "1804_kostnader.csv": csv_bytes(VOUCHER, *vouchers),
        "1804_fastlegedekning.csv": csv_bytes(COVERAGE, *coverage),
    }
    _check(_landing(tmp_path_factory.mktemp("csv"), files))


@SETTINGS
@given(alis=_rows(ALIS, CELL_VALUE), vouchers=_rows(VOUCHER, CELL_VALUE))
def test_any_workbook_cells(tmp_path_factory, alis, vouchers):
    def clean(value):  # openpyxl refuses control characters in strings; a clerk's Excel would too
        return "".join(ch for ch in value if ch >= " ") if isinstance(value, str) else value

    sheets = {
        "alis": [list(ALIS), *([clean(row[c]) for c in ALIS] for row in alis)],
        "kostnader": [list(VOUCHER), *([clean(row[c]) for c in VOUCHER] for row in vouchers)],
        "fastlegedekning": [list(COVERAGE), list(COVERAGE.values())],
    }
    _check(_landing(tmp_path_factory.mktemp("xlsx"), {"1804.xlsx": workbook_bytes(sheets)}))
