"""Report stage: the files of ``docs/outputs.md`` under ``ALIS_OUTPUT_DIR/<year>/``.

``report_summary`` writes summary.json and findings.csv and stores the summary in the
warehouse; ``status_report`` renders the PDF from stored rows only. Both declare every asset
whose rows they read, so the UI marks the report stale whenever one of its figures changes.
Earlier years reach the report through ``grant_use``, which depends on the year before.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
)

from assets import budget, ingest, payments, validation
from assets.metadata import kr_text
from pipelines.partitions import report_year, yearly_asset, yearly_check
from pipelines.resources import LandingArea, OutputArea, WarehouseResource

OVERSPEND_ACKNOWLEDGED = "overspend_acknowledged_before_report"


@yearly_asset(
    deps=[
        validation.validated_submissions,
        budget.alis_grant_entitlement,
        budget.costs_by_source,
        budget.grant_use,
        payments.grant_payments,
        payments.unused_funds,
        ingest.reference_data,
    ],
    kinds={"json", "csv"},
    description=(
        "summary.json (the key figures, money as exact decimal strings) and findings.csv (every "
        "validation finding); the summary is stored in the warehouse too, for the status report."
    ),
)
def report_summary(
    context: AssetExecutionContext, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.publishing import publish_files
    from alis_nord.report import (
        SUMMARY_TABLES,
        build_summary,
        findings_csv,
        sorted_findings,
        summary_json,
    )

    year = report_year(context)
    store = warehouse.open()
    summary = build_summary(year, tables.reference_of(store, year), store.stored_rows(year, SUMMARY_TABLES))
    store.replace_year(year, {tables.report_summary: [{"summary": summary}]})
    directory = output.year_dir(year)
    findings = sorted_findings(store.rows(tables.findings, year))
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
    deps=[
        report_summary,
        ingest.landing_files,
        ingest.reference_data,
        validation.validated_submissions,
        budget.costs_by_source,
        budget.grant_use,
        budget.grant_forecast,
        budget.budget_plan_vs_actual,
        budget.statsforvalter_grant_use,
        payments.grant_payments,
        payments.unused_funds,
    ],
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
    from alis_nord.publishing import publish_files
    from alis_nord.status_report import render_html, render_pdf

    year = report_year(context)
    report = status_report_inputs(warehouse.open(), landing.root, year)
    pdf = render_pdf(render_html(report))
    path = output.year_dir(year) / f"statusrapport-{year}.pdf"
    publish_files(path.parent, {path.name: pdf})
    return MaterializeResult(
        metadata={
            "pdf": MetadataValue.path(str(path)),
            "size_bytes": len(pdf),
            "narrative_files": len(report["narrative"]),
            "title": MetadataValue.text(report["cover"]["title"]),
        }
    )


def status_report_inputs(store, landing_root, year: int) -> dict:
    """The status report's context from what the assets above stored: the year's rows of
    ``REPORT_TABLES``, the person tables of the earlier years in the trend, and the project
    office's texts (``<year>/tekst/*.md``, which landing_files lists by SHA-256)."""
    from alis_nord import warehouse as tables
    from alis_nord.narrative import DEVIATIONS_TEXT, OBJECTIVE_TEXT, narrative_texts, placed_text
    from alis_nord.status_report import (
        REPORT_EVERY_YEAR_TABLES,
        REPORT_TABLES,
        TREND_TABLES,
        OfficeTexts,
        status_report_context,
        trend_years,
    )

    reference = tables.reference_of(store, year)
    rows = store.stored_rows(year, REPORT_TABLES, REPORT_EVERY_YEAR_TABLES)
    earlier = [y for y in trend_years(rows, reference.helsedirektoratet_grant().fra_aar) if y != year]
    history = {y: store.stored_rows(y, TREND_TABLES) for y in earlier}
    objective_texts = {
        n: placed_text(landing_root, year, OBJECTIVE_TEXT.format(number=n)) for n in range(1, 6)
    }
    texts = OfficeTexts(
        narrative_texts(landing_root, year),
        placed_text(landing_root, year, DEVIATIONS_TEXT),
        {n: text for n, text in objective_texts.items() if text is not None},
    )
    return status_report_context(reference, rows, history, texts)


@yearly_check(
    asset=report_summary,
    name=OVERSPEND_ACKNOWLEDGED,
    blocking=True,
    additional_deps=[budget.grant_use, ingest.reference_data],
    description=(
        "Holds the status report while Helsedirektoratet's grant is overspent and the overspend is "
        "not acknowledged. To acknowledge, the project office adds a row for the year to "
        "referanse/overforbruk_godkjent.csv (aar;godkjent_av;dato;begrunnelse) and runs the year again."
    ),
)
def overspend_acknowledged(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    from alis_nord import warehouse as tables
    from alis_nord.budget import grant_use_from_row

    year = report_year(context)
    store = warehouse.open()
    use = grant_use_from_row(store.rows(tables.grant_use, year)[0])
    acknowledgement = tables.reference_of(store, year).overspend_acknowledged(year)
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
