"""A run that dies in the middle of a year leaves the old year or the new one, never a mix: in
the warehouse (one transaction per slice) and in the year's output folder (alis_nord.publishing).
"""

import json

import pytest
from dagster import materialize

from alis_nord import publishing
from alis_nord.schema import (
    costs_by_source,
    grant_use,
    report_summary,
    statsforvalter_grant_use,
    yearly_tables,
)
from alis_nord.warehouse import Warehouse
from tests.runs import ALL_ASSETS
from tests.runs import resources as _resources
from tests.runs import run_year as _run


class InjectedCrash(RuntimeError):
    pass


def _rows_then_crash(rows: list[dict]):
    yield from rows[:1]
    raise InjectedCrash("killed after half the tables")


def test_a_crash_after_half_the_tables_leaves_the_old_year(small_landing, tmp_path, database_url):
    _run(2019, _resources(small_landing, tmp_path / "output", database_url))
    store = Warehouse(database_url)
    before = {t.name: store.rows(t, 2019) for t in yearly_tables}
    assert before["costs_by_source"] and before["grant_use"]  # the year is there to lose
    new_costs = [{**row, "belop_ore": row["belop_ore"] + 1} for row in before["costs_by_source"]]
    with pytest.raises(InjectedCrash):
        store.replace_year(
            2019,
            {
                costs_by_source: new_costs,  # the first table is replaced ...
                statsforvalter_grant_use: [],  # ... and the second emptied ...
                grant_use: _rows_then_crash(before["grant_use"]),  # ... when the run dies in the third
            },
        )
    assert {t.name: store.rows(t, 2019) for t in yearly_tables} == before


def test_a_crash_while_writing_files_leaves_the_old_set(tmp_path, monkeypatch):
    publishing.publish_files(tmp_path, {"summary.json": b"old summary", "findings.csv": b"old findings"})
    written = []

    def crash_on_the_second(directory, name, data):
        if written:
            raise InjectedCrash("killed while writing")
        written.append(real(directory, name, data))
        return written[-1]

    real = publishing._write_hidden
    monkeypatch.setattr(publishing, "_write_hidden", crash_on_the_second)
    with pytest.raises(InjectedCrash):
        publishing.publish_files(tmp_path, {"summary.json": b"new summary", "findings.csv": b"new findings"})
    # the first file was written in full, but under a hidden name, and is cleaned away
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        "summary.json": b"old summary",
        "findings.csv": b"old findings",
    }


def test_a_crash_while_building_a_folder_leaves_the_old_pages(tmp_path, monkeypatch):
    folder = tmp_path / "feedback"
    publishing.publish_folder(folder, {"1804.html": b"old 1804", "1865.html": b"old 1865"})
    real_write = publishing.Path.write_bytes
    calls = []

    def crash_on_the_second(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise InjectedCrash("killed while writing the pages")
        return real_write(path, data)

    monkeypatch.setattr(publishing.Path, "write_bytes", crash_on_the_second)
    with pytest.raises(InjectedCrash):
        publishing.publish_folder(folder, {"1804.html": b"new 1804", "1865.html": b"new 1865"})
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        "1804.html": b"old 1804",
        "1865.html": b"old 1865",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["feedback"]  # nothing staged is left beside it
    # a later run replaces the whole folder: a page of a municipality no longer there goes
    publishing.publish_folder(folder, {"1804.html": b"new 1804"})
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {"1804.html": b"new 1804"}


def test_a_crash_in_report_summary_keeps_last_runs_summary_and_findings(
    small_landing, tmp_path, sqlite_url, monkeypatch
):
    resources = _resources(small_landing, tmp_path / "output", sqlite_url)
    _run(2019, resources)
    year_dir = tmp_path / "output" / "2019"
    before = {name: (year_dir / name).read_bytes() for name in ("summary.json", "findings.csv")}
    # a changed landing area, then a run that dies while it writes the second of its two files
    (small_landing / "2019" / "1865_kostnader.csv").write_text(
        "kommunenummer;rapportaar;bilagsnummer;bilagsdato;kategori;finansieringskilde;belop;alis_id;beskrivelse\n"
        "1865;2019;V1;01.02.2019;kurs;helsedirektoratet;100;;Kurs\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(publishing, "_write_hidden", _crash_on_findings(publishing._write_hidden))
    result = materialize(ALL_ASSETS, partition_key="2019", resources=resources, raise_on_error=False)
    assert not result.success
    stored = Warehouse(sqlite_url).rows(report_summary, 2019)[0]["summary"]
    assert stored["rows"] != json.loads(before["summary.json"])["rows"]  # the run had new figures ...
    assert {name: (year_dir / name).read_bytes() for name in before} == before  # ... the folder the old ones


def _crash_on_findings(real):
    def write(directory, name, data):
        if name == "findings.csv":
            raise InjectedCrash("killed while writing findings.csv")
        return real(directory, name, data)

    return write
