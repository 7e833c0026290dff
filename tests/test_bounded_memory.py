"""A file of any size costs bounded memory wherever it is read: the inventory, the landing sensor's
change detection and the self-check (issue 32).

Each case puts a 2 GiB sparse file (``truncate``: no disk blocks, but 2 GiB to anyone who reads it)
where a municipality's table would be and runs the real function in a fresh interpreter, which
reports its own peak resident memory: ``VmHWM`` of ``/proc/self/status``, the high-water mark of
the memory the interpreter got at ``exec``. (Not ``ru_maxrss``: Linux carries a forked child's
``ru_maxrss`` over ``exec``, so a child of the test process starts at the test process's size,
above 100 MB under pytest.) Reading the file whole would raise that peak by 2 048 MB; the bound
asserted is 100 MB. An audit hook in the child (``sys.addaudithook``, event ``open``) records
every time the big file is opened: a file over the landing area's limit (20 MB,
``alis_nord.readers.MAX_FILE_BYTES``) is judged by its ``stat`` and must never be opened at all,
not even to be hashed in chunks or copied. And it must not vanish: it ends up as a ``too_large``
finding (or, for the sensor, as a change that starts its year's run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alis_nord.landing import NOT_READ, USED, landing_changes, year_digest
from alis_nord.readers import MAX_FILE_BYTES
from glue.resources import PROJECT_ROOT

GIB = 1024**3
MB = 1024 * 1024
BOUND = 100 * MB  # the bound for a 2 GiB file

# The child's first lines: every open() of the big file (argv[1]) is recorded, and reported at exit
# with the child's peak resident memory.
WATCH = """
import atexit, json, os, sys
BIG = os.path.realpath(sys.argv[1])
opened = []
def _hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        if os.path.realpath(args[0]) == BIG:
            opened.append(str(args[1]))
sys.addaudithook(_hook)
def peak():
    with open("/proc/self/status") as status:
        (kib,) = [line.split()[1] for line in status if line.startswith("VmHWM:")]
    return int(kib) * 1024
def _report():
    print("WATCHED " + json.dumps({"opened": opened, "peak": peak()}), file=sys.stderr)
atexit.register(_report)
"""

INVENTORY = """
from pathlib import Path
from alis_nord.landing import take_inventory
landing = Path(sys.argv[2])
inventory = take_inventory(landing, 2020)
peak_after_inventory = peak()
# the validation stage on the same inventory (imports pandas and Great Expectations, so it comes after
# the inventory's peak is taken)
from alis_nord.reference_parsing import load_reference_data
from alis_nord.validation import validate_year
findings = validate_year(landing, inventory, load_reference_data(landing)).findings
print(json.dumps({
    "peak_after_inventory": peak_after_inventory,
    "files": {f.path: [f.size_bytes, f.sha256, f.status] for f in inventory.files},
    "findings": [[f.file, f.rule, f.severity, f.message] for f in findings],
}))
"""

SENSOR = """
from pathlib import Path
from alis_nord.landing import landing_changes
changes = landing_changes(Path(sys.argv[2]), {})
print(json.dumps({"files": changes.files, "years_changed": sorted(changes.years_changed)}))
"""

SELF_CHECK = """
from alis_nord.self_check import main
status = main(sys.argv[2:])
sys.stdout.flush()
sys.exit(status)
"""


def _sparse(path: Path, size: int = 2 * GIB) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        stream.truncate(size)
    assert path.stat().st_size == size and path.stat().st_blocks * 512 < MB  # sparse: costs no disk
    return path


def _run(code: str, big: Path, *args: str) -> tuple[int, str, str, dict]:
    """Exit status, stdout and stderr of ``code`` run in a fresh interpreter, and what it watched:
    ``opened``, the modes the big file was opened in, and ``peak``, its peak memory in bytes."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ALIS_CHECK_")}
    child = subprocess.run(
        [sys.executable, "-c", WATCH + code, str(big), *args],
        cwd=PROJECT_ROOT,
        env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (line,) = [line for line in child.stderr.splitlines() if line.startswith("WATCHED ")]
    return child.returncode, child.stdout, child.stderr, json.loads(line.removeprefix("WATCHED "))


def test_the_inventory_lists_a_2_gib_file_unread_and_validation_rejects_it(small_landing):
    big = _sparse(small_landing / "2020" / "1804_alis.csv")  # replaces Bodø's 2020 alis table
    status, out, err, watched = _run(INVENTORY, big, str(small_landing))
    assert status == 0, err[-3000:]
    result = json.loads(out)
    # the whole process up to the end of the inventory: the interpreter and alis_nord.landing's
    # imports (about 20 MB); the file read whole would be 2 048 MB more
    assert result["peak_after_inventory"] < BOUND, result["peak_after_inventory"] / MB
    assert watched["opened"] == []  # judged by its stat: never opened, not even to be hashed
    assert result["files"]["2020/1804_alis.csv"] == [2 * GIB, NOT_READ, USED]
    # a small file is still hashed (in chunks): Vågan's 2020 alis table
    assert len(result["files"]["2020/1865_alis.csv"][1]) == 64
    (too_large,) = [f for f in result["findings"] if f[0] == "2020/1804_alis.csv"]
    assert too_large[1:3] == ["too_large", "fatal"]
    assert "er for stor (2 147 483 648 byte)" in too_large[3]


def test_the_sensor_sees_a_2_gib_file_as_a_change_without_reading_it(small_landing):
    big = _sparse(small_landing / "2020" / "1804_alis.csv")
    status, out, err, watched = _run(SENSOR, big, str(small_landing))
    assert status == 0, err[-3000:]
    result = json.loads(out)
    # the whole child: the interpreter and alis_nord.landing (about 20 MB), against 2 048 MB read whole
    assert watched["peak"] < BOUND, watched["peak"] / MB
    assert watched["opened"] == []
    size, mtime_ns, digest = result["files"]["2020/1804_alis.csv"]
    assert (size, mtime_ns) == (2 * GIB, big.stat().st_mtime_ns)
    assert digest == f"{NOT_READ}: {2 * GIB} byte"
    assert 2020 in result["years_changed"]  # its year's run starts, and rejects it as too large
    cursor = result["files"]

    # In this process from here on (nothing is read, as the child showed): an untouched file is no
    # change, a new size is one (the run key changes with it), and a fix below the limit is hashed.
    assert landing_changes(small_landing, cursor).years_changed == set()
    os.truncate(big, 3 * GIB)
    grown = landing_changes(small_landing, cursor)
    assert grown.years_changed == {2020}
    assert grown.files["2020/1804_alis.csv"][2] == f"{NOT_READ}: {3 * GIB} byte"
    assert year_digest(grown.files, 2020) != year_digest(cursor, 2020)
    os.truncate(big, MAX_FILE_BYTES)  # at the limit: allowed, so read (in chunks) and hashed
    fixed = landing_changes(small_landing, grown.files)
    assert fixed.years_changed == {2020}
    assert len(fixed.files["2020/1804_alis.csv"][2]) == 64


def test_the_self_check_rejects_a_2_gib_file_in_place(small_landing, tmp_path, monkeypatch):
    """The same self-check on a small valid file is the baseline (Python, pandas and Great
    Expectations: about 230 MB); the 2 GiB file may cost at most 100 MB above it."""
    big = _sparse(tmp_path / "innsending" / "1804_alis.csv")
    small = small_landing / "2020" / "1804_alis.csv"  # Bodø's 2020 alis table, 2 valid rows
    monkeypatch.setenv("ALIS_LANDING_DIR", str(small_landing))  # its reference files
    status, out, err, baseline = _run(SELF_CHECK, big, str(small), "--aar", "2020")
    assert status == 0, err[-3000:]
    assert "ALIS-leger (1804_alis.csv): 2 rader godkjent, 0 holdt utenfor." in out
    status, out, err, watched = _run(SELF_CHECK, big, str(big), "--aar", "2020")
    assert status == 1, err[-3000:]  # a table rejected
    assert watched["peak"] - baseline["peak"] < BOUND, (baseline["peak"] / MB, watched["peak"] / MB)
    assert watched["opened"] == []  # neither read nor copied to /tmp: it is validated where it is
    assert "Avvist: 1804_alis.csv: Tabellen «alis» er for stor (2 147 483 648 byte)" in out
    assert "ALIS-leger (1804_alis.csv): avvist, ingen rader blir brukt." in out
