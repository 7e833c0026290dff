"""Budget assets for finance officers, on the small landing area (tests/small_landing.py),
with every figure worked out by hand. The 2020 figures of tests/test_assets.py apply:
ALIS grant 570 355.19, used in 2020 685 355.44, used by end of 2020 904 944.48."""

import io
import json
import os
from decimal import Decimal

import openpyxl
import pytest
from dagster import DagsterEventType, DagsterInstance, materialize

from alis_nord import schema as tables
from alis_nord.budget import PlanLine, grant_use_from_row, plan_against_actual
from alis_nord.warehouse import Warehouse
from tests.runs import ALL_ASSETS
from tests.runs import materialize_from_cli as _materialize_from_the_cli
from tests.runs import resources as _resources


def _metadata(result) -> dict:
    return {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    }


def _materialize(year: int, resources: dict):
    result = materialize(ALL_ASSETS, partition_key=str(year), resources=resources, raise_on_error=False)
    return result, {e.check_name: e for e in result.get_asset_check_evaluations()}


@pytest.fixture
def years(small_landing, tmp_path, sqlite_url):
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)
    outcomes = {year: _materialize(year, resources) for year in (2019, 2020)}
    return tmp_path / "out", Warehouse(sqlite_url), outcomes, small_landing, resources


def test_plan_against_actual_flags_more_than_ten_percent_over_plan():
    lines = plan_against_actual(
        {"alis_tilskudd": Decimal("100.00"), "kurs": Decimal("100.00")},
        Decimal("110.00"),  # exactly 10 % over: within the tolerance
        {"kurs": Decimal("110.01"), "reise": Decimal("1.00")},  # over by a øre; no plan at all
    )
    assert [(c.kategori, c.over_plan) for c in lines] == [
        ("alis_tilskudd", False),
        ("kurs", True),
        ("reise", True),
    ]
    assert PlanLine("x", Decimal("100.00"), Decimal("90.00")).deviation == Decimal("-10.00")


def test_plan_forecast_and_statsforvalter_for_2020(years):
    _, store, outcomes, _, _ = years
    plan = {
        r["kategori"]: (r["plan_ore"], r["actual_ore"], r["over_plan"])
        for r in store.rows(tables.budget_plan_vs_actual, 2020)
    }
    # plan 2020: alis_tilskudd 600 000, kurs 20 000 (budsjett.csv). Actual: ALIS grant 570 355.19;
    # kurs 12 500.50 − 2 500.25 + 5 000.00 = 15 000.25; samlinger 100 000.00 with no plan: over it
    assert plan == {
        "alis_tilskudd": (60000000, 57035519, False),
        "kurs": (2000000, 1500025, False),
        "samlinger": (0, 10000000, True),
    }
    forecast = {r["method"]: r for r in store.rows(tables.grant_forecast, 2020)}
    # current rate: 904 944.48 + 3 × 685 355.44 (2021–2023) = 2 961 010.80; 23 400 000 − that = 20 438 989.20
    assert forecast["current_rate"]["remaining_years"] == "2021,2022,2023"
    assert forecast["current_rate"]["used_at_end_ore"] == 296101080
    assert forecast["current_rate"]["remaining_at_end_ore"] == 2043898920
    # plan: budsjett.csv has nothing after 2020, so 904 944.48 stays; 22 495 055.52 remains
    assert forecast["plan"]["used_at_end_ore"] == 90494448
    (statsforvalter,) = store.rows(tables.statsforvalter_grant_use, 2020)
    # 500 000 granted for 2020 against 30 000.00 charged to Statsforvalteren
    assert (statsforvalter["granted_ore"], statsforvalter["costs_ore"]) == (50000000, 3000000)
    checks = outcomes[2020][1]
    assert checks["categories_within_ten_percent_of_plan"].passed is False  # samlinger
    assert checks["forecast_within_grant"].passed is True
    assert checks["helsedirektoratet_grant_not_overspent"].passed is True


def test_ui_numbers_are_whole_kroner_of_the_exact_figures(years):
    _, _, outcomes, _, _ = years
    result = outcomes[2020][0]
    metadata = _metadata(result)
    assert metadata["grant_use"]["used_cumulative_kr"].value == 904944  # 904 944.48 rounded half-up
    assert metadata["grant_use"]["remaining_kr"].value == 22495056  # 22 495 055.52 → 22 495 056
    assert metadata["alis_grant_entitlement"]["alis_grant_kr"].value == 570355
    assert metadata["costs_by_source"]["costs_helsedirektoratet_kr"].value == 115000  # 115 000.25
    assert isinstance(metadata["grant_use"]["used_cumulative_kr"].value, int)  # never a float


def test_the_workbook_has_the_summary_totals_and_formulas(years):
    output, _, _, _, _ = years
    summary = json.loads((output / "2020" / "summary.json").read_text(encoding="utf-8"))
    workbook = openpyxl.load_workbook(output / "2020" / "budget-2020.xlsx")
    figures = {row[0].value: row[1].value for row in workbook["Sammendrag"].iter_rows(min_row=2)}
    assert Decimal(str(figures["ALIS-tilskudd 2020 (etter ansettelsesdager)"])) == Decimal(
        summary["alis_grant_nok"]
    )
    assert Decimal(str(figures["Brukt av tilskuddet hittil"])) == Decimal(
        summary["grant"]["used_cumulative_nok"]
    )
    assert Decimal(str(figures["Gjenstår av tilskuddet"])) == Decimal(summary["grant"]["remaining_nok"])
    assert workbook["Sammendrag"]["B2"].number_format == '#,##0.00" kr"'
    per_alis = workbook["Per ALIS – internt"]  # a sheet of persons, marked internal above its header
    assert per_alis["A1"].font.b and per_alis["A1"].value == "Internt arbeidsark – skal ikke deles"
    assert per_alis.freeze_panes == "A3" and per_alis.print_title_rows == "$1:$2"
    assert per_alis["A2"].font.b and per_alis["A2"].value == "Kommunenummer"  # a bold header
    assert per_alis.column_dimensions["A"].width == 16
    assert [c.value for c in per_alis[per_alis.max_row]][5:] == ["=SUM(F3:F5)", "=SUM(G3:G5)"]  # three ALIS
    assert workbook.properties.subject == "Internt arbeidsdokument – skal ikke deles"
    use = workbook["Tilskuddsbruk"]
    assert [c.value for c in use[3]][3:] == [
        "=B3+C3",
        "=SUM(D$2:D3)",
        "=23400000.00-E3",
    ]  # 2020, recomputed by Excel


def test_text_from_a_submission_never_becomes_a_formula_in_the_workbook(small_landing, tmp_path, sqlite_url):
    path = small_landing / "2020" / "1804_kostnader.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("Regional samling", '=HYPERLINK("http://x","klikk")')
        .replace("Prosjektleder", "#N/A"),  # an Excel error code, were it not written as text
        encoding="utf-8",
    )
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)
    _materialize(2020, resources)
    vouchers = openpyxl.load_workbook(tmp_path / "out" / "2020" / "budget-2020.xlsx")["Bilag"]
    cell = next(row[7] for row in vouchers.iter_rows(min_row=2) if row[1].value == "B2")
    assert cell.value == '=HYPERLINK("http://x","klikk")' and cell.data_type == "s"
    cell = next(row[7] for row in vouchers.iter_rows(min_row=2) if row[1].value == "B5")
    assert cell.value == "#N/A" and cell.data_type == "s"


def test_an_overspend_holds_the_report_until_acknowledged(small_landing, tmp_path, sqlite_url):
    tilskudd = small_landing / "referanse" / "tilskudd.csv"
    tilskudd.write_text(
        tilskudd.read_text(encoding="utf-8").replace("23 400 000,00", "500 000,00"), encoding="utf-8"
    )
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)
    _materialize(2019, resources)  # 219 589.04 of 500 000: fine
    result, checks = _materialize(2020, resources)  # 904 944.48 of 500 000: 404 944.48 overspent
    assert checks["helsedirektoratet_grant_not_overspent"].passed is False
    assert checks["overspend_acknowledged_before_report"].passed is False
    assert not (tmp_path / "out" / "2020" / "statusrapport-2020.pdf").exists()  # held
    assert (tmp_path / "out" / "2020" / "budget-2020.xlsx").exists()  # finance officers still get the figures
    summary = json.loads((tmp_path / "out" / "2020" / "summary.json").read_text(encoding="utf-8"))
    assert summary["grant"]["remaining_nok"] == "-404944.48"

    (small_landing / "referanse" / "overforbruk_godkjent.csv").write_text(
        "aar;godkjent_av;dato;begrunnelse\n2020;Økonomisjef;15.03.2021;Avklart med Helsedirektoratet\n",
        encoding="utf-8",
    )
    _, checks = _materialize(2020, resources)
    assert checks["overspend_acknowledged_before_report"].passed is True
    assert "Økonomisjef" in checks["overspend_acknowledged_before_report"].metadata["acknowledged_by"].value
    assert (tmp_path / "out" / "2020" / "statusrapport-2020.pdf").exists()


def test_a_year_after_the_grant_period(years):
    _, store, _, landing, resources = years
    satser = landing / "referanse" / "satser.csv"
    satser.write_text(satser.read_text(encoding="utf-8") + "2024;250000;50000\n", encoding="utf-8")
    (landing / "2024").mkdir()
    (landing / "2024" / "1804_kostnader.csv").write_text(
        "kommunenummer;rapportaar;bilagsnummer;bilagsdato;kategori;finansieringskilde;belop;alis_id;beskrivelse\n"
        "1804;2024;X1;10.01.2024;kurs;helsedirektoratet;1 000,00;;Kurs etter perioden\n",
        encoding="utf-8",
    )
    # 2024/ is a report year for a code location that loads with this landing area (the one
    # these tests import was loaded with the bundled sample, 2019–2023): run it from the CLI
    home = landing.parent / "dagster_home"
    home.mkdir()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ALIS_LANDING_DIR": str(landing),
        "ALIS_OUTPUT_DIR": str(landing.parent / "out"),
        "ALIS_DATABASE_URL": store.url,
    }
    ran = _materialize_from_the_cli(2024, env)
    assert ran.returncode == 0, ran.stderr[-3000:]
    with DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs()
        checks = {
            e.dagster_event.event_specific_data.check_name: e.dagster_event.event_specific_data
            for e in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        }
    assert checks["no_helsedirektoratet_costs_outside_grant_period"].passed is False
    assert checks["no_helsedirektoratet_costs_outside_grant_period"].severity.value == "ERROR"
    use = grant_use_from_row(store.rows(tables.grant_use, 2024)[0])
    # nothing of 2024 counts against the grant; 2021–2023 were never run, so only 2019 and 2020 count
    assert use.used_in_year == Decimal("0.00")
    assert use.used_cumulative == Decimal("904944.48")
    assert use.years_missing == (2021, 2022, 2023)
    assert [r["remaining_years"] for r in store.rows(tables.grant_forecast, 2024)] == ["", ""]


def test_the_sample_years_show_the_same_totals_in_ui_workbook_and_summary(sample_years):
    out = sample_years["out"]
    for year in range(2019, 2024):
        result = sample_years["results"][year]
        checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert result.success
        summary = json.loads((out / str(year) / "summary.json").read_text(encoding="utf-8"))
        metadata = _metadata(result)
        used = Decimal(summary["grant"]["used_cumulative_nok"])
        assert metadata["grant_use"]["used_cumulative_kr"].value == int(
            used.quantize(Decimal(1), rounding="ROUND_HALF_UP")
        )
        sheet = openpyxl.load_workbook(io.BytesIO((out / str(year) / f"budget-{year}.xlsx").read_bytes()))[
            "Sammendrag"
        ]
        figures = {row[0].value: Decimal(str(row[1].value)) for row in sheet.iter_rows(min_row=2)}
        assert figures["Brukt av tilskuddet hittil"] == used
        assert figures[f"ALIS-tilskudd {year} (etter ansettelsesdager)"] == Decimal(summary["alis_grant_nok"])
        assert figures[f"Kostnader {year} dekket av Statsforvalteren"] == Decimal(
            summary["costs_nok"]["statsforvalter"]
        )
        assert checks["helsedirektoratet_grant_not_overspent"].passed  # the sample stays inside the grant
        workbook = openpyxl.load_workbook(out / str(year) / f"budget-{year}.xlsx")
        unused = {row[0].value: row for row in workbook["Ubrukte midler"].iter_rows(min_row=2)}
        for source, label in (
            ("helsedirektoratet", "Helsedirektoratet"),
            ("statsforvalter", "Statsforvalteren"),
        ):
            received, used_by = (Decimal(str(cell.value)) for cell in unused[label][1:3])
            assert received - used_by == Decimal(summary["unused"][f"{source}_nok"])  # the sheet's =B−C
            assert metadata["unused_funds"][f"unused_{source}_kr"].value == int(
                (received - used_by).quantize(Decimal(1), rounding="ROUND_HALF_UP")
            )
    assert (
        summary["grant"]["used_cumulative_nok"] == "21820387.03"
    )  # 2023: what the sample's five years add up to
    # sample_landing/referanse/utbetalinger.csv: Helsedirektoratet paid 5 000 000 + 5 000 000 +
    # 5 800 000 + 6 600 000 = 22 400 000.00, so 22 400 000.00 − 21 820 387.03 = 579 612.97 is unused
    # at the end of the grant period; the Statsforvalter paid its five yearly grants, 7 000 000.00
    assert summary["payments"]["helsedirektoratet"]["cumulative_nok"] == "22400000.00"
    assert summary["payments"]["statsforvalter"]["cumulative_nok"] == "7000000.00"
    assert summary["unused"]["helsedirektoratet_nok"] == "579612.97" and summary["unused"]["final_year"]
    assert checks["no_unused_funds_at_end_of_grant_period"].passed is False  # stated in the final report
