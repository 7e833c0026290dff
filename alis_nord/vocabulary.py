"""One vocabulary: the names, labels and orders that every output uses, said once.

Tables, severities and code labels come from the contract (``data_contracts/*.yaml``); what
the contract does not hold (the budget's own category for the ALIS grant, the report date) is
defined here. The report, the feedback pages, the workbooks and the UI metadata all take their
words from this module, so a label changes in one place.
"""

from __future__ import annotations

import datetime as dt

from alis_nord.contract import severities, table_contracts, table_names

TABLES = table_names()  # alis, kostnader, fastlegedekning
TABLE_TITLES = {name: table_contracts()[name].title for name in TABLES}

SEVERITY_RANK = {s.id: s.rank for s in severities().values()}  # fatal 0, error 1, warning 2
SEVERITY_LABELS = {s.id: s.navn for s in severities().values()}  # Avvist, Feil, Advarsel
SEVERITY_EFFECTS = {s.id: s.virkning for s in severities().values()}
FATAL, ERROR, WARNING = "fatal", "error", "warning"
if tuple(severities()) != (FATAL, ERROR, WARNING):
    raise ValueError(f"common.yaml's severities {tuple(severities())} are not the three validation knows")
# The severities that keep a row out of the figures: a fatal finding rejects its whole table, an
# error keeps its row out (quarantined); a warning keeps the row.
KEEPS_ROW_OUT = (FATAL, ERROR)

EMPLOYMENT_FORMS = table_contracts()["alis"].labels("tilsettingsform")
YEAR_END_STATUS = table_contracts()["alis"].labels("status")
HOSPITAL_SERVICE = table_contracts()["alis"].labels("sykehustjeneste")
COST_CATEGORIES = table_contracts()["kostnader"].labels("kategori")
FUNDING_SOURCE_LABELS = table_contracts()["kostnader"].labels("finansieringskilde")
FUNDING_SOURCES = tuple(FUNDING_SOURCE_LABELS)  # in the contract's order
HELSEDIREKTORATET, STATSFORVALTER, EGENANDEL = "helsedirektoratet", "statsforvalter", "egenandel"
if set(FUNDING_SOURCES) != {HELSEDIREKTORATET, STATSFORVALTER, EGENANDEL}:
    raise ValueError(
        f"kostnader.yaml's finansieringskilde codes {FUNDING_SOURCES} are not the three the money rules know"
    )

ALIS_GRANT_CATEGORY = "alis_tilskudd"  # budsjett.csv's category for the ALIS grant
BUDGET_CATEGORIES = {ALIS_GRANT_CATEGORY: "ALIS-tilskudd til kommunene", **COST_CATEGORIES}


def heading(label: str) -> str:
    """A label as a column heading: first letter upper case (``kommunenes egenandel`` →
    ``Kommunenes egenandel``), the rest as it is."""
    return label[:1].upper() + label[1:]


def category_label(kategori: str) -> str:
    """A budget or cost category as a reader sees it; an unknown one as it is."""
    return BUDGET_CATEGORIES.get(kategori, kategori)


def category_order(kategori: str) -> tuple[int, str]:
    """Sort key: the ALIS grant first, then the contract's order, then anything else by name."""
    order = list(BUDGET_CATEGORIES)
    return (order.index(kategori), "") if kategori in order else (len(order), kategori)


def report_date(year: int) -> dt.date:
    """The date on the report and the workbooks: 31 March after the report year, when the status
    report is due. Taken from the year, never from the clock, so a re-run gives the same files."""
    return dt.date(year + 1, 3, 31)
