"""Report stage: the files of ``outputs.md`` under ``ALIS_OUTPUT_DIR/<year>/``."""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from assets.budget import grant_use
from assets.validation import validated_submissions
from pipelines.partitions import report_year, report_years
from pipelines.resources import LandingArea, OutputArea, WarehouseResource

OVERSPEND_ACKNOWLEDGED = "overspend_acknowledged_before_report"


@asset(
    partitions_def=report_years,
    group_name="report",
    deps=[validated_submissions, grant_use],
    kinds={"json", "csv"},
    description="summary.json (the key figures, money as exact decimal strings) and findings.csv (every validation finding).",
)
def report_summary(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    from alis_nord.reference import load_reference_data
    from alis_nord.report import (
        build_summary,
        findings_csv,
        sorted_findings,
        summary_json,
        write_text_atomically,
    )

    year = report_year(context)
    store = warehouse.open()
    summary = build_summary(year, load_reference_data(landing.root), store)
    directory = output.year_dir(year)
    write_text_atomically(directory / "summary.json", summary_json(summary))
    findings = sorted_findings(store, year)
    write_text_atomically(directory / "findings.csv", findings_csv(findings))
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


@asset(
    partitions_def=report_years,
    group_name="report",
    deps=[report_summary],
    kinds={"pdf"},
    description=(
        "statusrapport-<year>.pdf: the status report to Helsedirektoratet in bokmål, PDF/A-2a (archival, "
        "tagged, language nb): key figures, financing with charts, the five objectives, the project "
        "office's text, data quality and every input file by SHA-256. Counts under 3 persons are suppressed."
    ),
)
def status_report(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    import json

    from alis_nord.reference import load_reference_data
    from alis_nord.report import write_bytes_atomically
    from alis_nord.status_report import render_html, render_pdf, status_report_context

    year = report_year(context)
    directory = output.year_dir(year)
    summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    report = status_report_context(
        year, summary, load_reference_data(landing.root), warehouse.open(), landing.root
    )
    pdf = render_pdf(render_html(report))
    path = directory / f"statusrapport-{year}.pdf"
    write_bytes_atomically(path, pdf)
    return MaterializeResult(
        metadata={
            "pdf": MetadataValue.path(str(path)),
            "size_bytes": len(pdf),
            "narrative_files": len(report["narrative"]),
        }
    )


@asset_check(
    asset=report_summary,
    name=OVERSPEND_ACKNOWLEDGED,
    blocking=True,
    description=(
        "Holds the status report while Helsedirektoratet's grant is overspent and the overspend is "
        "not acknowledged. To acknowledge, the project office adds a row for the year to "
        "referanse/overforbruk_godkjent.csv (aar;godkjent_av;dato;begrunnelse) and runs the year again."
    ),
)
def overspend_acknowledged(
    context: AssetCheckExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> AssetCheckResult:
    from alis_nord import warehouse as tables
    from alis_nord.norsk import kr
    from alis_nord.reference import load_reference_data

    year = report_year(context)
    use = tables.grant_use_of(warehouse.open(), year)
    acknowledgement = load_reference_data(landing.root).overspend_acknowledged(year)
    metadata = {"remaining": MetadataValue.text(kr(use.remaining))}
    if acknowledgement is not None:
        metadata["acknowledged_by"] = MetadataValue.text(
            f"{acknowledgement.godkjent_av}, {acknowledgement.dato.isoformat()}: {acknowledgement.begrunnelse}"
        )
    return AssetCheckResult(
        passed=use.remaining >= 0 or acknowledgement is not None,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
    )
