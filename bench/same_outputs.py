"""Are the five sample years' outputs and warehouse rows the same at two commits?

A refactoring must change no output: ``python bench/same_outputs.py render REV DIR`` exports commit
``REV`` (or ``WORKTREE`` for the working tree as it stands) into ``DIR/src`` without its ``.git``,
so the line naming the commit reads «ukjent» at both, and materializes every asset of 2019–2023
through Dagster's CLI (``dagster asset materialize -m pipelines.definitions``, the interface that
stays put while modules move) into ``DIR/out``, with its own warehouse and mail database. It
then writes every warehouse and mail-queue row, table by table and sorted, to ``DIR/rows/``.

``python bench/same_outputs.py compare DIR_A DIR_B`` compares the two byte by byte: every output
file and every row file. The only values left out are the clock's, which differ between two runs of
the same commit too: a column stamped with the time of the run (``VOLATILE``), an e-mail's
``Date:`` header and the time a message was queued on a feedback page (``CLOCK``). A file that is
the same only once those are masked is counted and named as such.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECEIVED = 1_700_000_000  # 14 November 2023, every exported file's modification time
YEARS = ["2019", "2020", "2021", "2022", "2023"]
# Columns stamped with the time of the run (not derived from the landing area): left out.
VOLATILE = {
    "loaded_at",
    "queued_at",
    "sent_at",
    "next_attempt_at",
    "lease_until",
    "attempted_at",
    "run_at",
    "created_at",
    "updated_at",
    "materialized_at",
    "ran_at",
    "checked_at",
}

CLOCK = {  # by suffix: the clock's text in an output file, masked before a second comparison
    ".eml": re.compile(rb"^Date: .*$", re.MULTILINE),
    ".html": re.compile(rb"\d{1,2}\. [a-z]+ \d{4} kl\. \d\d:\d\d"),
}


def export(rev: str, into: Path) -> None:
    """The commit's files (or the working tree's), each with the same modification time, which
    the pipeline records as a file's time of receipt: a checkout's clock is not the code's."""
    _export(rev, into)
    for path in into.rglob("*"):
        os.utime(path, (RECEIVED, RECEIVED), follow_symlinks=False)


def _export(rev: str, into: Path) -> None:
    into.mkdir(parents=True)
    if rev == "WORKTREE":
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.split(b"\0")
        for name in filter(None, files):
            source = ROOT / os.fsdecode(name)
            if source.is_file():
                (into / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, into / os.fsdecode(name))
        return
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=archive, check=True)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(into, filter="data")


def render(rev: str, directory: Path) -> None:
    directory = directory.resolve()
    if directory.exists():
        shutil.rmtree(directory)
    src = directory / "src"
    export(rev, src)
    (directory / "dagster_home").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ALIS_", "DAGSTER_"))},
        "PYTHONPATH": str(src),
        "DAGSTER_HOME": str(directory / "dagster_home"),
        "ALIS_LANDING_DIR": str(src / "sample_landing"),
        "ALIS_OUTPUT_DIR": str(directory / "out"),
        "ALIS_DATABASE_URL": f"sqlite:///{directory / 'warehouse.sqlite'}",
        "ALIS_MAIL_DATABASE_URL": f"sqlite:///{directory / 'mail.sqlite'}",
    }
    dagster = Path(sys.executable).parent / "dagster"
    for year in YEARS:
        subprocess.run(
            [
                str(dagster),
                "asset",
                "materialize",
                "-m",
                "pipelines.definitions",
                "--select",
                "*",
                "--partition",
                year,
            ],
            cwd=src,
            env=env,
            check=True,
            capture_output=True,
        )
    dump_rows(directory)


def dump_rows(directory: Path) -> None:
    import sqlalchemy as sa

    rows_dir = directory / "rows"
    rows_dir.mkdir()
    for database in ("warehouse", "mail"):
        engine = sa.create_engine(f"sqlite:///{directory / (database + '.sqlite')}")
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                keep = [c for c in table.columns if c.name not in VOLATILE]
                rows = sorted(
                    json.dumps([str(v) for v in row], ensure_ascii=False)
                    for row in conn.execute(sa.select(*keep))
                )
                header = json.dumps([c.name for c in keep])
                (rows_dir / f"{database}.{table.name}.jsonl").write_text(
                    "\n".join([header, *rows]) + "\n", encoding="utf-8"
                )
        engine.dispose()


def compare(a: Path, b: Path) -> int:
    differing: list[str] = []
    clocked: list[str] = []
    for part in ("out", "rows"):
        stack = [filecmp.dircmp(a / part, b / part)]
        while stack:
            cmp = stack.pop()
            differing += [f"{cmp.left}/{n} (only in {a.name})" for n in cmp.left_only]
            differing += [f"{cmp.right}/{n} (only in {b.name})" for n in cmp.right_only]
            _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
            differing += [f"{cmp.left}/{n}" for n in errors]
            for name in mismatch:
                left, right = Path(cmp.left, name), Path(cmp.right, name)
                (clocked if _same_but_the_clock(left, right) else differing).append(str(left))
            stack += cmp.subdirs.values()
    files = sum(1 for part in ("out", "rows") for p in (a / part).rglob("*") if p.is_file())
    if differing:
        print("\n".join(["Differ:", *sorted(differing)]))
        return 1
    print(
        f"Identical: {files} files (outputs of {', '.join(YEARS)} and every table's rows), "
        f"{len(clocked)} of them once the clock's time is masked"
    )
    return 0


def _same_but_the_clock(left: Path, right: Path) -> bool:
    pattern = CLOCK.get(left.suffix)
    if pattern is None:
        return False
    return pattern.sub(b"CLOCK", left.read_bytes()) == pattern.sub(b"CLOCK", right.read_bytes())


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "render":
        render(args[0], Path(args[1]))
    elif command == "compare":
        sys.exit(compare(Path(args[0]), Path(args[1])))
    else:
        sys.exit(__doc__)
