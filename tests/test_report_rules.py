"""The rules of the grant report as pure functions, fast enough for mutation testing
(``make mutation``): the financial report (``alis_nord.financial_report``), targets and their
judgement (``alis_nord.targets``), stability cohorts (``alis_nord.stability``) and what a case
officer would send back (``alis_nord.grant_reporting.outstanding``).

The financial report's rows are those of tests/small_landing.py, worked out by hand in
tests/test_assets.py and tests/test_grant_report.py, for report year 2020:
  ALIS grant 2019 209 589.04, 2020 570 355.19; own share 2019 41 917.81, 2020 114 071.04.
  Vouchers 2019: kurs 10 000.00 (Helsedirektoratet). 2020: kurs 15 000.25 and samlinger
  100 000.00 (Helsedirektoratet), veiledning 30 000.00 (Statsforvalter), prosjektledelse
  184 200.00 (own share): 329 200.25 in all.
  Budget (budsjett.csv): 2019 ALIS grant 250 000; 2020 ALIS grant 600 000, kurs 20 000.
  Payments to the end of 2020: Helsedirektoratet 1 000 000.00, Statsforvalter 500 000.00.
A row of 2018 (before the grant) and one of 2021 (after the report year) must not count.
"""

import dataclasses
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from alis_nord.budget import PlanLine
from alis_nord.financial_report import (
    MISSING_EXPLANATION,
    AccountLine,
    IncomeAndExpenses,
    account_lines,
    confirmation,
    financial_report,
    income_and_expenses,
)
from alis_nord.grant_reporting import granted_up_to, outstanding
from alis_nord.money import to_ore
from alis_nord.narrative import DeviationText, markdown_to_html, split_sections
from alis_nord.reference import Grant, Payment
from alis_nord.reference_parsing import parse_reference_data
from alis_nord.stability import cohorts
from alis_nord.stored import StoredRows
from alis_nord.targets import NOT_REACHED, PARTLY, REACHED, UNJUDGED, judge, share
from tests.small_landing import REFERENCE

D = Decimal
HDIR = Grant("helsedirektoratet", 2019, 2023, D("23400000"), dt.date(2020, 6, 25), "Kap. 762, post 63")
SF_2020 = Grant("statsforvalter", 2020, 2020, D("500000"), dt.date(2020, 2, 15), "Statsforvalteren 2020")


# ---------------------------------------------------------------- the financial report


def _small_reference(**replaced: str):
    files = {**REFERENCE, **replaced}
    return parse_reference_data({f"referanse/{name}": text.encode("utf-8") for name, text in files.items()})


def _use(year, alis, own):
    return {"report_year": year, "alis_grant_ore": to_ore(D(alis)), "egenandel_ore": to_ore(D(own))}


def _cost(year, source, category, amount):
    return {
        "report_year": year,
        "finansieringskilde": source,
        "kategori": category,
        "belop_ore": to_ore(D(amount)),
        "vouchers": 1,
    }


def _plan(category, plan, actual):
    return {
        "kategori": category,
        "plan_ore": to_ore(D(plan)),
        "actual_ore": to_ore(D(actual)),
        "over_plan": False,
    }


PAID = [
    {"kilde": "helsedirektoratet", "received_in_year_ore": 100000000, "received_cumulative_ore": 100000000},
    {"kilde": "statsforvalter", "received_in_year_ore": 50000000, "received_cumulative_ore": 50000000},
]
UNUSED = [
    {
        "kilde": "statsforvalter",
        "received_ore": 50000000,
        "used_ore": 3000000,
        "unused_ore": 47000000,
        "final_year": False,
    },
    {
        "kilde": "helsedirektoratet",
        "received_ore": 100000000,
        "used_ore": 90494448,
        "unused_ore": 9505552,
        "final_year": False,
    },
]


def _rows(year=2020, payments=PAID, plan=None, extra_costs=(), unused=UNUSED):
    every_year = {
        "grant_use": [
            _use(2018, "5.00", "1.00"),
            _use(2019, "209589.04", "41917.81"),
            _use(2020, "570355.19", "114071.04"),
            _use(2021, "7.00", "3.00"),
        ],
        "costs_by_source": [
            _cost(2018, "helsedirektoratet", "kurs", "5.00"),
            _cost(2019, "helsedirektoratet", "kurs", "10000.00"),
            _cost(2020, "helsedirektoratet", "kurs", "15000.25"),
            _cost(2020, "helsedirektoratet", "samlinger", "100000.00"),
            _cost(2020, "statsforvalter", "veiledning", "30000.00"),
            _cost(2020, "egenandel", "prosjektledelse", "184200.00"),
            _cost(2021, "helsedirektoratet", "kurs", "9.00"),
            *extra_costs,
        ],
    }
    this_year = {
        "budget_plan_vs_actual": [
            _plan("alis_tilskudd", "600000", "570355.19"),
            _plan("kurs", "20000", "15000.25"),
            _plan("samlinger", "0", "100000.00"),
        ]
        if plan is None
        else plan,
        "grant_payments": payments,
        "unused_funds": unused,
    }
    return StoredRows(year, this_year, every_year)


def test_account_lines_for_the_year_and_the_period_so_far():
    lines = {a.kategori: a for a in account_lines(_small_reference(), _rows())}
    assert list(lines) == ["alis_tilskudd", "kurs", "samlinger"]  # the ALIS grant first
    assert lines["alis_tilskudd"].year == PlanLine("alis_tilskudd", D("600000"), D("570355.19"))
    # 250 000 + 600 000 budgeted; 209 589.04 + 570 355.19 = 779 944.23 (2018 and 2021 do not count)
    assert lines["alis_tilskudd"].period == PlanLine("alis_tilskudd", D("850000"), D("779944.23"))
    # kurs: budget 0 + 20 000; 10 000.00 + 15 000.25 = 25 000.25
    assert lines["kurs"].period == PlanLine("kurs", D("20000"), D("25000.25"))
    assert lines["samlinger"].period == PlanLine("samlinger", D("0"), D("100000.00"))
    assert lines["samlinger"].label == "Samlinger"
    # kurs is 25 % under in the year; samlinger has no budget; the ALIS grant is 4.9 % under
    assert [k for k, a in lines.items() if a.needs_explanation] == ["kurs", "samlinger"]


def test_a_category_of_an_earlier_year_only_is_in_the_period_in_the_contracts_order():
    # veiledning charged to Helsedirektoratet in 2019 only: no line this year, 500.00 in the period
    rows = _rows(extra_costs=[_cost(2019, "helsedirektoratet", "veiledning", "500.00")])
    lines = account_lines(_small_reference(), rows)
    # the contract's order (veiledning before kurs), not the alphabet's
    assert [a.kategori for a in lines] == ["alis_tilskudd", "veiledning", "kurs", "samlinger"]
    assert lines[1].year == PlanLine("veiledning", D(0), D(0))
    assert isinstance(lines[1].year.plan, Decimal) and isinstance(lines[1].year.actual, Decimal)
    assert lines[1].period == PlanLine("veiledning", D(0), D("500.00"))


def test_a_year_of_the_period_with_nothing_stored_counts_as_nothing():
    # report year 2022: 2021 has 7.00 of ALIS grant and a voucher of 9.00; 2022 has neither
    rows = _rows(year=2022, plan=[])
    lines = {a.kategori: a for a in account_lines(_small_reference(), rows)}
    # 209 589.04 + 570 355.19 + 7.00; budgets 250 000 + 600 000 (none for 2021 and 2022)
    assert lines["alis_tilskudd"].period == PlanLine("alis_tilskudd", D("850000"), D("779951.23"))
    assert lines["kurs"].period == PlanLine("kurs", D("20000"), D("25009.25"))  # 10 000 + 15 000.25 + 9
    assert lines["kurs"].year == PlanLine("kurs", D(0), D(0))  # no budget line for 2022
    year, period = income_and_expenses(rows, 2019)
    assert (year.own_share, year.alis_grant, year.costs) == (D(0), D(0), D(0))
    assert all(isinstance(x, Decimal) for x in (year.own_share, year.alis_grant, year.costs))
    # own share 41 917.81 + 114 071.04 + 3.00; vouchers 10 000.00 + 329 200.25 + 9.00 (not 2018's)
    assert (period.own_share, period.alis_grant, period.costs) == (
        D("155991.85"),
        D("779951.23"),
        D("339209.25"),
    )


def test_a_year_before_the_grant_has_no_lines_and_zero_totals():
    report = financial_report(_small_reference(), _rows(year=2018, plan=[]), None)
    assert report["lines"] == [] and report["period"] == (2019, 2018)
    assert report["total_year"] == PlanLine("sum", D(0), D(0))
    assert all(isinstance(x, Decimal) for x in (report["total_year"].plan, report["total_period"].actual))


def test_a_line_needs_an_explanation_when_either_span_is_off():
    within = PlanLine("kurs", D(100), D(110))
    off = PlanLine("kurs", D(100), D("110.01"))
    assert not AccountLine("kurs", within, within).needs_explanation
    assert AccountLine("kurs", off, within).needs_explanation
    assert AccountLine("kurs", within, off).needs_explanation


def test_income_and_expenses_of_the_year_and_the_period():
    year, period = income_and_expenses(_rows(), 2019)
    assert year == IncomeAndExpenses(
        {"helsedirektoratet": D("1000000.00"), "statsforvalter": D("500000.00")},
        D("114071.04"),
        D("570355.19"),
        D("329200.25"),  # 15 000.25 + 100 000.00 + 30 000.00 + 184 200.00
    )
    # income 1 500 000 + 114 071.04; expenses 570 355.19 + 329 200.25
    assert (year.income, year.expenses, year.balance) == (D("1614071.04"), D("899555.44"), D("714515.60"))
    assert period.received == {"helsedirektoratet": D("1000000.00"), "statsforvalter": D("500000.00")}
    # own share 41 917.81 + 114 071.04; ALIS grant 779 944.23; vouchers 10 000.00 + 329 200.25
    assert (period.own_share, period.alis_grant, period.costs) == (
        D("155988.85"),
        D("779944.23"),
        D("339200.25"),
    )
    assert (period.income, period.expenses, period.balance) == (
        D("1655988.85"),
        D("1119144.48"),
        D("536844.37"),
    )


def test_without_payments_there_is_no_income_to_set_against_the_expenses():
    year, period = income_and_expenses(_rows(payments=[]), 2019)
    assert year.received is None and period.received is None
    assert (year.income, year.balance) == (None, None)
    assert year.expenses == D("899555.44")  # the expenses are known all the same


def test_the_confirmation_comes_from_the_profile():
    assert confirmation(_small_reference(), 2020) == {
        "registered": True,
        "place": "Bodø",
        "date": dt.date(2021, 3, 31),  # 31 March after the report year
        "name": "Kari Nordmann",
        "title": "Prosjektleder",
        "owner": "Bodø kommune",
        "organisation_number": "972418013",
    }
    without = _small_reference()
    without = dataclasses.replace(without, profile=None)
    assert confirmation(without, 2020) == {
        "registered": False,
        "place": None,
        "date": dt.date(2021, 3, 31),
        "name": None,
        "title": None,
        "owner": None,
        "organisation_number": None,
    }


def test_the_financial_report_of_a_status_year():
    report = financial_report(_small_reference(), _rows(), None)
    assert report["final"] is False and report["period"] == (2019, 2020)
    # 600 000 + 20 000 + 0 budgeted; 570 355.19 + 15 000.25 + 100 000.00 spent
    assert report["total_year"] == PlanLine("sum", D("620000"), D("685355.44"))
    # 850 000 + 20 000 + 0; 779 944.23 + 25 000.25 + 100 000.00
    assert report["total_period"] == PlanLine("sum", D("870000"), D("904944.48"))
    assert report["explanation_missing"] is True and report["missing_mark"] == MISSING_EXPLANATION
    assert report["payments_registered"] is True
    assert [u["source"] for u in report["unused"]] == [
        "Helsedirektoratet",
        "Statsforvalteren",
    ]  # contract order
    assert report["unused_helsedirektoratet"] == D("95055.52")  # 1 000 000.00 − 904 944.48
    assert report["auditor"] is None  # revisor: '' in the small landing's profile
    assert [label for _, label in report["sources"]] == ["Helsedirektoratet", "Statsforvalteren"]
    explained = financial_report(_small_reference(), _rows(), "avvik.md")
    assert explained["explanation_missing"] is False and explained["explanation"] == "avvik.md"
    assert financial_report(_small_reference(), _rows(payments=[]), None)["payments_registered"] is False
    assert report["in_year"] == income_and_expenses(_rows(), 2019)[0]
    assert report["period_accounts"] == income_and_expenses(_rows(), 2019)[1]
    assert [u["fund"].kilde for u in report["unused"]] == ["helsedirektoratet", "statsforvalter"]
    assert report["confirmation"] == confirmation(_small_reference(), 2020)
    assert financial_report(_small_reference(), _rows(unused=[]), None)["unused_helsedirektoratet"] is None


def test_the_financial_report_of_the_last_year_and_after_it():
    ends_2020 = REFERENCE["tilskudd.csv"].replace(
        "helsedirektoratet;2019;2023", "helsedirektoratet;2019;2020"
    )
    profile = REFERENCE["prosjekt.yaml"].replace("revisor: ''", "revisor: Salten kommunerevisjon IKS")
    reference = _small_reference(**{"tilskudd.csv": ends_2020, "prosjekt.yaml": profile})
    last = financial_report(reference, _rows(), None)
    assert last["final"] is True and last["period"] == (2019, 2020)
    assert last["auditor"] == "Salten kommunerevisjon IKS"
    after = financial_report(reference, _rows(year=2021), None)
    # a year after the grant period: the period stops at its last year, and 2021's own vouchers
    # (kurs 9.00) do not count in it
    assert after["final"] is False and after["period"] == (2019, 2020)
    kurs = next(a for a in after["lines"] if a.kategori == "kurs")
    assert kurs.period.actual == D("25000.25")
    # a category of 2021 only (reise, 9.00 against no budget) has a year line and an empty period
    plan_2021 = [_plan("kurs", "0", "9.00"), _plan("reise", "0", "9.00")]
    reise = next(
        a
        for a in financial_report(reference, _rows(year=2021, plan=plan_2021), None)["lines"]
        if a.kategori == "reise"
    )
    assert reise.year == PlanLine("reise", D(0), D("9.00")) and reise.period == PlanLine("reise", D(0), D(0))


# ---------------------------------------------------------------- targets and their judgement


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        (Decimal(25), Decimal(25), "minst", REACHED),  # exactly the target
        (Decimal(24), Decimal(25), "minst", PARTLY),  # 10 % of 25 is 2.5: down to 22.5 is partly
        (Decimal("22.5"), Decimal(25), "minst", PARTLY),
        (Decimal("22.4"), Decimal(25), "minst", NOT_REACHED),
        (Decimal(10), Decimal(10), "høyst", REACHED),
        (Decimal(11), Decimal(10), "høyst", PARTLY),  # up to 10 + 1
        (Decimal("11.01"), Decimal(10), "høyst", NOT_REACHED),
        (Decimal(3), Decimal(10), "høyst", REACHED),
        (None, Decimal(90), "minst", UNJUDGED),  # suppressed or not computed
    ],
)
def test_every_judgement_rule(value, target, direction, expected):
    assert judge(value, target, direction) == expected


def test_a_share_in_percent_unrounded_and_none_without_a_whole():
    assert share(1, 3) == D(100) / 3
    assert share(2, 8) == D(25)
    assert share(0, 5) == D(0)
    assert share(3, 0) is None


# ---------------------------------------------------------------- stability cohorts


def _alis(kommune, alis_id, start, status):
    return {"kommunenummer": kommune, "alis_id": alis_id, "startdato": start, "status": status}


def test_cohort_retention_follows_the_id_through_moves_returns_and_departures():
    start = dt.date(2019, 3, 1)
    by_year = {
        2019: [
            _alis("1804", "A1", start, "aktiv"),
            _alis("1804", "A2", start, "sluttet"),  # left in the first year ...
            _alis("1804", "A3", start, "aktiv"),
            _alis("1865", "A4", start, "aktiv"),
        ],
        2020: [
            _alis("1804", "A1", start, "aktiv"),
            _alis("1804", "A3", start, "sluttet"),  # left for good at the end of 2020
            _alis("1865", "A4", start, "spesialist"),  # finished: counts as staying from then on
            _alis("1865", "A5", dt.date(2020, 8, 1), "aktiv"),
        ],
        2021: [
            _alis("1865", "A1", dt.date(2021, 1, 1), "aktiv"),  # moved to another participant
            _alis("1804", "A2", dt.date(2021, 2, 1), "aktiv"),  # ... and came back
            _alis("1865", "A5", dt.date(2020, 8, 1), "permisjon"),
        ],
    }
    c2019, c2020, c2021 = cohorts(by_year, 2019, 2021)
    assert [c.start_year for c in (c2019, c2020, c2021)] == [2019, 2020, 2021]
    assert c2019.members == ("A1", "A2", "A3", "A4") and c2019.started == 4
    # after 1 year (end of 2020): A1 and A4 (finished); A2 was away, A3 had left
    # after 2 years (2021): A1 (moved), A2 (back), A4 (finished); 2022 is not reported yet
    assert dict(c2019.retained) == {1: 2, 2: 3, 3: None}
    assert c2020.members == ("A5",) and dict(c2020.retained) == {1: 1, 2: None, 3: None}
    assert c2021.started == 0  # nobody's first row is from a start in 2021


def test_a_doctor_who_only_ever_left_or_finished_before_a_gap_counts_as_such():
    start = dt.date(2019, 1, 1)
    by_year = {
        2019: [_alis("1804", "B1", start, "sluttet"), _alis("1804", "B2", start, "aktiv")],
        2020: [_alis("1804", "B2", start, "spesialist")],  # finished in 2020 ...
        2021: [],  # ... not in 2021's table (a specialist leaves it)
        2022: [_alis("1804", "B2", start, "spesialist")],  # ... and reported as specialist again
    }
    (c2019,) = cohorts(by_year, 2019, 2019)
    # B1 left in its first year and never held a position again; B2 counts from its first
    # finishing year, 2020, so 2021 counts as in a position though the table lacks it
    assert c2019.members == ("B1", "B2") and dict(c2019.retained) == {1: 1, 2: 1, 3: 1}


# ---------------------------------------------------------------- what a case officer sends back


def _objective(number: int, judgements: list[str], text=None):
    return SimpleNamespace(
        number=number, title=f"Mål {number}", targets=[{"judgement": j} for j in judgements], text=text
    )


def _context(
    *,
    objectives=(),
    lines=(),
    explanation=None,
    received=None,
    signatory="Kari Nordmann",
    case_number="20/1",
    years_missing=(),
    gaps=(),
    final=False,
    progress=None,
):
    period = IncomeAndExpenses(received, D(0), D(0), D(0))
    return {
        "year": 2020,
        "cover": {"final": final},
        "progress": progress,
        "completeness": {"open": list(gaps), "excluded": [], "complete": not gaps},
        "objectives": list(objectives),
        "accounts": {
            "lines": list(lines),
            "explanation": explanation,
            "period_accounts": period,
            "confirmation": {"name": signatory},
        },
        "project": {"case_number": case_number},
        "key_figures": {"years_missing": list(years_missing)},
    }


def _deviation_text(markdown: str) -> DeviationText:
    """``2020/tekst/avvik.md`` with ``markdown`` in it, as the report reads it."""
    return DeviationText("2020/tekst/avvik.md", markdown_to_html(markdown), *split_sections(markdown))


def _reference(payments=(), grants=(HDIR, SF_2020)):
    return SimpleNamespace(grants=tuple(grants), payments=tuple(payments))


def _paid(hdir: str, sf: str) -> dict:
    return {"helsedirektoratet": D(hdir), "statsforvalter": D(sf)}


READY_CONTEXT = {"received": _paid("1000000", "500000")}


def _kinds(items) -> list[str]:
    return [i.kind for i in items]


def test_a_report_with_everything_in_place_has_nothing_outstanding():
    assert outstanding(_reference(), _context(**READY_CONTEXT)) == []


def test_an_objective_partly_or_not_reached_needs_the_office_text():
    objectives = [
        _objective(1, [REACHED]),
        _objective(2, [PARTLY]),
        _objective(3, [NOT_REACHED, REACHED, PARTLY]),
        _objective(4, [PARTLY], text="Forklart."),
        _objective(5, []),
    ]
    items = outstanding(_reference(), _context(objectives=objectives, **READY_CONTEXT))
    assert _kinds(items) == ["objective_text", "objective_text"]
    assert "Mål 2 (Mål 2) er vurdert som «delvis nådd»" in items[0].full
    assert items[0].full.endswith("Skriv den i 2020/tekst/maal_2.md.")
    assert "Mål 3 (Mål 3) er vurdert som «delvis nådd» og «ikke nådd» uten" in items[1].full


def test_a_budget_line_off_by_more_than_ten_percent_needs_an_explanation():
    within = AccountLine(
        "alis_tilskudd", PlanLine("alis_tilskudd", D(100), D(110)), PlanLine("x", D(100), D(110))
    )
    off_in_period = AccountLine(
        "kurs", PlanLine("kurs", D(100), D(100)), PlanLine("kurs", D(100), D("110.01"))
    )
    unplanned = AccountLine("samlinger", PlanLine("samlinger", D(0), D(1)), PlanLine("samlinger", D(0), D(1)))
    lines = [within, off_in_period, unplanned]
    items = outstanding(_reference(), _context(lines=lines, **READY_CONTEXT))
    assert [i.full.split("»")[0] for i in items] == ["Budsjettlinjen «Kurs", "Budsjettlinjen «Samlinger"]
    assert all(i.kind == "budget_explanation" and "2020/tekst/avvik.md" in i.full for i in items)
    assert items[0].full.endswith("under overskriften «## Kurs».")
    # a text without headings is a general note: it explains neither line
    general = _deviation_text("Året gikk som planlagt.\n")
    assert _kinds(outstanding(_reference(), _context(lines=lines, explanation=general, **READY_CONTEXT))) == [
        "budget_explanation",
        "budget_explanation",
    ]
    # a heading per line explains that line only: «## KURS» names «Kurs» in any case
    only_kurs = _deviation_text("## KURS\n\nFærre kurs.\n")
    (item,) = outstanding(_reference(), _context(lines=lines, explanation=only_kurs, **READY_CONTEXT))
    assert item.full.startswith("Budsjettlinjen «Samlinger»")
    # the category code names the line too
    both = _deviation_text("## kurs\nFærre kurs.\n## Samlinger\nFlyttet.\n")
    assert outstanding(_reference(), _context(lines=lines, explanation=both, **READY_CONTEXT)) == []


def test_no_signatory_no_case_number_and_missing_years_are_outstanding():
    items = outstanding(
        _reference(), _context(signatory=None, case_number=None, years_missing=[2019, 2021], **READY_CONTEXT)
    )
    assert _kinds(items) == ["signatory", "case_number", "years"]
    assert "Tallene for 2019, 2021 er ikke beregnet" in items[2].full


@pytest.mark.parametrize(
    ("hdir", "sf", "expected"),
    [
        ("23400000", "500000", []),  # the whole grant, and the Statsforvalter's letter of 2020
        ("0", "500000", []),  # Helsedirektoratet pays «inntil»: less is not a mismatch
        ("23400000.01", "500000", ["Helsedirektoratet"]),  # a øre more than the letter
        ("1000000", "499999.99", ["Statsforvalteren"]),  # a øre less than the letter
        ("1000000", "500000.01", ["Statsforvalteren"]),
    ],
)
def test_payments_against_the_grant_letters(hdir, sf, expected):
    items = outstanding(_reference(), _context(received=_paid(hdir, sf)))
    assert [i.full.split(" til og med")[0].removeprefix("Utbetalt fra ") for i in items] == expected
    assert all(i.kind == "payments" for i in items)


def test_payments_not_registered_or_outside_the_grant_period_are_outstanding():
    (item,) = outstanding(_reference(), _context(received=None))
    assert item.kind == "payments" and "referanse/utbetalinger.csv" in item.full
    late = Payment("statsforvalter", dt.date(2024, 1, 15), D(1000), "For sent")
    (item,) = outstanding(_reference(payments=[late]), _context(**READY_CONTEXT))
    assert item.full.replace("\u00a0", " ") == (
        "Utbetalingen «For sent» (1 000,00 kr, 15. januar 2024) er datert i et år ingen tilsagn fra kilden dekker."
    )


def test_what_the_grant_letters_grant_up_to_a_year():
    later = Grant("statsforvalter", 2021, 2021, D("700000"), None, "2021")
    grants = (HDIR, SF_2020, later)
    assert granted_up_to(grants, "statsforvalter", 2019) == 0  # no letter has begun
    assert granted_up_to(grants, "statsforvalter", 2020) == D("500000")
    assert granted_up_to(grants, "statsforvalter", 2021) == D("1200000")  # 500 000 + 700 000
    assert granted_up_to(grants, "helsedirektoratet", 2019) == D("23400000")


def _flat(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_the_outstanding_list_puts_missing_figures_first_and_a_sluttrapport_needs_its_course():
    from alis_nord.grant_reporting import Gap

    gap = Gap(
        "5444", "Sør-Varanger", (SimpleNamespace(table_name="fastlegedekning", status="mangler", file=None),)
    )
    items = outstanding(
        _reference(), _context(gaps=[gap], final=True, objectives=[_objective(2, [PARTLY])], **READY_CONTEXT)
    )
    assert _kinds(items) == ["data", "objective_text", "course_text"]
    assert items[0].full.startswith(
        "Tallene fra Sør-Varanger (5444) for 2020 er ikke komplette: Fastlegedekning mangler."
    )
    assert items[0].full.endswith("i 2020/tekst/uten_5444.md.")
    assert items[2].full == (
        "Sluttrapporten mangler prosjektkontorets beskrivelse av prosjektets forløp gjennom hele "
        "tilskuddsperioden. Skriv den i 2020/tekst/prosjektforlop.md."
    )
    # with the office's text of the course, a Sluttrapport has nothing left on that account
    assert outstanding(_reference(), _context(final=True, progress="forløpet", **READY_CONTEXT)) == []


def test_the_profile_and_payment_items_word_for_word():
    items = outstanding(_reference(), _context(signatory=None, case_number=None, received=None))
    # what the report prints, and what the office is told to do about it (the sheet joins the two)
    assert [(i.kind, i.text, i.fix) for i in items] == [
        ("payments", "Utbetalingene er ikke registrert.", "Legg dem i referanse/utbetalinger.csv."),
        (
            "signatory",
            "Ingen signatar er registrert.",
            "Fyll inn signatar_navn og signatar_tittel i referanse/prosjekt.yaml.",
        ),
        (
            "case_number",
            "Helsedirektoratets saksnummer mangler.",
            "Fyll inn helsedirektoratet_saksnummer i referanse/prosjekt.yaml.",
        ),
    ]
    assert not any("referanse/" in i.text for i in items)  # the PDF names no file the directorate lacks
    hdir, sf = outstanding(_reference(), _context(received=_paid("23400000.01", "499999.99")))
    assert _flat(hdir.full) == (
        "Utbetalt fra Helsedirektoratet til og med 2020 (23 400 000,01 kr) er mer enn tilsagnsbrevet gir "
        "(23 400 000,00 kr). Kontroller referanse/utbetalinger.csv og tilskudd.csv."
    )
    assert _flat(sf.full) == (
        "Utbetalt fra Statsforvalteren til og med 2020 (499 999,99 kr) stemmer ikke med tilsagnsbrevene "
        "(500 000,00 kr). Kontroller referanse/utbetalinger.csv og tilskudd.csv."
    )
    late = Payment("statsforvalter", dt.date(2024, 1, 15), D(1000), "For sent")
    (item,) = outstanding(_reference(payments=[late]), _context(**READY_CONTEXT))
    assert item.kind == "payments"
    # no letter at all: an exact zero, a Decimal like every amount
    assert isinstance(granted_up_to((), "statsforvalter", 2020), Decimal)


def test_a_line_is_named_by_its_category_code_too():
    from alis_nord.grant_reporting import line_explanation

    text = _deviation_text("## vikar\n\nFærre vikarer.\n")
    assert line_explanation(text, "Vikar under utdanning", "vikar").text == "Færre vikarer."
    assert line_explanation(text, "Vikar under utdanning", "kurs") is None
