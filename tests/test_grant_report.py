"""What Helsedirektoratet's grant terms ask of the report: payments and unused funds, accounts
against the budget with a confirmation and the auditor's page, targets with a judgement, the
stability of the GPs, and the final report. Figures worked out by hand from tests/small_landing.py
(see tests/test_assets.py for the money of 2019 and 2020):

ALIS grant 2019 209 589.04, 2020 570 355.19; own share 2019 41 917.81, 2020 114 071.04.
Vouchers, all sources: 2019 10 000.00; 2020 115 000.25 (Helsedirektoratet) + 30 000.00
(Statsforvalter) + 184 200.00 (own share) = 329 200.25. Grant use: 219 589.04 and 685 355.44,
cumulative 904 944.48.

Payments written by ``_register_payments``: Helsedirektoratet 600 000.00 on 1 July 2020 and
400 000.00 on 1 December 2020, the Statsforvalter 500 000.00 on 15 March 2020.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from alis_nord.reference import ReferenceDataError
from alis_nord.reference_parsing import load_reference_data
from tests.runs import checks as _checks
from tests.runs import pdf_text as _pdf_text
from tests.runs import run_years as _run
from tests.small_landing import PAYMENTS
from tests.small_landing import register as _register

TARGETS = (
    "maal;indikator;maalverdi;retning;enhet;beskrivelse\n"
    "1;alis_i_utdanning;2;minst;antall;Minst to ALIS i utdanning\n"
    "4;kommuner_med_alis;3;minst;antall;Tre kommuner med ALIS\n"
)
PROFILE = (
    "prosjektnavn: Lofot-ALIS\n"
    "prosjekteier: Testvik kommune\n"
    'organisasjonsnummer: "123456789"\n'
    "signatar_navn: Per Prøve\n"
    "signatar_tittel: Rådmann\n"
    "sted: Testvik\n"
    'helsedirektoratet_saksnummer: "21/999"\n'
    "revisor: ''\n"
)


def _register_payments(landing: Path) -> None:
    _register(landing, "utbetalinger.csv", PAYMENTS)


def _final_in_2020(landing: Path) -> None:
    """Helsedirektoratet's grant period ends in 2020: 2020's report is the final report."""
    path = landing / "referanse" / "tilskudd.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("helsedirektoratet;2019;2023", "helsedirektoratet;2019;2020")
    )


def _metadata(result, asset: str) -> dict:
    (event,) = [m for m in result.get_asset_materialization_events() if m.asset_key.to_user_string() == asset]
    return event.materialization.metadata


# ---------------------------------------------------------------- pure rules


# ---------------------------------------------------------------- reference files


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "utbetalinger.csv",
            "kilde;dato;belop;referanse\nkommunen;01.01.2020;5;x\n",
            r"utbetalinger.csv row 2: kilde 'kommunen'",
        ),
        (
            "utbetalinger.csv",
            "kilde;dato;belop;referanse\nstatsforvalter;31.02.2020;5;x\n",
            r"utbetalinger.csv row 2: '31.02.2020' is not a date",
        ),
        ("maal.csv", TARGETS.replace("kommuner_med_alis", "lykke"), r"maal.csv row 3: indikator 'lykke'"),
        (
            "maal.csv",
            TARGETS.replace("4;kommuner", "2;kommuner"),
            r"maal.csv row 3: kommuner_med_alis belongs to objective 4",
        ),
        (
            "maal.csv",
            TARGETS.replace(";minst;antall;Tre", ";omtrent;antall;Tre"),
            r"maal.csv row 3: retning 'omtrent'",
        ),
        (
            "prosjekt.yaml",
            PROFILE.replace("signatar_navn: Per Prøve\n", ""),
            r"prosjekt.yaml: missing \['signatar_navn'\]",
        ),
        (
            "prosjekt.yaml",
            PROFILE.replace('"123456789"', '"1234"'),
            r"organisasjonsnummer '1234' is not 9 digits",
        ),
        (
            "prosjekt.yaml",
            "prosjektnavn: [uavsluttet\n",
            r"prosjekt.yaml line \d+: not readable as UTF-8 YAML",
        ),
    ],
)
def test_a_broken_new_reference_file_names_the_file_and_row(small_landing, name, text, message):
    _register(small_landing, name, text)
    with pytest.raises(ReferenceDataError, match=message):
        load_reference_data(small_landing)


def test_the_new_reference_files_are_read_as_written(small_landing):
    _register_payments(small_landing)
    _register(small_landing, "maal.csv", TARGETS)
    _register(small_landing, "prosjekt.yaml", PROFILE)
    reference = load_reference_data(small_landing)
    assert [(p.kilde, p.dato, p.belop) for p in reference.payments] == [
        ("helsedirektoratet", dt.date(2020, 7, 1), Decimal("600000.00")),
        ("helsedirektoratet", dt.date(2020, 12, 1), Decimal("400000.00")),
        ("statsforvalter", dt.date(2020, 3, 15), Decimal("500000.00")),
    ]
    assert [(t.maal, t.indikator, t.maalverdi, t.retning) for t in reference.targets] == [
        (1, "alis_i_utdanning", Decimal(2), "minst"),
        (4, "kommuner_med_alis", Decimal(3), "minst"),
    ]
    assert reference.profile.prosjektnavn == "Lofot-ALIS" and reference.profile.revisor == ""


# ---------------------------------------------------------------- payments, unused funds, checks


def test_payments_and_unused_funds_by_hand(small_landing, tmp_path, sqlite_url):
    _register_payments(small_landing)
    results = _run(small_landing, tmp_path, sqlite_url)
    summary = json.loads((tmp_path / "out" / "2020" / "summary.json").read_text(encoding="utf-8"))
    assert summary["payments"] == {
        "registered": True,
        "helsedirektoratet": {
            "in_year_nok": "1000000.00",
            "cumulative_nok": "1000000.00",
        },  # 600 000 + 400 000
        "statsforvalter": {"in_year_nok": "500000.00", "cumulative_nok": "500000.00"},
    }
    assert summary["unused"] == {
        "registered": True,
        "final_year": False,  # the grant runs to 2023
        "helsedirektoratet_nok": "95055.52",  # 1 000 000.00 − 904 944.48
        "statsforvalter_nok": "470000.00",  # 500 000.00 − 30 000.00 (voucher B4)
    }
    # 2019: nothing was paid yet, 219 589.04 was used: the warning fires
    checks_2019 = _checks(results[2019])
    assert checks_2019["use_within_payments_received"].passed is False
    assert checks_2019["use_within_payments_received"].severity.value == "WARN"
    assert _checks(results[2020])["use_within_payments_received"].passed
    assert _checks(results[2020])["no_unused_funds_at_end_of_grant_period"].passed  # not the last year
    assert _checks(results[2020])["payments_dated_within_grant_period"].passed
    # the same figure in the UI and the workbook
    assert _metadata(results[2020], "unused_funds")["unused_helsedirektoratet_kr"].value == 95056  # half-up
    sheet = openpyxl.load_workbook(tmp_path / "out" / "2020" / "budget-2020.xlsx")["Ubrukte midler"]
    name, received, used = (c.value for c in sheet[2][:3])
    assert name == "Helsedirektoratet"
    assert (Decimal(str(received)), Decimal(str(used))) == (Decimal("1000000.00"), Decimal("904944.48"))
    assert sheet["D2"].value == "=B2-C2"


def test_the_final_report_states_the_unused_funds_and_is_called_sluttrapport(
    small_landing, tmp_path, sqlite_url
):
    _register_payments(small_landing)
    _register(small_landing, "prosjekt.yaml", PROFILE)
    _final_in_2020(small_landing)
    _register(
        small_landing, "utbetalinger.csv", PAYMENTS + "helsedirektoratet;15.01.2024;1 000,00;For sent\n"
    )
    results = _run(small_landing, tmp_path, sqlite_url)
    checks = _checks(results[2020])
    unused = checks["no_unused_funds_at_end_of_grant_period"]
    assert unused.passed is False and unused.severity.value == "ERROR"
    assert unused.metadata["unused_helsedirektoratet_kr"].value == 95056  # 95 055.52, half-up
    assert checks["payments_dated_within_grant_period"].passed is False  # the 2024 payment
    # blocking is only the overspend gate: the report was still rendered
    text = _pdf_text(tmp_path / "out" / "2020" / "statusrapport-2020.pdf")
    assert "Sluttrapport for Lofot-ALIS" in text and "Sluttrapport nr. 2" in text
    assert "hele tilskuddsperioden 2019–2020" in text
    # the cover: the whole grant period, the organisation number as Brønnøysund writes it
    assert "Periode 1. januar 2019 – 31. desember 2020" in text
    assert "Organisasjonsnummer 123 456 789" in text
    # nothing remains of the period: the final accounts, not a forecast (chapter 2)
    assert "Prognose ved periodens slutt" not in text and "Prognosen viderefører" not in text
    assert "perioden er slutt, så det er ingen prognose" in text
    # 1 001 000.00 received (the 2024 payment is after the year) − 904 944.48 used
    assert "95 055,52 kr av Helsedirektoratets tilskudd ubrukt" in text
    assert "Revisors bekreftelse" in text and "Prosjektet fyller ikke ut revisors" in text
    assert "Testvik, 31. mars 2021" in text and "Per Prøve" in text and "Rådmann, Testvik kommune" in text
    # income − expenses over 2019–2020: 1 655 988.85 − 1 119 144.48 (see the module docstring)
    assert "536 844,37 kr" in text
    assert "ALIS-Nord" not in text  # the project's identity comes from the profile only
    assert "Lofot-ALIS · Testvik kommune" in text  # the running footer
    # the 2019 report of the same grant is a status report
    status_2019 = _pdf_text(tmp_path / "out" / "2019" / "statusrapport-2019.pdf")
    assert "Statusrapport for Lofot-ALIS" in status_2019
    assert "Periode 1. januar 2019 – 31. desember 2019" in status_2019  # its year only
    assert "Prognose ved periodens slutt" in status_2019 and "Prognosen viderefører" in status_2019


def test_deviations_over_ten_percent_need_an_explanation(small_landing, tmp_path, sqlite_url):
    # 2020: kurs 15 000.25 against a budget of 20 000 (−25 %), samlinger 100 000 with no budget
    results = _run(small_landing, tmp_path, sqlite_url)
    check = _checks(results[2020])["deviations_over_ten_percent_explained"]
    assert check.passed is False and check.severity.value == "WARN"
    assert "Kurs" in check.metadata["deviating_categories"].value
    assert "Samlinger" in check.metadata["deviating_categories"].value
    text = _pdf_text(tmp_path / "out" / "2020" / "statusrapport-2020.pdf")
    assert text.count("forklaring mangler") >= 4  # kurs and samlinger, in the year and the period

    # an explanation belongs to the line its heading names: samlinger is explained, kurs is not
    avvik = small_landing / "2020" / "tekst" / "avvik.md"
    avvik.write_text(
        "Et år med få kurs.\n\n## Samlinger\n\nSamlingen ble flyttet fra 2021.\n", encoding="utf-8"
    )
    results = _run(small_landing, tmp_path, sqlite_url, years=(2020,))
    check = _checks(results[2020])["deviations_over_ten_percent_explained"]
    assert check.passed is False  # avvik.md exists, but kurs has no heading of its own
    assert check.metadata["without_their_own_explanation"].value.strip() == "- Kurs"
    text = _pdf_text(tmp_path / "out" / "2020" / "statusrapport-2020.pdf")
    assert text.count("forklaring mangler") >= 2  # kurs, in the year and the period
    sheet = json.loads((tmp_path / "out" / "2020" / "rapportering-2020.json").read_text(encoding="utf-8"))
    lines = {line["kategori"]: line for line in sheet["budsjett_og_regnskap"]["linjer"]}
    assert lines["kurs"]["aar"]["forklaring"] is None
    assert lines["samlinger"]["aar"]["forklaring"] == {
        "fil": "2020/tekst/avvik.md",
        "avsnitt": "Samlinger",
        "tekst": "Samlingen ble flyttet fra 2021.",
    }
    assert sheet["budsjett_og_regnskap"]["merknad"] == {
        "fil": "2020/tekst/avvik.md",
        "tekst": "Et år med få kurs.",
    }
    assert any(t.startswith("Budsjettlinjen «Kurs» avviker") for t in sheet["rapport"]["utestaaende"])
    assert not any(t.startswith("Budsjettlinjen «Samlinger»") for t in sheet["rapport"]["utestaaende"])

    avvik.write_text(
        avvik.read_text(encoding="utf-8") + "\n## kurs\n\nFærre kurs enn planlagt.\n", encoding="utf-8"
    )
    results = _run(small_landing, tmp_path, sqlite_url, years=(2020,))
    assert _checks(results[2020])["deviations_over_ten_percent_explained"].passed
    text = _pdf_text(tmp_path / "out" / "2020" / "statusrapport-2020.pdf")
    assert "Samlingen ble flyttet fra 2021." in text and "forklaring mangler" not in text
    assert text.count("Samlingen ble flyttet") == 1  # placed in the accounts, not in chapter 4 too


def test_targets_are_judged_and_the_office_text_is_placed(small_landing, tmp_path, sqlite_url):
    _register(small_landing, "maal.csv", TARGETS)
    (small_landing / "2020" / "tekst" / "maal_4.md").write_text("Tre kommuner er med.\n", encoding="utf-8")
    _run(small_landing, tmp_path, sqlite_url)
    text = _pdf_text(tmp_path / "out" / "2020" / "statusrapport-2020.pdf")
    # objective 4: ALIS in 1804 and 1865 in 2020 (1903's table is rejected): 2 against at least 3;
    # 10 % of 3 is 0.3, so 2 is not reached
    assert "Deltakerkommuner med ALIS minst 3 1 2 ikke nådd" in text
    # objective 1: three ALIS, of whom A1002 left: 2 in education, but a count of 2 is suppressed
    assert "minst 2 : : kan ikke vurderes" in text
    assert "Tre kommuner er med." in text and "Prosjektkontorets vurdering" in text


def test_a_landing_area_without_the_new_files_says_what_is_not_registered(
    small_landing, tmp_path, sqlite_url
):
    (small_landing / "referanse" / "prosjekt.yaml").unlink()  # the small landing area has a profile
    _run(small_landing, tmp_path, sqlite_url)
    summary = json.loads((tmp_path / "out" / "2020" / "summary.json").read_text(encoding="utf-8"))
    assert summary["payments"] == {"registered": False} and summary["unused"] == {"registered": False}
    text = _pdf_text(tmp_path / "out" / "2020" / "statusrapport-2020.pdf")
    # said in words: Helsedirektoratet has none of the office's files (issue 31, point 6)
    assert "Prosjektprofil er ikke registrert" in text
    assert "Utbetalinger er ikke registrert, så inntektene" in text
    assert "Prosjektet har ikke registrert målverdier, så måloppnåelsen er ikke vurdert mot mål" in text
    assert "ALIS-Nord" not in text
