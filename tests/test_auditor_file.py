"""The auditor's file (``alis_nord.auditor_file``, its lines ``alis_nord.auditor_basis``) on a
fixture small enough to count by hand.

Report year 2020; Helsedirektoratet's grant 2019–2023, the Statsforvalter's 2020 only.

ALIS grant computations (tilskudd / egenandel):
  2019 1804 A1: 10 000.00 / 2 000.00 (100 of 365 days)
  2020 1804 A1: 20 000.00 / 4 000.00 (366 of 366)
  2020 1865 A2: 10 000.00 / 2 000.00 (183 of 366)
Vouchers:
  2019 1804 K1 kurs, Helsedirektoratet, 1 000.00
  2020 1804 B1 kurs, Helsedirektoratet, 500.50
  2020 1804 B2 kurs, Helsedirektoratet, −100.25 (a credit note)
  2020 1865 S1 samlinger, Statsforvalteren, 3 000.00
  2020 1804 E1 reise, egenandel, 250.00
Payments: Helsedirektoratet 01.12.2019 20 000.00 and 01.07.2020 15 000.00 (and 15.02.2021
9 999.00, after the year); Statsforvalteren 01.06.2019 1 000.00 (no grant of its covers 2019)
and 01.03.2020 5 000.00.

2020: ALIS 20 000 + 10 000 = 30 000.00 (2); kurs 500.50 − 100.25 = 400.25 (2); Statsforvalteren
3 000.00; egenandel 250.00; Sum utgifter 33 650.25 (6). Received 15 000 + 5 000; own share
4 000 + 2 000 = 6 000; Sum inntekter 26 000.00 (4); Resultat 26 000 − 33 650.25 = −7 650.25.
2019–2020: ALIS 40 000.00 (3); kurs 1 400.25 (3); Sum utgifter 44 650.25 (8). Received up to
the end of 2020: 35 000 (2) and 6 000 (2); own share 8 000 (3); Sum inntekter 49 000.00 (7);
Resultat 49 000 − 44 650.25 = 4 349.75. Used up to 2020: Helsedirektoratet 40 000 + 1 400.25 =
41 400.25 (3 + 3 = 6), unused 35 000 − 41 400.25 = −6 400.25; Statsforvalteren 3 000 (1), unused 3 000.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pytest

from alis_nord import auditor_basis as ab
from alis_nord import auditor_file as af
from alis_nord.budget import PlanLine, UnusedFunds
from alis_nord.financial_report import AccountLine, IncomeAndExpenses
from alis_nord.reference import Grant, Participant, Payment, Rates, ReferenceData
from alis_nord.stored import StoredRows

HDIR, SF, OWN = "helsedirektoratet", "statsforvalter", "egenandel"
GRANTS = (
    Grant(HDIR, 2019, 2023, D("1000000"), dt.date(2019, 6, 25), "Kap. 762, post 63"),
    Grant(SF, 2020, 2020, D("5000"), dt.date(2020, 2, 15), "Statsforvalteren 2020"),
)
PAYMENTS = (
    Payment(HDIR, dt.date(2020, 7, 1), D("15000.00"), "2. utbetaling"),
    Payment(SF, dt.date(2020, 3, 1), D("5000.00"), "Statsforvalteren 2020"),
    Payment(HDIR, dt.date(2019, 12, 1), D("20000.00"), "1. utbetaling"),
    Payment(HDIR, dt.date(2021, 2, 15), D("9999.00"), "3. utbetaling"),
    Payment(SF, dt.date(2019, 6, 1), D("1000.00"), "Forskudd"),
)


def reference(payments=PAYMENTS) -> ReferenceData:
    return ReferenceData(
        participants=(Participant("1804", "Bodø", 2019, None), Participant("1865", "Vågan", 2019, None)),
        grants=GRANTS,
        budget=(),
        rates=tuple(Rates(y, D("250000"), D("50000")) for y in (2019, 2020)),
        payments=payments,
    )


def entitlement(year, kommune, alis_id, days, in_year, tilskudd_ore, egenandel_ore):
    return {
        "report_year": year,
        "kommunenummer": kommune,
        "alis_id": alis_id,
        "days_employed": days,
        "days_in_year": in_year,
        "tilskudd_ore": tilskudd_ore,
        "egenandel_ore": egenandel_ore,
    }


def voucher(year, kommune, number, date, kategori, source, ore, row, description=""):
    return {
        "report_year": year,
        "kommunenummer": kommune,
        "bilagsnummer": number,
        "bilagsdato": date,
        "kategori": kategori,
        "finansieringskilde": source,
        "belop_ore": ore,
        "alis_id": None,
        "beskrivelse": description,
        "file": f"{year}/{kommune}_kostnader.csv",
        "row_number": row,
    }


ENTITLEMENTS = [
    entitlement(2020, "1865", "A2", 183, 366, 1_000_000, 200_000),
    entitlement(2019, "1804", "A1", 100, 365, 1_000_000, 200_000),
    entitlement(2020, "1804", "A1", 366, 366, 2_000_000, 400_000),
]
VOUCHERS = [
    voucher(2020, "1804", "E1", dt.date(2020, 5, 1), "reise", OWN, 25_000, 6, "Reise til samling"),
    voucher(2020, "1865", "S1", dt.date(2020, 4, 1), "samlinger", SF, 300_000, 2, "Regional samling"),
    voucher(2020, "1804", "B2", dt.date(2020, 2, 1), "kurs", HDIR, -10_025, 3, "Kreditnota"),
    voucher(2020, "1804", "B1", dt.date(2020, 1, 15), "kurs", HDIR, 50_050, 2, "Kurs i akuttmedisin"),
    voucher(2019, "1804", "K1", dt.date(2019, 5, 2), "kurs", HDIR, 100_000, 2, "Grunnkurs"),
]
FILES = [
    {"report_year": 2020, "path": "2020/1865_kostnader.csv", "sha256": "b" * 64, "size_bytes": 99},
    {"report_year": 2019, "path": "2019/1804_kostnader.csv", "sha256": "a" * 64, "size_bytes": 10},
    {"report_year": 2021, "path": "2021/1804_kostnader.csv", "sha256": "c" * 64, "size_bytes": 5},
]


def rows(year=2020, vouchers=VOUCHERS) -> StoredRows:
    every = {"kostnader": vouchers, "alis_grant_entitlement": ENTITLEMENTS, "input_files": FILES}
    return StoredRows(year, {}, every)


def accounts(in_year=None, period=None, unused=None) -> dict:
    """The report's figures (alis_nord.financial_report.financial_report), as the docstring counts them."""
    return {
        "lines": [
            AccountLine(
                "alis_tilskudd", PlanLine("alis_tilskudd", D(0), D("30000")), PlanLine("a", D(0), D("40000"))
            ),
            AccountLine("kurs", PlanLine("kurs", D(0), D("400.25")), PlanLine("kurs", D(0), D("1400.25"))),
            AccountLine("samlinger", PlanLine("samlinger", D(9), D(0)), PlanLine("samlinger", D(9), D(0))),
        ],
        "in_year": in_year
        or IncomeAndExpenses({HDIR: D("15000"), SF: D("5000")}, D("6000"), D("30000"), D("3650.25")),
        "period_accounts": period
        or IncomeAndExpenses({HDIR: D("35000"), SF: D("6000")}, D("8000"), D("40000"), D("4650.25")),
        "unused": [
            {"fund": f}
            for f in (
                unused
                if unused is not None
                else [
                    UnusedFunds(HDIR, D("35000"), D("41400.25"), False),
                    UnusedFunds(SF, D("6000"), D("3000"), False),
                ]
            )
        ],
    }


def lines_of(result):
    return [(a.label, a.span, a.reported, a.basis, a.items, a.table, a.missing) for a in result]


NOT_A_LINE, NOT_REGISTERED = "ikke egen linje", "ikke registrert"

EXPECTED = [
    ("ALIS-tilskudd til kommunene", "2020", D("30000"), D("30000.00"), 2, "6.1", NOT_A_LINE),
    ("Kurs", "2020", D("400.25"), D("400.25"), 2, "6.1", NOT_A_LINE),
    ("Samlinger", "2020", D(0), D(0), 0, "6.1", NOT_A_LINE),
    ("Kostnader dekket av kommunenes egenandel", "2020", None, D("250.00"), 1, "", NOT_A_LINE),
    ("Kostnader dekket av Statsforvalteren", "2020", None, D("3000.00"), 1, "", NOT_A_LINE),
    (
        "Sum utgifter (ALIS-tilskudd og alle bilag)",
        "2020",
        D("33650.25"),
        D("33650.25"),
        6,
        "6.3",
        NOT_A_LINE,
    ),
    ("Mottatt fra Helsedirektoratet", "2020", D("15000"), D("15000.00"), 1, "6.3", NOT_A_LINE),
    ("Mottatt fra Statsforvalteren", "2020", D("5000"), D("5000.00"), 1, "6.3", NOT_A_LINE),
    ("Kommunenes egenandel", "2020", D("6000"), D("6000.00"), 2, "6.3", NOT_A_LINE),
    ("Sum inntekter", "2020", D("26000"), D("26000.00"), 4, "6.3", NOT_A_LINE),
    ("Resultat (inntekter − utgifter)", "2020", D("-7650.25"), D("-7650.25"), None, "6.3", NOT_A_LINE),
    ("ALIS-tilskudd til kommunene", "2019–2020", D("40000"), D("40000.00"), 3, "6.2", NOT_A_LINE),
    ("Kurs", "2019–2020", D("1400.25"), D("1400.25"), 3, "6.2", NOT_A_LINE),
    ("Samlinger", "2019–2020", D(0), D(0), 0, "6.2", NOT_A_LINE),
    ("Kostnader dekket av kommunenes egenandel", "2019–2020", None, D("250.00"), 1, "", NOT_A_LINE),
    ("Kostnader dekket av Statsforvalteren", "2019–2020", None, D("3000.00"), 1, "", NOT_A_LINE),
    (
        "Sum utgifter (ALIS-tilskudd og alle bilag)",
        "2019–2020",
        D("44650.25"),
        D("44650.25"),
        8,
        "6.3 og 7.1",
        NOT_A_LINE,
    ),
    ("Mottatt fra Helsedirektoratet", "2019–2020", D("35000"), D("35000.00"), 2, "6.3", NOT_A_LINE),
    ("Mottatt fra Statsforvalteren", "2019–2020", D("6000"), D("6000.00"), 2, "6.3", NOT_A_LINE),
    ("Kommunenes egenandel", "2019–2020", D("8000"), D("8000.00"), 3, "6.3", NOT_A_LINE),
    ("Sum inntekter", "2019–2020", D("49000"), D("49000.00"), 7, "6.3 og 7.1", NOT_A_LINE),
    (
        "Resultat (inntekter − utgifter)",
        "2019–2020",
        D("4349.75"),
        D("4349.75"),
        None,
        "6.3 og 7.1",
        NOT_A_LINE,
    ),
    (
        "Brukt av tilskuddet fra Helsedirektoratet",
        "t.o.m. 2020",
        D("41400.25"),
        D("41400.25"),
        6,
        "6.4",
        NOT_A_LINE,
    ),
    (
        "Ubrukt av tilskuddet fra Helsedirektoratet",
        "t.o.m. 2020",
        D("-6400.25"),
        D("-6400.25"),
        None,
        "6.4 og 7.1",
        NOT_A_LINE,
    ),
    (
        "Brukt av tilskuddet fra Statsforvalteren",
        "t.o.m. 2020",
        D("3000"),
        D("3000.00"),
        1,
        "6.4",
        NOT_A_LINE,
    ),
    (
        "Ubrukt av tilskuddet fra Statsforvalteren",
        "t.o.m. 2020",
        D("3000"),
        D("3000.00"),
        None,
        "6.4 og 7.1",
        NOT_A_LINE,
    ),
]


def test_every_line_of_chapters_6_and_7_equals_its_basis_by_hand():
    assert lines_of(ab.audit_lines(reference(), rows(), accounts())) == EXPECTED


def test_without_payments_the_income_says_not_registered():
    # the report's figures without utbetalinger.csv: received None, so income and result None
    unregistered = accounts(
        IncomeAndExpenses(None, D("6000"), D("30000"), D("3650.25")),
        IncomeAndExpenses(None, D("8000"), D("40000"), D("4650.25")),
        unused=[],
    )
    got = {(a.label, a.span): a for a in ab.audit_lines(reference(payments=None), rows(), unregistered)}
    received = got[("Mottatt fra Helsedirektoratet", "2020")]
    assert (received.reported, received.basis, received.items, received.missing) == (
        None,
        D(0),
        0,
        NOT_REGISTERED,
    )
    own = got[("Kommunenes egenandel", "2019–2020")]
    assert (own.reported, own.basis, own.items) == (D("8000"), D("8000.00"), 3)  # shown all the same
    income = got[("Sum inntekter", "2020")]
    assert (income.reported, income.basis, income.items, income.missing) == (
        None,
        D("6000.00"),
        2,
        NOT_REGISTERED,
    )
    result = got[("Resultat (inntekter − utgifter)", "2019–2020")]
    assert (result.reported, result.basis) == (None, D("8000.00") - D("44650.25"))
    assert not any(a.span.startswith("t.o.m.") for a in got.values())  # table 6.4 is empty


def test_after_the_grant_period_chapter_6_has_no_period_figures():
    # report year 2024 of a 2019–2023 grant: the period is 2019–2023, which chapter 6 does not show
    ref = ReferenceData(
        participants=(Participant("1804", "Bodø", 2019, None),),
        grants=(Grant(HDIR, 2019, 2023, D("1"), None, "x"),),
        budget=(),
        rates=(),
        payments=(),
    )
    got = ab.audit_lines(
        ref, StoredRows(2024, {}, {"kostnader": [], "alis_grant_entitlement": []}), accounts()
    )
    period = [a for a in got if a.span == "2019–2023"]
    assert period and all(a.reported is None and a.missing == NOT_A_LINE for a in period[-6:])
    assert [a.reported for a in got if a.span == "2024" and a.line == ab.EXPENSES] == [D("33650.25")]


def test_the_first_year_has_one_span():
    got = ab.audit_lines(reference(), rows(year=2019), accounts(unused=[]))
    assert {a.span for a in got} == {"2019"}
    assert [a.line for a in got].count(ab.EXPENSES) == 1  # one span, not the same twice
    # 2019: ALIS 10 000.00 and K1 1 000.00; received 20 000 + 1 000; own share 2 000
    sums = {a.line: (a.basis, a.items) for a in got}
    assert sums[ab.EXPENSES] == (D("11000.00"), 2)
    assert sums[ab.INCOME] == (D("23000.00"), 3)
    assert sums[ab.RESULT] == (D("12000.00"), None)


def test_received_counts_the_year_or_everything_up_to_its_end():
    assert ab.received_sums(PAYMENTS, 2020, cumulative=False) == {
        HDIR: (D("15000.00"), 1),
        SF: (D("5000.00"), 1),
    }
    assert ab.received_sums(PAYMENTS, 2020, cumulative=True) == {
        HDIR: (D("35000.00"), 2),
        SF: (D("6000.00"), 2),
    }
    assert ab.received_sums((), 2020, cumulative=True) == {HDIR: (D(0), 0), SF: (D(0), 0)}
    assert ab.received_sums(None, 2020, cumulative=True) is None


def test_used_counts_the_grant_period_for_helsedirektoratet_and_every_year_for_the_statsforvalter():
    early = voucher(2018, "1804", "X", dt.date(2018, 1, 1), "kurs", HDIR, 1, 2)
    early_sf = voucher(2018, "1804", "Y", dt.date(2018, 1, 1), "kurs", SF, 7, 2)
    later = voucher(2021, "1804", "Z", dt.date(2021, 1, 1), "kurs", SF, 5, 2)
    got = ab.used_sums([*VOUCHERS, early, early_sf, later], ENTITLEMENTS, [2019, 2020], 2020)
    assert got == {HDIR: (D("41400.25"), 6), SF: (D("3000.07"), 2)}


def test_expense_sums_and_own_share_over_years():
    assert ab.expense_sums(VOUCHERS, ENTITLEMENTS, [2019]) == {
        "alis_tilskudd": (D("10000.00"), 1),
        "kurs": (D("1000.00"), 1),
    }
    assert ab.expense_sums([], [], [2020]) == {"alis_tilskudd": (D(0), 0)}
    assert ab.own_share_sum(ENTITLEMENTS, [2020]) == (D("6000.00"), 2)
    assert ab.own_share_sum(ENTITLEMENTS, [2021]) == (D(0), 0)
    assert type(ab.own_share_sum([], [2021])[0]) is D  # a Decimal zero, never the int 0
    (total,) = ab.expense_lines("2020", "year", {}, {}, None)  # nothing at all: «Sum utgifter» 0
    assert (total.line, type(total.basis), total.items) == (ab.EXPENSES, D, 0)


def test_labels_tables_and_sheets_of_each_line():
    assert ab.line_label("kurs") == "Kurs"
    assert ab.line_label("kilde:egenandel") == "Kostnader dekket av kommunenes egenandel"
    assert ab.line_label("mottatt:statsforvalter") == "Mottatt fra Statsforvalteren"
    assert ab.line_label("brukt:helsedirektoratet") == "Brukt av tilskuddet fra Helsedirektoratet"
    assert ab.line_label("ubrukt:helsedirektoratet") == "Ubrukt av tilskuddet fra Helsedirektoratet"
    assert ab.line_label("egenandel") == "Kommunenes egenandel"
    assert ab.report_table("kurs", "year") == "6.1" and ab.report_table("kurs", "period") == "6.2"
    assert ab.report_table("kilde:statsforvalter", "year") == ""
    assert ab.report_table("mottatt:helsedirektoratet", "period") == "6.3"
    assert ab.report_table("resultat", "year") == "6.3"
    assert af.basis_sheet("sum_utgifter") == "ALIS-tilskudd og Bilag"
    assert af.basis_sheet("alis_tilskudd") == af.basis_sheet("egenandel") == "ALIS-tilskudd"
    assert af.basis_sheet("mottatt:statsforvalter") == "Utbetalinger"
    assert af.basis_sheet("sum_inntekter") == "Utbetalinger og ALIS-tilskudd"
    assert af.basis_sheet("resultat") == "Oversikt: sum inntekter − sum utgifter"
    assert af.basis_sheet("brukt:helsedirektoratet") == "ALIS-tilskudd og Bilag"
    assert af.basis_sheet("brukt:statsforvalter") == "Bilag: Statsforvalteren"
    assert af.basis_sheet("ubrukt:statsforvalter") == "Utbetalinger − brukt"
    assert af.basis_sheet("kilde:egenandel") == "Bilag: kommunenes egenandel"
    assert af.basis_sheet("kurs") == "Bilag: Kurs, Helsedirektoratet"


def test_each_payment_names_the_grant_letter_whose_years_cover_it():
    first, sf_2020, _, after, sf_2019 = PAYMENTS
    assert af.grant_letter(first, GRANTS) is GRANTS[0]
    assert af.grant_letter(sf_2020, GRANTS) is GRANTS[1]
    assert af.grant_letter(sf_2019, GRANTS) is None  # the Statsforvalter's grant covers 2020 only
    assert af.grant_letter(Payment(HDIR, dt.date(2023, 12, 31), D(1), ""), GRANTS) is GRANTS[0]
    assert af.grant_letter(Payment(HDIR, dt.date(2024, 1, 1), D(1), ""), GRANTS) is None
    assert af.grant_letter(Payment(HDIR, dt.date(2018, 12, 31), D(1), ""), GRANTS) is None
    # by year, then Helsedirektoratet before the Statsforvalter, then date; none after the year
    assert [p.referanse for p in af.listed_payments(PAYMENTS, 2020)] == [
        "1. utbetaling",
        "Forskudd",
        "2. utbetaling",
        "Statsforvalteren 2020",
    ]
    same_day = [Payment(HDIR, dt.date(2020, 1, 1), D(1), "b"), Payment(HDIR, dt.date(2020, 1, 1), D(1), "a")]
    assert [p.referanse for p in af.listed_payments(same_day, 2020)] == ["a", "b"]
    assert af.listed_payments(None, 2020) == []


def test_vouchers_sort_by_year_then_line_and_municipalities_sum_their_alis():
    assert [v["bilagsnummer"] for v in sorted(VOUCHERS, key=af.voucher_order)] == [
        "K1",
        "B1",
        "B2",
        "E1",
        "S1",
    ]
    twins = [
        voucher(2020, "1804", "B", dt.date(2020, 1, 1), "kurs", HDIR, 1, 3),
        voucher(2020, "1804", "B", dt.date(2020, 1, 1), "kurs", HDIR, 1, 2),
        voucher(2020, "1804", "A", dt.date(2020, 1, 2), "kurs", HDIR, 1, 4),
        voucher(2020, "1800", "C", dt.date(2020, 1, 9), "kurs", HDIR, 1, 5),
    ]
    assert [v["row_number"] for v in sorted(twins, key=af.voucher_order)] == [5, 2, 3, 4]
    assert af.municipality_totals(ENTITLEMENTS) == {
        (2019, "1804"): (1, 100, D("10000.00"), D("2000.00")),
        (2020, "1804"): (1, 366, D("20000.00"), D("4000.00")),
        (2020, "1865"): (1, 183, D("10000.00"), D("2000.00")),
    }
    both = [*ENTITLEMENTS, entitlement(2020, "1804", "A3", 10, 366, 1, 2)]
    assert af.municipality_totals(both)[(2020, "1804")] == (2, 376, D("20000.01"), D("4000.02"))


def test_wrap_only_where_a_text_is_longer_than_its_column():
    assert af.wrap_where_needed(["kort", "x" * 30], [10, 10], [True, False]) is None
    assert af.wrap_where_needed(["kort tekst over linjen", 1], [10, 10], [True, False]) == [True, False]
    assert af.wrap_where_needed(["", None], [1, 1], [True, True]) is None
    # a width of 10 takes 9 characters a line: "kort tekst" takes two
    assert af.wrap_where_needed([1, "kort tekst"], [1, 10], [False, True]) == [False, True]
    assert af.wrap_where_needed(["kort tekst", 1], [10, 1], [False, True]) is None


@pytest.fixture
def workbook():  # per test: mutation testing runs only the tests that reach a function
    data = af.auditor_workbook_bytes(
        reference(), rows(), accounts(), "ALIS-Nord · Revisorgrunnlag 2020", dt.date(2021, 3, 31)
    )
    assert data == af.auditor_workbook_bytes(
        reference(), rows(), accounts(), "ALIS-Nord · Revisorgrunnlag 2020", dt.date(2021, 3, 31)
    )  # the same bytes for the same rows
    return openpyxl.load_workbook(io.BytesIO(data))


def values(ws) -> list[tuple]:
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def test_the_overview_sets_each_basis_beside_the_report(workbook):
    ws = workbook["Oversikt"]
    got = values(ws)
    assert got[0] == (
        "Linje",
        "År",
        "I rapporten",
        "Tabell",
        "Sum grunnlag",
        "Differanse",
        "Antall",
        "Grunnlag i arket",
    )
    assert len(got) == 1 + len(EXPECTED)
    for row, (label, span, reported, basis, items, table, missing) in zip(got[1:], EXPECTED, strict=True):
        shown = missing if reported is None else reported
        difference = None if reported is None else 0
        assert row[:7] == (label, span, shown, table or None, basis, difference, items)
    assert got[5][7] == "Bilag: Statsforvalteren"
    assert ws["C2"].number_format == ws["E2"].number_format == ws["F2"].number_format == '#,##0.00" kr"'
    assert ws["G2"].number_format == "0"
    assert ws["A7"].font.b is True and ws["A2"].font.b is not True  # Sum utgifter in bold
    assert ws["A11"].font.b is True and ws["A12"].font.b is True  # Sum inntekter, Resultat
    assert ws["A10"].font.b is not True
    # the line's label and its basis wrap in their cells, the figures do not
    assert [bool(ws.cell(5, c).alignment.wrap_text) for c in range(1, 9)] == [1, 0, 0, 0, 0, 0, 0, 1]


def test_every_voucher_keeps_its_category_source_and_description(workbook):
    got = values(workbook["Bilag"])
    assert got[0] == (
        "År",
        "Kommune",
        "Bilagsnr.",
        "Bilagsdato",
        "Beløp",
        "Kategori",
        "Finansieringskilde",
        "Beskrivelse",
        "Fil",
        "Rad",
    )
    assert got[1:] == [
        (
            2019,
            "1804",
            "K1",
            dt.datetime(2019, 5, 2),
            1000,
            "Kurs",
            "Helsedirektoratet",
            "Grunnkurs",
            "2019/1804_kostnader.csv",
            2,
        ),
        (
            2020,
            "1804",
            "B1",
            dt.datetime(2020, 1, 15),
            500.5,
            "Kurs",
            "Helsedirektoratet",
            "Kurs i akuttmedisin",
            "2020/1804_kostnader.csv",
            2,
        ),
        (
            2020,
            "1804",
            "B2",
            dt.datetime(2020, 2, 1),
            -100.25,
            "Kurs",
            "Helsedirektoratet",
            "Kreditnota",
            "2020/1804_kostnader.csv",
            3,
        ),
        (
            2020,
            "1804",
            "E1",
            dt.datetime(2020, 5, 1),
            250,
            "Reise",
            "kommunenes egenandel",
            "Reise til samling",
            "2020/1804_kostnader.csv",
            6,
        ),
        (
            2020,
            "1865",
            "S1",
            dt.datetime(2020, 4, 1),
            3000,
            "Samlinger",
            "Statsforvalteren",
            "Regional samling",
            "2020/1865_kostnader.csv",
            2,
        ),
    ]
    ws = workbook["Bilag"]
    assert [ws.cell(2, c).number_format for c in (1, 4, 5, 10)] == ["0", "DD.MM.YYYY", '#,##0.00" kr"', "0"]
    # «kommunenes egenandel» is longer than its column: category, source and description wrap
    assert [bool(ws.cell(5, c).alignment.wrap_text) for c in range(1, 11)] == [0, 0, 0, 0, 0, 1, 1, 1, 0, 0]
    assert ws.cell(2, 6).alignment.wrap_text is None  # a row that fits is written plain


def test_the_voucher_description_may_be_missing():
    data = af.auditor_workbook_bytes(
        reference(),
        rows(vouchers=[{**VOUCHERS[-1], "beskrivelse": None}]),
        accounts(),
        "x",
        dt.date(2021, 1, 1),
    )
    (row,) = list(openpyxl.load_workbook(io.BytesIO(data))["Bilag"].iter_rows(min_row=2, values_only=True))
    assert row[7] is None  # written as an empty text, read back as an empty cell


def test_the_payments_name_their_grant_letter_and_date(workbook):
    assert values(workbook["Utbetalinger"]) == [
        ("År", "Dato", "Tilskuddsgiver", "Beløp", "Utbetaling", "Tilsagn", "Vedtaksdato"),
        (
            2019,
            dt.datetime(2019, 12, 1),
            "Helsedirektoratet",
            20000,
            "1. utbetaling",
            "Kap. 762, post 63",
            dt.datetime(2019, 6, 25),
        ),
        (
            2019,
            dt.datetime(2019, 6, 1),
            "Statsforvalteren",
            1000,
            "Forskudd",
            "ingen tilsagn dekker året",
            None,
        ),
        (
            2020,
            dt.datetime(2020, 7, 1),
            "Helsedirektoratet",
            15000,
            "2. utbetaling",
            "Kap. 762, post 63",
            dt.datetime(2019, 6, 25),
        ),
        (
            2020,
            dt.datetime(2020, 3, 1),
            "Statsforvalteren",
            5000,
            "Statsforvalteren 2020",
            "Statsforvalteren 2020",
            dt.datetime(2020, 2, 15),
        ),
    ]
    ws = workbook["Utbetalinger"]
    assert [ws.cell(2, c).number_format for c in (1, 2, 4, 7)] == [
        "0",
        "DD.MM.YYYY",
        '#,##0.00" kr"',
        "DD.MM.YYYY",
    ]
    assert [bool(ws.cell(2, c).alignment.wrap_text) for c in range(1, 8)] == [0, 0, 1, 0, 1, 1, 0]


def test_without_payments_the_payment_sheet_says_so():
    data = af.auditor_workbook_bytes(
        reference(payments=None), rows(), accounts(unused=[]), "x", dt.date(2021, 1, 1)
    )
    got = values(openpyxl.load_workbook(io.BytesIO(data))["Utbetalinger"])
    assert got[1:] == [
        (None, None, "Utbetalinger er ikke registrert (referanse/utbetalinger.csv)", None, None, None, None)
    ]


def test_the_alis_sheets_show_grant_and_own_share(workbook):
    assert values(workbook["ALIS-tilskudd"]) == [
        ("År", "Kommune", "ALIS-id", "Dager ansatt", "Dager i året", "Sats per år", "Tilskudd", "Egenandel"),
        (2019, "1804", "A1", 100, 365, 250000, 10000, 2000),
        (2020, "1804", "A1", 366, 366, 250000, 20000, 4000),
        (2020, "1865", "A2", 183, 366, 250000, 10000, 2000),
    ]
    assert values(workbook["ALIS-tilskudd per kommune"]) == [
        ("År", "Kommune", "Navn", "ALIS", "Dager ansatt", "Sats per år", "Tilskudd", "Egenandel"),
        (2019, "1804", "Bodø", 1, 100, 250000, 10000, 2000),
        (2020, "1804", "Bodø", 1, 366, 250000, 20000, 4000),
        (2020, "1865", "Vågan", 1, 183, 250000, 10000, 2000),
    ]
    for name in ("ALIS-tilskudd", "ALIS-tilskudd per kommune"):
        ws = workbook[name]
        assert [ws.cell(2, c).number_format for c in range(4, 9)] == ["0", "0", *['#,##0.00" kr"'] * 3]
    municipalities = workbook["ALIS-tilskudd per kommune"]
    assert [bool(municipalities.cell(2, c).alignment.wrap_text) for c in range(1, 9)] == [
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
    ]
    assert workbook["ALIS-tilskudd"]["A2"].number_format == "0"
    assert workbook["ALIS-tilskudd per kommune"]["A2"].number_format == "0"


def test_the_files_of_the_years_with_their_checksums(workbook):
    assert values(workbook["Filer"]) == [
        ("År", "Fil", "SHA-256", "Byte"),
        (2019, "2019/1804_kostnader.csv", "a" * 64, 10),
        (2020, "2020/1865_kostnader.csv", "b" * 64, 99),
    ]
    assert workbook["Filer"]["D2"].number_format == "0" and workbook["Filer"]["A2"].number_format == "0"


def test_every_sheet_prints_legibly(workbook):
    assert workbook.sheetnames == [
        "Oversikt",
        "Bilag",
        "Utbetalinger",
        "ALIS-tilskudd",
        "ALIS-tilskudd per kommune",
        "Filer",
    ]
    widths = {
        "Oversikt": [36, 11, 17, 11, 17, 14, 7, 32],
        "Bilag": [6, 10, 12, 11, 15, 16, 19, 24, 25, 5],
        "Utbetalinger": [6, 11, 18, 16, 26, 40, 12],
        "ALIS-tilskudd": [6, 9, 10, 9, 9, 14, 14, 14],
        "ALIS-tilskudd per kommune": [6, 9, 23, 6, 9, 14, 14, 14],
        "Filer": [6, 34, 66, 10],
    }
    landscape = {"Oversikt", "Bilag", "Utbetalinger", "Filer"}  # over 95 character widths (per kommune: 95)
    for ws in workbook:
        from openpyxl.utils import get_column_letter

        last = get_column_letter(len(widths[ws.title]))
        assert [
            ws.column_dimensions[get_column_letter(i + 1)].width for i in range(len(widths[ws.title]))
        ] == widths[ws.title]
        assert ws.auto_filter.ref == f"A1:{last}{max(2, ws.max_row)}", ws.title
        assert ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == ("landscape" if ws.title in landscape else "portrait"), ws.title
        assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.oddHeader.center.text == "ALIS-Nord · Revisorgrunnlag 2020"
        assert all(c.alignment.wrap_text for c in ws[1])  # the header wraps in its column
    assert workbook.properties.title == "ALIS-Nord · Revisorgrunnlag 2020"
    assert workbook.properties.created == dt.datetime(2021, 3, 31)


def test_an_empty_sheet_still_has_a_filter_row():
    data = af.auditor_workbook_bytes(
        reference(payments=()), rows(vouchers=[]), accounts(unused=[]), "x", dt.date(2021, 1, 1)
    )
    ws = openpyxl.load_workbook(io.BytesIO(data))["Bilag"]
    assert ws.auto_filter.ref == "A1:J2"


def test_in_the_grant_periods_last_year_chapter_6_shows_the_period():
    # a grant 2019–2020 reported in 2020: the period's «Sum utgifter» is the report's 44 650.25
    ref = ReferenceData(
        participants=(Participant("1804", "Bodø", 2019, None),),
        grants=(Grant(HDIR, 2019, 2020, D("1"), None, "x"),),
        budget=(),
        rates=(),
        payments=PAYMENTS,
    )
    got = {(a.line, a.span): a.reported for a in ab.audit_lines(ref, rows(), accounts())}
    assert got[(ab.EXPENSES, "2019–2020")] == D("44650.25")


def test_unused_with_nothing_received_or_used_listed():
    fund = UnusedFunds(HDIR, D("10"), D("4"), True)
    used, unused = ab.unused_lines("t.o.m. 2020", [fund], None, {})
    assert (used.reported, used.basis, used.items, used.table) == (D("4"), D(0), 0, "6.4")
    assert (unused.reported, unused.basis, unused.items, unused.table) == (D("6"), D(0), None, "6.4 og 7.1")
