"""What goes back to the municipalities: feedback pages, the template, the format document."""

import io

from alis_nord.contract import all_rules, table_contracts
from alis_nord.contract_docs import FORMAT_DOC, format_doc
from alis_nord.landing import take_inventory
from alis_nord.reference_parsing import load_reference_data
from alis_nord.template import submission_template
from alis_nord.validation import validate_year
from tests.submissions import landing_2021 as _landing


def test_the_format_document_is_generated_from_the_contract():
    # run `make contract-docs` after changing data_contracts/*.yaml
    assert FORMAT_DOC.read_text(encoding="utf-8") == format_doc()
    text = format_doc()
    for rule_id in all_rules():
        assert f"`{rule_id}`" in text
    for contract in table_contracts().values():
        for column in contract.columns:
            assert f"`{column.name}`" in text


def test_a_workbook_filled_in_from_the_template_passes_validation(tmp_path):
    import datetime as dt

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(submission_template(2021)))
    assert workbook.sheetnames == ["Veiledning", "alis", "kostnader", "fastlegedekning"]
    workbook["alis"].append(
        [
            "1804",
            2021,
            "A1001",
            "fastlønn",
            dt.datetime(2019, 3, 1),
            None,
            "aktiv",
            48,
            24,
            40,
            "ikke_startet",
            35,
        ]
    )
    workbook["kostnader"].append(
        ["1804", 2021, "B1", dt.datetime(2021, 1, 15), "kurs", "helsedirektoratet", 12500.5, "A1001", "Kurs"]
    )
    workbook["kostnader"].append(
        ["1804", 2021, "B2", dt.datetime(2021, 2, 1), "reise", "egenandel", -250, None, None]
    )
    workbook["fastlegedekning"].append(["1804", 2021, 52, 3, 2800, 4, 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    root = _landing(tmp_path, {"1804.xlsx": buffer.getvalue()})
    result = validate_year(root, take_inventory(root, 2021), load_reference_data(root))
    assert result.findings == []
    assert sum(len(t.accepted) for t in result.tables) == 4


def test_the_template_offers_the_codes_and_explains_every_column():
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(submission_template(2021)))
    lists = {
        str(dv.sqref): dv.formula1
        for dv in workbook["kostnader"].data_validations.dataValidation
        if dv.type == "list"
    }
    assert lists == {
        "E2:E501": '"veiledning,kurs,reise,vikar,sykehustjeneste,prosjektledelse,samlinger,annet"',
        "F2:F501": '"helsedirektoratet,statsforvalter,egenandel"',
    }
    assert workbook["alis"]["E2"].number_format == "DD.MM.YYYY"
    assert workbook["kostnader"].freeze_panes == "A2"
    instructions = " ".join(
        str(c.value) for row in workbook["Veiledning"].iter_rows() for c in row if c.value
    )
    assert "15. mars 2022" in instructions  # the deadline after report year 2021
    for contract in table_contracts().values():
        for column in contract.columns:
            assert column.name in instructions
    assert submission_template(2021) == submission_template(2021)  # same bytes every time
