"""Report stage: the files of ``docs/outputs.md`` under ``ALIS_OUTPUT_DIR/<year>/``.

``report_summary`` writes summary.json and findings.csv and stores the summary in the
warehouse; ``status_report`` renders the PDF from stored rows only. Both declare the tables
they read (``alis_nord.stored``) and depend on the assets that write them, so the UI marks the
report stale whenever one of its figures changes. Earlier years reach the report through ``grant_use``, which depends on the year before.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    MaterializeResult,
    MetadataValue,
)

from alis_nord.declared import Declaration, DeclaredTables
from alis_nord.stored import REFERENCE_DATA, STATUS_REPORT, SUMMARY, TREND, Reads
from assets.metadata import kr_text, markdown_list
from glue.resources import LandingArea, OutputArea
from glue.yearly import yearly_asset, yearly_check

OVERSPEND_ACKNOWLEDGED = "overspend_acknowledged_before_report"
READY_TO_SEND = "ready_to_send"
# what status_report reads: TREND of each earlier year in the trend too
STATUS_REPORT_READS = STATUS_REPORT + TREND + REFERENCE_DATA


@yearly_asset(
    reads=SUMMARY + Reads(("findings",)) + REFERENCE_DATA,
    writes=("report_summary",),
    kinds={"json", "csv"},
    description=(
        "summary.json (the key figures, money as exact decimal strings) and findings.csv (every "
        "validation finding); the summary is stored in the warehouse too, for the status report."
    ),
)
def report_summary(year: int, stored: DeclaredTables, output: OutputArea) -> MaterializeResult:
    from alis_nord.publishing import publish_files
    from alis_nord.report import (
        build_summary,
        findings_csv,
        sorted_findings,
        summary_json,
    )

    summary = build_summary(year, stored.reference(), stored.stored_rows(SUMMARY))
    stored.replace({"report_summary": [{"summary": summary}]})
    directory = output.year_dir(year)
    findings = sorted_findings(stored.rows("findings"))
    publish_files(
        directory,
        {
            "summary.json": summary_json(summary).encode("utf-8"),
            "findings.csv": findings_csv(findings).encode("utf-8"),
        },
    )
    return MaterializeResult(
        metadata={
            "summary_json": MetadataValue.path(str(directory / "summary.json")),
            "findings_csv": MetadataValue.path(str(directory / "findings.csv")),
            "participants_received": summary["submissions"]["received"],
            "participants_missing": MetadataValue.text(", ".join(summary["submissions"]["missing"]) or "–"),
            "findings": len(findings),
            "summary": MetadataValue.json(summary),
        }
    )


@yearly_asset(
    reads=STATUS_REPORT_READS,
    kinds={"pdf", "json", "excel"},
    description=(
        "What goes to Helsedirektoratet's portal. statusrapport-<year>.pdf: the status report in bokmål, "
        "PDF/A-2a and PDF/UA-1 (archival and accessible): key figures, financing with charts, the five "
        "objectives, accounts, the auditor's page, data quality and every input file by SHA-256; counts "
        "under 3 persons are suppressed. rapportering-<year>.json and .xlsx: the portal form's figures, "
        "the same as the PDF's. revisorgrunnlag-<year>.xlsx: the auditor's file, every accounts line "
        "down to its vouchers. The report says «utkast» until ready_to_send passes."
    ),
)
def status_report(
    year: int, landing: LandingArea, stored: DeclaredTables, output: OutputArea
) -> MaterializeResult:
    from alis_nord.grant_reporting import DRAFT, READY
    from alis_nord.publishing import publish_files
    from alis_nord.report_bundle import report_files

    reference, rows = stored.reference(), stored.stored_rows(STATUS_REPORT)
    report = _report_context(stored, landing.root, reference, rows)
    files = report_files(reference, rows, report)
    directory = output.year_dir(year)
    publish_files(directory, files)
    return MaterializeResult(
        metadata={
            **{name: MetadataValue.path(str(directory / name)) for name in sorted(files)},
            "pdf_size_bytes": len(files[f"statusrapport-{year}.pdf"]),
            "narrative_files": len(report["narrative"]),
            "title": MetadataValue.text(report["cover"]["title"]),
            "status": MetadataValue.text(DRAFT if report["outstanding"] else READY),
            "outstanding": len(report["outstanding"]),
        }
    )


def status_report_inputs(store, landing_root, year: int, reference=None, rows=None) -> dict:
    """The status report's context for a year of a warehouse (``alis_nord.warehouse.Warehouse``),
    read as ``status_report`` reads it."""
    stored = DeclaredTables(store, year, Declaration("status_report", STATUS_REPORT_READS))
    return _report_context(stored, landing_root, reference, rows)


def _report_context(stored: DeclaredTables, landing_root, reference=None, rows=None) -> dict:
    """The status report's context from what the assets above stored: the year's rows of
    ``STATUS_REPORT``, the ``TREND`` tables of the earlier years in the trend, and the project
    office's texts (``<year>/tekst/*.md``, which landing_files lists by SHA-256)."""
    from alis_nord.narrative import (
        COURSE_TEXT,
        OBJECTIVE_TEXT,
        deviation_text,
        exclusion_texts,
        narrative_texts,
        placed_text,
    )
    from alis_nord.report_context import OfficeTexts, status_report_context, trend_years

    year = stored.year
    reference = stored.reference() if reference is None else reference
    rows = stored.stored_rows(STATUS_REPORT) if rows is None else rows
    earlier = [y for y in trend_years(rows, reference.helsedirektoratet_grant().fra_aar) if y != year]
    history = {y: stored.stored_rows(TREND, year=y) for y in earlier}
    objective_texts = {
        n: placed_text(landing_root, year, OBJECTIVE_TEXT.format(number=n)) for n in range(1, 6)
    }
    texts = OfficeTexts(
        narrative_texts(landing_root, year),
        deviation_text(landing_root, year),
        {n: text for n, text in objective_texts.items() if text is not None},
        exclusions=exclusion_texts(landing_root, year),
        progress=placed_text(landing_root, year, COURSE_TEXT),
    )
    return status_report_context(reference, rows, history, texts)


@yearly_check(
    asset=report_summary,
    name=OVERSPEND_ACKNOWLEDGED,
    blocking=True,
    reads=Reads(("grant_use",)) + REFERENCE_DATA,
    description=(
        "Holds the status report while Helsedirektoratet's grant is overspent and the overspend is "
        "not acknowledged. To acknowledge, the project office adds a row for the year to "
        "referanse/overforbruk_godkjent.csv (aar;godkjent_av;dato;begrunnelse) and runs the year again."
    ),
)
def overspend_acknowledged(year: int, stored: DeclaredTables) -> AssetCheckResult:
    from alis_nord.budget import grant_use_from_row

    use = grant_use_from_row(stored.rows("grant_use")[0])
    acknowledgement = stored.reference().overspend_acknowledged(year)
    metadata = {"remaining": kr_text(use.remaining)}
    if acknowledgement is not None:
        metadata["acknowledged_by"] = MetadataValue.text(
            f"{acknowledgement.godkjent_av}, {acknowledgement.dato.isoformat()}: {acknowledgement.begrunnelse}"
        )
    return AssetCheckResult(
        passed=use.remaining >= 0 or acknowledgement is not None,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
    )


@yearly_check(
    asset=status_report,
    name=READY_TO_SEND,
    blocking=False,
    description=(
        "What a case officer at Helsedirektoratet would send back: a participant whose figures for the "
        "year are missing or have errors (delivery_status), per table, with neither a new file, a table "
        "declared empty, nor the office's reason to send without it (<year>/tekst/uten_<kommunenummer>.md); "
        "an objective judged «delvis nådd» or «ikke nådd» without the office's text; a Sluttrapport "
        "without the project's course (<year>/tekst/prosjektforlop.md); a budget line more than 10 % off "
        "without its own explanation (a heading in <year>/tekst/avvik.md); no signatory or case number, "
        "payments that do not match the grant letters, years not computed. Read from "
        "rapportering-<year>.json. The report is rendered anyway, marked «utkast», until this passes."
    ),
)
def ready_to_send(year: int, output: OutputArea) -> AssetCheckResult:
    import json

    from alis_nord.grant_reporting import READY

    sheet = json.loads((output.year_dir(year) / f"rapportering-{year}.json").read_text(encoding="utf-8"))
    items = sheet["rapport"]["utestaaende"]
    return AssetCheckResult(
        passed=not items,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "status": MetadataValue.text(sheet["rapport"]["status"]),
            "outstanding": len(items),
            "to_fix": markdown_list(items, empty=f"Ingenting: {READY}."),
        },
    )
