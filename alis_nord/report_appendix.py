"""The status report's appendix: every input the year's figures came from (submissions,
reference data and the office's texts), each described in words with its status and SHA-256,
and the code version. ``appendix`` is the ``appendix`` block of
``alis_nord.report_context.status_report_context``.
"""

from __future__ import annotations

from typing import Any

from alis_nord.landing import REFERENCE, STATUS_NB, file_status_nb, rejected_files
from alis_nord.reference import ReferenceData
from alis_nord.report import code_version
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import TABLE_TITLES

# What each reference file holds, as the appendix names it: the directorate receives only the report
# and the auditor's file, so the appendix says what an input is, never what the office's file is called.
REFERENCE_CONTENTS = {
    "budsjett.csv": "budsjettet i prosjektplanen",
    "deltakerkommuner.csv": "deltakerkommunene og deres kommunenummer",
    "maal.csv": "målene og målverdiene",
    "prosjekt.yaml": "prosjektprofilen: prosjekteier, signatar og revisor",
    "satser.csv": "satsene for ALIS-tilskudd og egenandel",
    "tilskudd.csv": "tilsagnene om tilskudd",
    "utbetalinger.csv": "utbetalingene prosjektet har mottatt",
}
TEXT_CONTENTS = {  # the office's placed texts; every other text is a part of chapter 4
    "avvik.md": "forklaring av avvik fra budsjettet (kapittel 6)",
    "prosjektforlop.md": "prosjektets forløp i hele tilskuddsperioden (kapittel 4)",
    **{f"maal_{n}.md": f"vurdering av mål {n} (kapittel 3.{n})" for n in range(1, 6)},
}


def input_label(path: str, reference: ReferenceData) -> str:
    """What an input file is, in words: who sent which table, or which reference or text."""
    from alis_nord.landing import parse_file_name

    folder, _, name = path.rpartition("/")
    if folder == "referanse" or folder.endswith("/referanse"):
        return "Referansedata: " + REFERENCE_CONTENTS.get(name, "annen referansefil")
    if folder.endswith("/tekst"):
        from alis_nord.narrative import exclusion_number

        if (number := exclusion_number(name)) is not None:  # uten_<kommunenummer>.md
            return (
                "Prosjektkontorets tekst: begrunnelse for å sende rapporten uten tallene fra "
                f"{reference.name_of(number)} ({number}) (kapittel 1)"
            )
        return "Prosjektkontorets tekst: " + TEXT_CONTENTS.get(name, "beretning (kapittel 4)")
    parsed = parse_file_name(name)
    if parsed is None:
        return "Fil som ikke følger navnemønsteret"
    who = f"{reference.name_of(parsed.kommunenummer)} ({parsed.kommunenummer})"
    tables = ", ".join(TABLE_TITLES[t] for t in parsed.tables)
    form = "Excel" if parsed.kind == "xlsx" else "CSV"
    version = f", versjon {parsed.version}" if parsed.version > 1 else ""
    return f"{who}: {tables} ({form}{version})"


def appendix(rows: StoredRows, reference: ReferenceData) -> dict[str, Any]:
    """Every input the year's figures came from, submissions, reference data and the office's
    texts, each described in words with its status and SHA-256 (the office keeps the files)."""
    rejected = rejected_files(rows["table_deliveries"], rows["findings"])  # never «brukt»
    submissions = [
        {
            "path": f["path"],
            "status": file_status_nb(f, rejected),
            "sha256": f["sha256"],
            "size": f["size_bytes"],
        }
        for f in rows["input_files"]
    ]
    references = [
        {"path": f["path"], "status": STATUS_NB[REFERENCE], "sha256": f["sha256"], "size": f["size_bytes"]}
        for f in rows["reference_files"]
    ]
    files = sorted(submissions + references, key=lambda f: f["path"])
    return {
        "files": [{**f, "label": input_label(f["path"], reference)} for f in files],
        "code_version": code_version(),
    }
