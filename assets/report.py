"""Report stage: the files of ``outputs.md`` under ``ALIS_OUTPUT_DIR/<year>/``."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.budget import grant_use
from assets.validation import validated_submissions
from pipelines.partitions import report_years
from pipelines.resources import LandingArea, OutputArea, WarehouseResource


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

    year = int(context.partition_key)
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
    description="statusrapport-<year>.pdf: the status report to Helsedirektoratet, PDF/A-2a in bokmål.",
)
def status_report(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    import json

    from alis_nord.reference import load_reference_data
    from alis_nord.report import render_html, render_pdf, report_context, write_bytes_atomically

    year = int(context.partition_key)
    directory = output.year_dir(year)
    summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    html = render_html(report_context(year, summary, load_reference_data(landing.root), warehouse.open()))
    pdf = render_pdf(html)
    path = directory / f"statusrapport-{year}.pdf"
    write_bytes_atomically(path, pdf)
    return MaterializeResult(metadata={"pdf": MetadataValue.path(str(path)), "size_bytes": len(pdf)})
