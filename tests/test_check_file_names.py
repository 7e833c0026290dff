"""`make check-file FILE=…` takes any file name and runs nothing from it (issue 32).

A clerk's file name reaches the office as it was typed, and the office copies it into
``FILE=…``. The tests run the Makefile's real target with ``make``, given arguments as a shell
would after the office quoted the name (one argument ``FILE=<name>``, no shell in between), on
files in a temporary folder whose names try every way in: the shell's ``;``, ``&``, ``|``,
``$(…)`` and backticks, make's own ``$(shell …)``, quotes of both kinds, spaces, brackets and
``#``. Each injected command would create the file named by ``$PWNED`` (an absolute path in the
test's folder, set in make's environment), and none may. Each file must get the check's answer
(bokmål) under its exact name: proof that the name arrived whole.

``make -o venv`` treats the ``venv`` prerequisite as up to date without looking at it: the
virtualenv is the one running these tests (``BIN=`` points at it), so make neither checks the
Debian packages nor rebuilds ``.venv`` when ``requirements.lock`` is newer than it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from glue.resources import PROJECT_ROOT

INJECTED = {
    "shell": "1804_alis;touch $PWNED;$(touch $PWNED)&touch $PWNED&|touch $PWNED|`touch $PWNED`.csv",
    "make": "1804_alis $(shell touch $${PWNED}) ${shell touch $${PWNED}} #.csv",
    "quotes": "1804 alis [kopi] (2) 'enkel' \"dobbel\" it's \\ %.csv",
}
REFUSED_NAME = "Filnavnet «{}» følger ikke mønsteret"
ACCEPTED_ALIS = "ALIS-leger (1804_alis.csv): 2 rader godkjent, 0 holdt utenfor."  # small_landing's 2020 file


def _check_file(value: str, tmp_path: Path, landing: Path) -> subprocess.CompletedProcess:
    # a make around pytest (make test) must not pass its flags on; nor may FILE, YEAR or the check's
    # own variables come from the test's environment
    unwanted = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "FILE", "YEAR", "ALIS_CHECK_FILES", "ALIS_CHECK_YEAR"}
    env = {key: setting for key, setting in os.environ.items() if key not in unwanted}
    return subprocess.run(
        ["make", "-s", "-C", str(PROJECT_ROOT), "-o", "venv", f"BIN={Path(sys.executable).parent}"]
        + ["check-file", f"FILE={value}", "YEAR=2020"],
        env={**env, "PWNED": str(tmp_path / "pwned"), "ALIS_LANDING_DIR": str(landing)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("kind", sorted(INJECTED))
def test_a_hostile_file_name_is_checked_and_nothing_in_it_runs(kind, small_landing, tmp_path):
    name = INJECTED[kind]
    hostile = tmp_path / "innboks" / name
    hostile.parent.mkdir()
    shutil.copyfile(small_landing / "2020" / "1804_alis.csv", hostile)
    run = _check_file(str(hostile), tmp_path, small_landing)
    assert not (tmp_path / "pwned").exists(), run.stdout + run.stderr
    assert run.returncode == 2, run.stderr  # make's status when the check says 1: a file is rejected
    assert "Kontroll av 1 fil(er) for 2020" in run.stdout
    assert REFUSED_NAME.format(name) in run.stdout  # the name arrived whole, quotes and all


def test_several_files_one_in_a_hostile_folder_and_one_quoted(small_landing, tmp_path):
    """Several files in one FILE, split as a shell splits words: a valid name in a folder whose
    name tries the shell, one hostile name quoted, and one plain name as the README writes them."""
    folder = tmp_path / "innboks; touch $PWNED; 'x' \"y\" $(touch $PWNED)"
    folder.mkdir()
    shutil.copyfile(small_landing / "2020" / "1804_alis.csv", folder / "1804_alis.csv")
    hostile = tmp_path / INJECTED["shell"]
    hostile.write_text("kommunenummer\n1804\n", encoding="utf-8")
    plain = small_landing / "2020" / "1804_fastlegedekning.csv"
    value = " ".join([shlex.quote(str(folder / "1804_alis.csv")), shlex.quote(str(hostile)), str(plain)])
    run = _check_file(value, tmp_path, small_landing)
    assert not (tmp_path / "pwned").exists(), run.stdout + run.stderr
    assert "Kontroll av 3 fil(er) for 2020" in run.stdout
    assert ACCEPTED_ALIS in run.stdout
    assert REFUSED_NAME.format(INJECTED["shell"]) in run.stdout
    assert "Fastlegedekning (1804_fastlegedekning.csv): 1 rader godkjent, 0 holdt utenfor." in run.stdout


def test_the_documented_usage_passes_clean_files(small_landing, tmp_path):
    files = [small_landing / "2020" / name for name in ("1804_alis.csv", "1804_fastlegedekning.csv")]
    run = _check_file(" ".join(str(f) for f in files), tmp_path, small_landing)
    assert run.returncode == 0, run.stdout + run.stderr
    assert ACCEPTED_ALIS in run.stdout and run.stdout.rstrip().endswith("Klar til innsending.")


def test_a_file_that_is_not_there_is_named_in_bokmal(small_landing, tmp_path):
    run = _check_file(str(tmp_path / "1804 alis $(touch $PWNED).csv"), tmp_path, small_landing)
    assert not (tmp_path / "pwned").exists()
    assert run.returncode == 2
    # not the name of a file, so split as a shell would: four words, none of them a file
    assert f"Finner ikke: «{tmp_path}/1804», «alis», «$(touch», «$PWNED).csv»" in run.stderr
