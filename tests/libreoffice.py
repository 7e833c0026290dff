"""Headless LibreOffice (``soffice``, Debian's libreoffice-calc-nogui, which ``make`` installs):
the tests' way of getting files that real office software wrote, and of printing workbooks.

Every call gets its own profile, so tests never share LibreOffice state and the locale a file
is written in is the one the test asks for (as a clerk's own settings would decide it).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

# LibreOffice's CSV filter options: separator, text quote, character set (76 UTF-8, 65535 UTF-16
# with BOM), first line, cell formats, language, quoted as text, detect numbers, save cell
# contents as shown (what a clerk sees, as Excel's "CSV" does), formulas, trim spaces, sheet
# (-1: every sheet, each to <name>-<sheet>.csv).
CSV_NORWEGIAN_UTF8 = "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true,false,false,-1"
CSV_UNICODE_TEXT = "csv:Text - txt - csv (StarCalc):9,34,65535,1,,0,false,true,true,false,false,-1"
XLSX = "xlsx:Calc MS Excel 2007 XML"
PDF = "pdf"

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>{locale}</value></prop></item>
</oor:items>
"""


def convert(files: list[Path], folder: Path, target: str, locale: str = "nb-NO") -> list[Path]:
    """``files`` converted by LibreOffice set to ``locale``, written into ``folder``; the files
    it wrote, sorted."""
    profile = folder / f"libreoffice-profile-{locale}"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE.format(locale=locale))
    before = set(folder.iterdir())
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return sorted(p for p in set(folder.iterdir()) - before if p.is_file())
