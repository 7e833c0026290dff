"""Workbooks that are the same bytes for the same content (for tests, archives and git)."""

from __future__ import annotations

import io
import re
import zipfile

ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)


def deterministic_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps, so the same content gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", content)
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()
