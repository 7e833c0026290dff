"""The warehouse is derived from the landing area: lost, it is rebuilt by running the years again.

So what must be backed up is the landing area and Dagster's run history (README, Operations).
Shown here as an operator would do it: delete the warehouse, run every year again oldest first,
and compare every file of the output folders (the reports, workbooks, feedback pages and
summary.json) byte for byte, and every stored row.
"""

from alis_nord import schema as tables
from alis_nord.warehouse import Warehouse, engine_for
from tests.runs import resources as _resources
from tests.runs import run_year as _run


def _files(output):
    return {str(p.relative_to(output)): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def _stored(database_url):
    store = Warehouse(database_url)
    return {t.name: store.every_year(t) for t in tables.yearly_tables}


def test_a_lost_warehouse_is_rebuilt_from_the_landing_area_byte_for_byte(small_landing, tmp_path):
    warehouse = tmp_path / "warehouse.sqlite"
    url = f"sqlite:///{warehouse}"
    output = tmp_path / "output"
    for year in (2019, 2020):
        _run(year, _resources(small_landing, output, url))
    before_files, before_rows = _files(output), _stored(url)
    assert {"2019/summary.json", "2020/statusrapport-2020.pdf", "2020/budget-2020.xlsx"} <= set(before_files)

    engine_for(url).dispose()
    engine_for.cache_clear()  # a new process would open the new file
    warehouse.unlink()  # the warehouse is lost
    for year in (2019, 2020):  # oldest first: each year's grant use builds on the year before
        _run(year, _resources(small_landing, output, url))

    after_files = _files(output)
    assert sorted(after_files) == sorted(before_files)
    assert [name for name in before_files if after_files[name] != before_files[name]] == []
    assert _stored(url) == before_rows
