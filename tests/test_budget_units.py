"""Every function of alis_nord/budget.py on small fixed inputs, each figure worked out by hand
in the comment beside it. These are the fast tests `make mutation` runs against the module."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from alis_nord import budget, schema
from alis_nord.budget import (
    CURRENT_RATE,
    PLAN,
    CostLine,
    GrantUse,
    PaymentsReceived,
    PlanLine,
    StatsforvalterBalance,
    UnusedFunds,
)
from alis_nord.reference import Grant, Payment, Rates
from alis_nord.stored import figure_row

D = Decimal
RATES_2020 = Rates(2020, D("250000"), D("50000"))


def _row_of(figure, table) -> dict:
    """A figure's warehouse row, derived from the table's columns as the warehouse derives it."""
    return figure_row(figure, table.columns.keys())


def test_entitlements_use_the_grant_rate_for_the_grant_and_the_own_share_rate_for_the_own_share():
    rows = [
        # 1865 first in the input, 1804 first in the result (sorted by kommunenummer, alis_id)
        {"kommunenummer": "1865", "alis_id": "A2001", "tilsettingsform": "næringsdrift",
         "startdato": dt.date(2020, 7, 1), "sluttdato": None},
        {"kommunenummer": "1804", "alis_id": "A1002", "tilsettingsform": "fastlønn",
         "startdato": dt.date(2020, 2, 10), "sluttdato": dt.date(2020, 11, 20)},
        {"kommunenummer": "1804", "alis_id": "A1001", "tilsettingsform": "fastlønn",
         "startdato": dt.date(2019, 3, 1), "sluttdato": None},
    ]  # fmt: skip
    result = budget.alis_entitlements(rows, RATES_2020, 2020)
    assert [(e.kommunenummer, e.alis_id, e.tilsettingsform) for e in result] == [
        ("1804", "A1001", "fastlønn"),
        ("1804", "A1002", "fastlønn"),
        ("1865", "A2001", "næringsdrift"),
    ]
    # whole leap year 366 days: 250 000.00 and 50 000.00
    # 10 Feb–20 Nov 2020: 285 days: 250 000 × 285/366 = 194 672.13; 50 000 × 285/366 = 38 934.43
    # 1 Jul–31 Dec 2020: 184 days: 125 683.06 and 25 136.61
    assert [(e.days_employed, e.days_in_year, e.tilskudd, e.egenandel) for e in result] == [
        (366, 366, D("250000.00"), D("50000.00")),
        (285, 366, D("194672.13"), D("38934.43")),
        (184, 366, D("125683.06"), D("25136.61")),
    ]
    stored = [_row_of(e, schema.alis_grant_entitlement) for e in result]
    assert stored[1] == {
        "kommunenummer": "1804",
        "alis_id": "A1002",
        "tilsettingsform": "fastlønn",
        "days_employed": 285,
        "days_in_year": 366,
        "tilskudd_ore": 19467213,
        "egenandel_ore": 3893443,
    }
    by_municipality = budget.entitlements_by_municipality(budget.entitlements_from_rows(stored))
    # 1804: 2 ALIS, 366 + 285 = 651 days, 250 000.00 + 194 672.13 = 444 672.13, 50 000 + 38 934.43 = 88 934.43
    assert by_municipality == [
        budget.MunicipalityEntitlement("1804", 2, 651, D("444672.13"), D("88934.43")),
        budget.MunicipalityEntitlement("1865", 1, 184, D("125683.06"), D("25136.61")),
    ]
    # 444 672.13 + 125 683.06 = 570 355.19; 88 934.43 + 25 136.61 = 114 071.04
    assert budget.entitlement_totals(budget.entitlements_from_rows(stored)) == (
        D("570355.19"),
        D("114071.04"),
    )


def test_empty_sums_are_zero_kroner_with_two_decimals():
    assert budget.entitlement_totals([]) == (D("0.00"), D("0.00"))
    assert str(budget.entitlement_totals([])[0]) == "0.00"
    assert budget.entitlements_by_municipality([]) == []
    assert budget.costs_per_source([]) == {
        "helsedirektoratet": D("0.00"),
        "statsforvalter": D("0.00"),
        "egenandel": D("0.00"),
    }
    assert str(budget.helsedirektoratet_costs([])) == "0.00"


def test_whole_year_means_every_day_of_it():
    assert budget.employed_whole_year(dt.date(2020, 1, 1), None, 2020)
    assert budget.employed_whole_year(dt.date(2019, 6, 1), dt.date(2020, 12, 31), 2020)
    assert not budget.employed_whole_year(dt.date(2020, 1, 2), None, 2020)  # 365 of 366 days
    assert not budget.employed_whole_year(dt.date(2020, 1, 1), dt.date(2020, 12, 30), 2020)


VOUCHERS = [
    {"finansieringskilde": "helsedirektoratet", "kategori": "kurs", "belop": D("12500.50")},
    {"finansieringskilde": "statsforvalter", "kategori": "veiledning", "belop": D("30000.00")},
    {"finansieringskilde": "helsedirektoratet", "kategori": "kurs", "belop": D("-2500.25")},
    {"finansieringskilde": "helsedirektoratet", "kategori": "prosjektledelse", "belop": D("100000.00")},
    {"finansieringskilde": "egenandel", "kategori": "vikar", "belop": D("4200.00")},
]


def test_costs_are_summed_and_counted_per_source_and_category():
    lines = budget.costs_by_source_and_category(VOUCHERS)
    # kurs: 12 500.50 − 2 500.25 (credit note) = 10 000.25 over 2 vouchers; sorted by source, category
    assert lines == [
        CostLine("egenandel", "vikar", D("4200.00"), 1),
        CostLine("helsedirektoratet", "kurs", D("10000.25"), 2),
        CostLine("helsedirektoratet", "prosjektledelse", D("100000.00"), 1),
        CostLine("statsforvalter", "veiledning", D("30000.00"), 1),
    ]
    rows = [_row_of(c, schema.costs_by_source) for c in lines]
    assert rows[1] == {
        "finansieringskilde": "helsedirektoratet",
        "kategori": "kurs",
        "belop_ore": 1000025,
        "vouchers": 2,
    }
    assert budget.cost_lines_from_rows(list(reversed(rows))) == lines  # read back in the same order
    # helsedirektoratet: 10 000.25 + 100 000.00 = 110 000.25
    assert budget.costs_per_source(lines) == {
        "helsedirektoratet": D("110000.25"),
        "statsforvalter": D("30000.00"),
        "egenandel": D("4200.00"),
    }
    assert budget.helsedirektoratet_costs(lines) == D("110000.25")
    assert budget.costs_of_source(lines, "helsedirektoratet") == {
        "kurs": D("10000.25"),
        "prosjektledelse": D("100000.00"),
    }
    assert budget.costs_of_source(lines, "statsforvalter") == {"veiledning": D("30000.00")}


GRANT = Grant("helsedirektoratet", 2019, 2023, D("23400000.00"), None, "Kap. 762, post 63")


@pytest.mark.parametrize(
    ("year", "in_year", "cumulative", "missing"),
    [
        # the first year of the period counts: 100.00
        (2019, D("100.00"), D("100.00"), ()),
        # the last year counts: 100 + 200 + 300 + 400 + 500 = 1 500.00
        (2023, D("500.00"), D("1500.00"), ()),
        # the year after the period: nothing in the year, the cumulative stops at 2023
        (2024, D("0.00"), D("1500.00"), ()),
    ],
)
def test_the_boundary_years_of_the_grant_period(year, in_year, cumulative, missing):
    used = {2018: D("7.00"), 2019: D("100.00"), 2020: D("200.00"), 2021: D("300.00"),
            2022: D("400.00"), 2023: D("500.00"), 2024: D("600.00")}  # fmt: skip
    use = budget.grant_use(year, D("1000000.00"), 2019, 2023, used)
    assert (use.used_in_year, use.used_cumulative, use.years_missing) == (in_year, cumulative, missing)
    assert use.remaining == D("1000000.00") - cumulative  # never the 2018 or 2024 figures


def test_a_year_before_the_grant_period_uses_nothing():
    use = budget.grant_use(2018, D("1000.00"), 2019, 2023, {2018: D("7.00")})
    # 2018 is before the period: nothing used, nothing missing, the whole grant remains
    assert (use.used_in_year, use.used_cumulative, use.remaining, use.years_missing) == (
        D("0.00"), D("0.00"), D("1000.00"), ()
    )  # fmt: skip


def test_grant_use_from_the_stored_earlier_years():
    earlier = [
        {"report_year": 2019, "used_in_year_ore": 21958904},  # 219 589.04
        {"report_year": 2021, "used_in_year_ore": 99999999},  # a later year: ignored for 2020
    ]
    use = budget.grant_use_for_year(2020, GRANT, earlier, D("570355.19"), D("114071.04"), D("115000.25"))
    # 2020: 570 355.19 + 115 000.25 = 685 355.44; cumulative 219 589.04 + 685 355.44 = 904 944.48;
    # the year's own parts are kept beside it
    assert use == GrantUse(
        2020, D("23400000.00"), D("685355.44"), D("904944.48"), D("22495055.52"), (),
        D("570355.19"), D("114071.04"), D("115000.25"),
    )  # fmt: skip
    row = _row_of(use, schema.grant_use)
    assert row == {
        "alis_grant_ore": 57035519,
        "egenandel_ore": 11407104,
        "helsedirektoratet_costs_ore": 11500025,
        "used_in_year_ore": 68535544,
        "used_cumulative_ore": 90494448,
        "remaining_ore": 2249505552,
        "grant_total_ore": 2340000000,
        "years_missing": "",
    }
    assert budget.grant_use_from_row({**row, "report_year": 2020}) == use
    # 2022 with only 2019 stored: 2020 and 2021 are missing; 2019 + 2022's own 1.00
    later = budget.grant_use_for_year(2022, GRANT, earlier[:1], D("1.00"), D("0.00"), D("0.00"))
    assert later.years_missing == (2020, 2021) and later.used_cumulative == D("219590.04")
    stored = _row_of(later, schema.grant_use)
    assert stored["years_missing"] == "2020,2021"
    assert budget.grant_use_from_row({**stored, "report_year": 2022}).years_missing == (2020, 2021)


def test_plan_against_actual_puts_the_alis_grant_first_and_flags_more_than_ten_percent():
    lines = budget.plan_against_actual(
        {"alis_tilskudd": D("600000"), "kurs": D("20000"), "reise": D("5000")},
        D("570355.19"),
        {"kurs": D("22000.01"), "prosjektledelse": D("100.00")},
    )
    assert [(c.kategori, c.plan, c.actual) for c in lines] == [
        ("alis_tilskudd", D("600000"), D("570355.19")),
        ("kurs", D("20000"), D("22000.01")),
        ("prosjektledelse", D("0.00"), D("100.00")),
        ("reise", D("5000"), D("0.00")),
    ]
    # alis: 570 355.19 − 600 000 = −29 644.81, −4.94 %: within 10 %
    # kurs: 22 000.01 is more than 20 000 × 1.10 = 22 000.00: over plan, needs explaining
    # prosjektledelse: spending with no plan; reise: −100 % of plan
    assert [c.over_plan for c in lines] == [False, True, True, False]
    assert [c.needs_explanation for c in lines] == [False, True, True, True]
    assert lines[0].deviation == D("-29644.81")
    assert lines[1].deviation_percent == D("0.01") * 100 / D("20000") + 10  # 10.00005 %
    assert lines[2].deviation_percent is None
    rows = [_row_of(c, schema.budget_plan_vs_actual) for c in lines]
    assert rows[1] == {"kategori": "kurs", "plan_ore": 2000000, "actual_ore": 2200001, "over_plan": True}
    assert budget.plan_lines_from_rows(list(reversed(rows))) == [
        PlanLine("alis_tilskudd", D("600000.00"), D("570355.19")),
        PlanLine("kurs", D("20000.00"), D("22000.01")),
        PlanLine("prosjektledelse", D("0.00"), D("100.00")),
        PlanLine("reise", D("5000.00"), D("0.00")),
    ]


@pytest.mark.parametrize(
    ("plan", "actual", "over", "explain"),
    [
        (D("100"), D("110.00"), False, False),  # exactly 10 % over: not more than 10 %
        (D("100"), D("110.01"), True, True),
        (D("100"), D("90.00"), False, False),  # exactly 10 % under
        (D("100"), D("89.99"), False, True),  # more than 10 % under: explain, not over
        (D("0"), D("0"), False, False),  # no plan, no spending
        (D("0"), D("-5"), False, True),  # a credit note with no plan still needs a word
        (D("-100"), D("5"), True, True),  # a negative plan: any spending is over it
    ],
)
def test_the_ten_percent_boundaries(plan, actual, over, explain):
    line = PlanLine("kurs", plan, actual)
    assert (line.over_plan, line.needs_explanation) == (over, explain)


def test_forecasts_at_the_current_rate_and_by_the_plan():
    use = GrantUse(2021, D("23400000.00"), D("1000000.00"), D("2500000.00"), D("20900000.00"), ())
    result = budget.forecasts(use, 2023, {2022: D("3000000"), 2024: D("9")})
    # current rate: 2 500 000 + 2 × 1 000 000 = 4 500 000; remaining 18 900 000
    # plan: 2 500 000 + 3 000 000 (2022) + 0 (2023 has no plan) = 5 500 000; remaining 17 900 000
    assert [(f.method, f.remaining_years, f.per_year, f.used_at_end, f.remaining_at_end) for f in result] == [
        (CURRENT_RATE, (2022, 2023), (D("1000000.00"), D("1000000.00")), D("4500000.00"), D("18900000.00")),
        (PLAN, (2022, 2023), (D("3000000"), D("0.00")), D("5500000.00"), D("17900000.00")),
    ]
    assert result[0].description.startswith("Årets forbruk")
    totals = [_row_of(f, schema.grant_forecast) for f in result]
    years = [_row_of(y, schema.grant_forecast_years) for f in result for y in f.yearly_use]
    assert totals[1] == {
        "method": PLAN,
        "remaining_years": "2022,2023",
        "used_at_end_ore": 550000000,
        "remaining_at_end_ore": 1790000000,
    }
    assert years == [
        {"method": CURRENT_RATE, "forecast_year": 2022, "used_ore": 100000000},
        {"method": CURRENT_RATE, "forecast_year": 2023, "used_ore": 100000000},
        {"method": PLAN, "forecast_year": 2022, "used_ore": 300000000},
        {"method": PLAN, "forecast_year": 2023, "used_ore": 0},
    ]
    assert budget.forecasts_from_rows(list(reversed(totals)), list(reversed(years))) == result
    assert budget.forecasts_from_rows(totals[1:], years) == result[1:]  # a method not stored is left out
    # the last year of the period: nothing remains to forecast
    last = budget.forecasts(GrantUse(2023, D("10.00"), D("1.00"), D("4.00"), D("6.00"), ()), 2023, {})
    assert [(f.remaining_years, f.used_at_end, f.remaining_at_end) for f in last] == [
        ((), D("4.00"), D("6.00"))
    ] * 2


def test_the_statsforvalter_grant_is_spread_evenly_and_the_balance_is_granted_minus_costs():
    grants = [
        Grant("statsforvalter", 2020, 2020, D("500000"), None, "Nordland 2020"),
        Grant("statsforvalter", 2020, 2022, D("100000"), None, "Troms 2020–2022"),
        Grant("helsedirektoratet", 2019, 2023, D("23400000"), None, ""),
        Grant("statsforvalter", 2021, 2021, D("7"), None, "Finnmark 2021"),
    ]
    # 2020: 500 000 + 100 000 / 3 = 33 333.333… → 33 333.33; together 533 333.33
    assert budget.statsforvalter_granted(2020, grants) == D("533333.33")
    # 2022 is the last year of the three-year grant: 33 333.33 again
    assert budget.statsforvalter_granted(2022, grants) == D("33333.33")
    assert budget.statsforvalter_granted(2023, grants) == D("0.00")
    under = StatsforvalterBalance(2020, D("533333.33"), D("30000.00"))
    assert under.difference == D("503333.33")  # granted − costs: positive is unspent
    over = StatsforvalterBalance(2021, D("30000.00"), D("30000.01"))
    assert over.difference == D("-0.01")
    assert _row_of(under, schema.statsforvalter_grant_use) == {"granted_ore": 53333333, "costs_ore": 3000000}


PAYMENTS = (
    Payment("helsedirektoratet", dt.date(2020, 7, 1), D("5000000.00"), "1"),
    Payment("helsedirektoratet", dt.date(2021, 1, 15), D("6000000.00"), "2"),
    Payment("statsforvalter", dt.date(2020, 12, 31), D("500000.00"), "NL"),
    Payment("helsedirektoratet", dt.date(2021, 12, 31), D("-100.00"), "repaid"),
    Payment("helsedirektoratet", dt.date(2022, 1, 1), D("7000000.00"), "3"),
    Payment("statsforvalter", dt.date(2018, 5, 1), D("1.00"), "before any grant"),
)


def test_payments_received_in_the_year_and_up_to_its_end():
    reference = SimpleNamespace(payments=PAYMENTS)
    result = budget.payments_received(2021, reference)
    # Helsedirektoratet 2021: 6 000 000 − 100 (repaid on 31 Dec) = 5 999 900.00;
    # up to the end of 2021: 5 000 000 + 5 999 900 = 10 999 900.00 (2022's tranche not yet)
    # Statsforvalter: nothing in 2021; up to its end 500 000 + 1.00 = 500 001.00
    assert result == [
        PaymentsReceived("helsedirektoratet", D("5999900.00"), D("10999900.00")),
        PaymentsReceived("statsforvalter", D("0.00"), D("500001.00")),
    ]
    rows = [_row_of(p, schema.grant_payments) for p in result]
    assert rows[0] == {
        "kilde": "helsedirektoratet",
        "received_in_year_ore": 599990000,
        "received_cumulative_ore": 1099990000,
    }
    assert budget.payments_from_rows(rows) == {p.kilde: p for p in result}
    assert budget.payments_received(2021, SimpleNamespace(payments=None)) is None  # not registered
    grants = [GRANT, Grant("statsforvalter", 2020, 2020, D("500000"), None, "")]
    outside = budget.payments_outside_grant_period(SimpleNamespace(payments=PAYMENTS, grants=grants))
    assert [p.referanse for p in outside] == ["before any grant"]
    assert budget.payments_outside_grant_period(SimpleNamespace(payments=None, grants=grants)) == []


def test_unused_funds_are_received_minus_used_and_due_in_the_final_year():
    payments = {
        "helsedirektoratet": PaymentsReceived("helsedirektoratet", D("0"), D("10999900.00")),
        "statsforvalter": PaymentsReceived("statsforvalter", D("0"), D("500001.00")),
    }
    use = GrantUse(2023, D("23400000.00"), D("1.00"), D("10000000.00"), D("13400000.00"), ())
    statsforvalter_rows = [
        {"report_year": 2020, "costs_ore": 3000000},  # 30 000.00
        {"report_year": 2023, "costs_ore": 1},  # 0.01
        {"report_year": 2024, "costs_ore": 99999},  # after the report year: not counted
    ]
    reference = SimpleNamespace(helsedirektoratet_grant=lambda: GRANT)
    result = budget.unused_funds(2023, reference, payments, use, statsforvalter_rows)
    # Helsedirektoratet: 10 999 900.00 − 10 000 000.00 = 999 900.00 unused, to repay (2023 is the last year)
    # Statsforvalter: 500 001.00 − (30 000.00 + 0.01) = 470 000.99
    assert [(u.kilde, u.received, u.used, u.unused, u.final_year) for u in result] == [
        ("helsedirektoratet", D("10999900.00"), D("10000000.00"), D("999900.00"), True),
        ("statsforvalter", D("500001.00"), D("30000.01"), D("470000.99"), True),
    ]
    earlier = budget.unused_funds(2022, reference, payments, use, statsforvalter_rows)
    assert [u.final_year for u in earlier] == [False, False] and earlier[1].used == D("30000.00")
    rows = [_row_of(u, schema.unused_funds) for u in result]
    assert rows[1] == {
        "kilde": "statsforvalter",
        "received_ore": 50000100,
        "used_ore": 3000001,
        "unused_ore": 47000099,
        "final_year": True,
    }
    assert budget.unused_from_rows(list(reversed(rows))) == result  # Helsedirektoratet first again
    overspent = UnusedFunds("helsedirektoratet", D("100.00"), D("100.01"), False)
    assert overspent.unused == D("-0.01")  # more used than received: negative, never hidden


def test_sums_over_nothing_still_have_two_decimals():
    # an int 0 in place of Decimal("0.00") would print "0" and fail to store as øre
    assert [str(x) for x in budget.entitlement_totals([])] == ["0.00", "0.00"]
    before = budget.grant_use(2018, D("1000.00"), 2019, 2023, {})
    assert str(before.used_cumulative) == "0.00" and str(before.used_in_year) == "0.00"
    only_hdir = SimpleNamespace(payments=PAYMENTS[:2])  # Helsedirektoratet's first two tranches
    statsforvalter = budget.payments_received(2021, only_hdir)[1]
    assert (statsforvalter.kilde, str(statsforvalter.received_in_year), str(statsforvalter.received_cumulative)) == (
        "statsforvalter", "0.00", "0.00"
    )  # fmt: skip
    payments = {"statsforvalter": PaymentsReceived("statsforvalter", D("0.00"), D("10.00"))}
    reference = SimpleNamespace(helsedirektoratet_grant=lambda: GRANT)
    use = GrantUse(2021, D("1.00"), D("0.00"), D("0.00"), D("1.00"), ())
    (unused,) = budget.unused_funds(2021, reference, payments, use, [])
    assert str(unused.used) == "0.00" and unused.unused == D("10.00")


def test_a_year_in_the_period_without_its_own_figures_uses_nothing_and_is_missing():
    use = budget.grant_use(2021, D("1000.00"), 2019, 2023, {2019: D("100.00")})
    # 2020 and 2021 have no figures: 2021 uses 0.00 this year, 100.00 in all
    assert (str(use.used_in_year), use.used_cumulative, use.years_missing) == (
        "0.00",
        D("100.00"),
        (2020, 2021),
    )


def test_payments_outside_every_grant_of_their_source():
    grants = [GRANT, Grant("statsforvalter", 2020, 2020, D("500000"), None, "")]
    payments = (
        Payment("helsedirektoratet", dt.date(2023, 12, 31), D("1.00"), "last day of the period"),
        Payment("helsedirektoratet", dt.date(2024, 1, 1), D("1.00"), "the year after"),
        Payment("statsforvalter", dt.date(2021, 3, 1), D("1.00"), "no grant for 2021"),
    )
    outside = budget.payments_outside_grant_period(SimpleNamespace(payments=payments, grants=grants))
    assert [p.referanse for p in outside] == ["the year after", "no grant for 2021"]
    # a source with no grant at all: every payment of it is outside
    only_hdir = SimpleNamespace(payments=payments, grants=[GRANT])
    assert [p.referanse for p in budget.payments_outside_grant_period(only_hdir)] == [
        "the year after",
        "no grant for 2021",
    ]
    stats_only = SimpleNamespace(payments=payments[:1], grants=grants[1:])
    assert budget.payments_outside_grant_period(stats_only) == list(payments[:1])
