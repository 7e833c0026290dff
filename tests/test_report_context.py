"""The report's context, as a template receives it."""

import datetime as dt
from decimal import Decimal

from alis_nord.reference import Grant
from alis_nord.report import report_date, report_number


def minimal_context(missing_name: str = "Sør-Varanger") -> dict:
    summary = {
        "year": 2020,
        "report_number": 2,
        "submissions": {"expected": 1, "received": 0, "missing": ["5444"]},
        "tables_rejected": 0,
        "rows": {"received": 0, "accepted": 0, "quarantined": 0},
        "alis": {"count": 0, "fastlonn": 0, "naeringsdrift": 0},
    }
    zero = Decimal("0.00")
    return {
        "year": 2020,
        "summary": summary,
        "report_number": 2,
        "report_date": dt.date(2021, 3, 31),
        "period_start": dt.date(2020, 1, 1),
        "period_end": dt.date(2020, 12, 31),
        "sender": "Bodø kommune",
        "recipient": "Helsedirektoratet",
        "grant": Grant(
            "helsedirektoratet", 2019, 2023, Decimal(23400000), dt.date(2020, 6, 25), "Kap. 762, post 63"
        ),
        "grant_total": Decimal(23400000),
        "used_cumulative": zero,
        "remaining": Decimal(23400000),
        "years_missing": [],
        "alis_grant": zero,
        "egenandel": zero,
        "costs": {"helsedirektoratet": zero, "statsforvalter": zero, "egenandel": zero},
        "budget_years": [],
        "missing": [{"kommunenummer": "5444", "navn": missing_name}],
        "files": [],
        "code_version": "test",
    }


def test_report_number_and_date_come_from_the_year():
    assert report_number(2019, 2019) == 1
    assert report_number(2020, 2019) == 2  # the second status report, sent in March 2021
    assert report_date(2020) == dt.date(2021, 3, 31)
