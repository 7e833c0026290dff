"""The status report as HTML (``report_templates/statusrapport.html.j2``) and as PDF/A-2a and
PDF/UA-1 (WeasyPrint, with PDF/UA-1's identification added to the XMP packet). WeasyPrint is
imported inside the functions: loading the code location never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def render_html(context: dict[str, Any]) -> str:
    from alis_nord.rendering import render

    return render("statusrapport.html.j2", **context)


def _report_files_only():
    """WeasyPrint's URL fetcher, limited to data: URIs and the files of report_templates/:
    the report never reaches the network or the rest of the disk, whatever a text links to."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    from alis_nord.rendering import TEMPLATE_DIR

    class ReportFiles(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(TEMPLATE_DIR):
                    raise ValueError(f"the report reads no file outside report_templates/: {url}")
            return super().fetch(url, headers)

    return ReportFiles(allowed_protocols={"data", "file"})


# PDF/UA-1's identification (ISO 14289-1, clause 5), with the extension schema PDF/A-2 asks of
# every XMP property outside its predefined schemas (ISO 19005-2, 6.6.2.3.2). It goes inside the
# rdf:RDF that WeasyPrint writes for PDF/A: a second rdf:RDF in the packet is not read.
PDF_UA_IDENTIFICATION = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


def _identify_as_pdf_ua(document, pdf) -> None:
    """WeasyPrint's finisher hook: add PDF/UA-1's identification to the XMP packet that
    ``pdf/a-2a`` wrote, before the file is written."""
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    packet = b"".join(metadata.stream)
    metadata.stream = [packet.replace(b"</rdf:RDF>", PDF_UA_IDENTIFICATION + b"</rdf:RDF>", 1)]


def render_pdf(html: str) -> bytes:
    """PDF/A-2a (archival and tagged) and PDF/UA-1 (accessible), the document language from
    ``<html lang="nb">``, fonts embedded from report_templates/fonts/.

    WeasyPrint writes one variant's identification; the PDF/UA-1 identification is added to the
    same XMP packet by ``_identify_as_pdf_ua``. The tagging both need is WeasyPrint's own
    (``pdf/a-2a`` tags the document); the templates keep it clean (one Link per link)."""
    from weasyprint import HTML

    from alis_nord.rendering import TEMPLATE_DIR

    document = HTML(string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=_report_files_only())
    return document.write_pdf(pdf_variant="pdf/a-2a", finisher=_identify_as_pdf_ua)
