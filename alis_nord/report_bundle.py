"""The status report's files for Helsedirektoratet's portal, made together from one context
(``alis_nord.report_context.status_report_context``) so every figure is the same in each: the
PDF (``alis_nord.report_pdf``), the reporting sheet as JSON and workbook
(``alis_nord.reporting_sheet``, ``alis_nord.reporting_workbook``) and the auditor's file
(``alis_nord.auditor_file``).
"""

from __future__ import annotations

from typing import Any

from alis_nord.reference import ReferenceData
from alis_nord.report import RECIPIENT
from alis_nord.report_pdf import render_html, render_pdf
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import report_date


def report_files(reference: ReferenceData, rows: StoredRows, context: dict[str, Any]) -> dict[str, bytes]:
    """The files of the report for the portal, by name: the PDF, the reporting sheet
    (``rapportering-<year>.json`` and ``.xlsx``) and the auditor's file, all from one context so
    every figure is the same in each. The PDF's auditor page names the auditor's file by SHA-256;
    the reporting sheet names both attachments by SHA-256."""
    from hashlib import sha256

    from alis_nord.auditor_file import auditor_workbook_bytes
    from alis_nord.feedback import project_name
    from alis_nord.reporting_sheet import reporting_json, reporting_sheet
    from alis_nord.reporting_workbook import reporting_workbook_bytes

    year = rows.year
    name = project_name(reference)
    auditor_name, pdf_name = f"revisorgrunnlag-{year}.xlsx", f"statusrapport-{year}.pdf"
    auditor = auditor_workbook_bytes(
        reference, rows, context["accounts"], f"{name} · Revisorgrunnlag {year}", report_date(year)
    )
    auditor_file = {"name": auditor_name, "sha256": sha256(auditor).hexdigest(), "size": len(auditor)}
    pdf = render_pdf(render_html({**context, "auditor_file": auditor_file}))
    attachments = {pdf_name: sha256(pdf).hexdigest(), auditor_name: auditor_file["sha256"]}
    sheet = reporting_sheet(context, context["outstanding"], attachments)
    return {
        pdf_name: pdf,
        f"rapportering-{year}.json": reporting_json(sheet).encode("utf-8"),
        f"rapportering-{year}.xlsx": reporting_workbook_bytes(
            sheet, f"{name} · Rapportering til {RECIPIENT} {year}", report_date(year)
        ),
        auditor_name: auditor,
    }
