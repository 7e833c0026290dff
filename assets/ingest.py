"""Ingest stage: what arrived in the landing area for a report year, and the reference data.

``landing_files`` lists the year's submissions; ``reference_data`` reads ``referanse/`` once,
validates it, hashes it and stores it, so every later asset of the year computes from the
same reference files, and the UI marks them stale when those files change.
"""

from collections import Counter

from dagster import DataVersion, MaterializeResult, MetadataValue

from alis_nord.declared import DeclaredTables
from assets.metadata import markdown_table
from glue.resources import LandingArea
from glue.yearly import yearly_asset


@yearly_asset(
    writes=("input_files",),
    kinds={"python", "sql"},
    description=(
        "Every file in the landing area's folder for the year, kept by SHA-256 with its path, sender "
        "and version. For each municipality and table the highest _vN is used; older versions are "
        "listed as superseded, never deleted."
    ),
)
def landing_files(year: int, landing: LandingArea, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord.landing import inventory_rows, take_inventory

    inventory = take_inventory(landing.root, year)
    rows = inventory_rows(inventory)
    stored.replace({"input_files": rows})
    by_status = Counter(row["status"] for row in rows)
    return MaterializeResult(
        metadata={
            "files": len(rows),
            "files_used": by_status["used"],
            "files_superseded": by_status["superseded"],
            "files_badly_named": by_status["invalid_name"],
            "tables_delivered": len(inventory.sources),
            "landing_dir": MetadataValue.path(str(landing.root)),
            "inventory": markdown_table(
                ["file", "status", "kommunenummer", "sha256"],
                [
                    [f"`{r['path']}`", r["status"], r["kommunenummer"] or "", f"`{r['sha256'][:12]}…`"]
                    for r in rows
                ],
            ),
        }
    )


@yearly_asset(
    writes=("reference_files", "reference_data"),
    kinds={"python", "sql"},
    description=(
        "The project office's reference data (referanse/: participants, grants, budget, rates, "
        "acknowledged overspends) as the year's run read it: validated (a broken file stops the run "
        "with file and row named), hashed and stored. Its data version is the files' combined "
        "SHA-256, so a changed reference file marks every figure of the year stale, and an unchanged "
        "one marks nothing."
    ),
)
def reference_data(year: int, landing: LandingArea, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord.landing import sha256_of
    from alis_nord.reference import to_document
    from alis_nord.reference_parsing import parse_reference_data, read_reference_files, reference_files

    files = read_reference_files(landing.root)
    reference = parse_reference_data(files)  # raises, naming the file and row, before anything is stored
    listed = reference_files(files)
    digest = sha256_of("\n".join(f"{f.path} {f.sha256}" for f in listed).encode())
    stored.replace(
        {
            "reference_files": [
                {"path": f.path, "sha256": f.sha256, "size_bytes": f.size_bytes} for f in listed
            ],
            "reference_data": [{"sha256": digest, "document": to_document(reference)}],
        }
    )
    return MaterializeResult(
        data_version=DataVersion(digest),
        metadata={
            "files": len(listed),
            "sha256": MetadataValue.text(digest),
            "participants": len(reference.participants_in(year)),
            "reference_files": markdown_table(
                ["file", "bytes", "sha256"], [[f"`{f.path}`", f.size_bytes, f"`{f.sha256}`"] for f in listed]
            ),
        },
    )
