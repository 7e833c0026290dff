"""Validation of the small landing area: each finding asserted exactly."""

from decimal import Decimal

import pytest

from alis_nord.landing import take_inventory
from alis_nord.reference_parsing import load_reference_data
from alis_nord.validation import validate_year


@pytest.fixture
def validation_2020(small_landing):
    return validate_year(
        small_landing, take_inventory(small_landing, 2020), load_reference_data(small_landing)
    )


def _key(f):
    return (f.kommunenummer, f.file, f.table, f.row, f.column, f.rule, f.severity)


def test_findings_of_2020_are_exactly_the_three_planted_ones(validation_2020):
    assert sorted(_key(f) for f in validation_2020.findings) == sorted(
        [
            ("", "2020/Kostnader Vågan.csv", "", None, "", "file_name", "fatal"),
            ("1804", "2020/1804_kostnader.csv", "kostnader", 8, "kategori", "invalid_code", "error"),
            ("1903", "2020/1903_alis.csv", "alis", None, "", "not_participant", "fatal"),
        ]
    )


def test_message_names_row_value_and_valid_codes_in_bokmal(validation_2020):
    finding = next(f for f in validation_2020.findings if f.rule == "invalid_code")
    assert finding.value == "kaffe"
    assert finding.message == (
        "Rad 8: kategori «kaffe» er ikke en gyldig verdi. Gyldige verdier: veiledning, kurs, reise, vikar, "
        "sykehustjeneste, prosjektledelse, samlinger, annet."
    )


def test_rows_received_are_accepted_or_quarantined(validation_2020):
    # 1804: alis 2 + kostnader 6 (the empty row is not counted) + fastlegedekning 1 = 9;
    # 1865: alis 1 + kostnader_v2 2 = 3 (the superseded v1 is not counted); 1903: alis 1. Total 13.
    assert validation_2020.rows_received == 13
    # quarantined: the «kaffe» voucher and the one row of the rejected 1903 table
    assert len(validation_2020.quarantined) == 2
    assert sum(len(t.accepted) for t in validation_2020.tables) == 11


def test_typed_values_are_exact(validation_2020):
    vouchers = {v["bilagsnummer"]: v for v in validation_2020.accepted("kostnader")}
    assert vouchers["B1"]["belop"] == Decimal("12500.50")
    assert vouchers["B3"]["belop"] == Decimal("-2500.25")  # credit note
    assert vouchers["B4"]["kategori"] == "veiledning"  # « Veiledning » trimmed and folded
    assert vouchers["R2"]["finansieringskilde"] == "helsedirektoratet"
    assert vouchers["R1"]["beskrivelse"] == "Reise til Svolvær"  # from Windows-1252
    alis = {a["alis_id"]: a for a in validation_2020.accepted("alis")}
    assert alis["A1002"]["tilsettingsform"] == "næringsdrift"  # written «naeringsdrift»
    assert alis["A1002"]["individuell_veiledning_timer"] == Decimal("30.5")


def test_a_workbook_is_read_with_real_dates(small_landing):
    result = validate_year(
        small_landing, take_inventory(small_landing, 2019), load_reference_data(small_landing)
    )
    assert result.findings == []
    (alis,) = result.accepted("alis")
    assert alis["startdato"].isoformat() == "2019-03-01"
    (voucher,) = result.accepted("kostnader")
    assert voucher["belop"] == Decimal("10000.00") and voucher["kommunenummer"] == "1804"


def _validate_one(tmp_path, small_landing, name: str, content: bytes):
    (small_landing / "2021").mkdir(exist_ok=True)
    (small_landing / "2021" / name).write_bytes(content)
    return validate_year(
        small_landing, take_inventory(small_landing, 2021), load_reference_data(small_landing)
    )


def test_a_broken_file_is_a_finding_and_the_rest_of_the_year_goes_on(tmp_path, small_landing):
    (small_landing / "2021").mkdir()
    (small_landing / "2021" / "1865_alis.csv").write_bytes(b"\x00\xff\xfe binary garbage")
    (small_landing / "2021" / "1804_fastlegedekning.csv").write_text(
        "kommunenummer;rapportaar;fastlegehjemler;ledige_hjemler;innbyggere_uten_fastlege;nye_fastleger;fastleger_sluttet\n"
        "1804;2021;52;60;100;1;1\n",
        encoding="utf-8",
    )
    result = validate_year(
        small_landing, take_inventory(small_landing, 2021), load_reference_data(small_landing)
    )
    assert sorted(_key(f) for f in result.findings) == [
        (
            "1804",
            "2021/1804_fastlegedekning.csv",
            "fastlegedekning",
            2,
            "ledige_hjemler",
            "ledige_over_hjemler",
            "error",
        ),
        ("1865", "2021/1865_alis.csv", "alis", None, "", "unreadable", "fatal"),
    ]


def test_a_missing_column_rejects_the_table_and_quarantines_every_row(small_landing):
    result = _validate_one(
        None, small_landing, "1804_kostnader.csv", b"kommunenummer;rapportaar\n1804;2021\n1804;2021\n"
    )
    (finding,) = result.findings
    assert (finding.rule, finding.severity, finding.row) == ("missing_column", "fatal", None)
    assert "bilagsnummer" in finding.message and "belop" in finding.message
    assert result.rows_received == 2 and len(result.quarantined) == 2


def test_the_contract_reads_the_same_with_libyaml_and_pure_python():
    # the contract is read with libyaml's safe loader when PyYAML has it (faster code location
    # load); every contract file must give exactly what the pure-Python safe loader gives
    from pathlib import Path

    import yaml

    from alis_nord.contract import _load_yaml

    files = sorted((Path(__file__).resolve().parent.parent / "data_contracts").glob("*.yaml"))
    assert len(files) == 4  # common, alis, fastlegedekning, kostnader
    for path in files:
        assert _load_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path.name
    assert yaml.__with_libyaml__  # so the fast path is the one being compared
