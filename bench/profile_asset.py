"""Where one asset's time goes: pyinstrument's call tree for one asset of one report year.

The assets before it in the graph (the floor's order, bench/floor.py) run first, unprofiled,
into the same warehouse and output directory, so the asset sees what it sees in a real run.
Cumulative figures need the earlier years in the warehouse: run those first (``make report``
or bench/floor.py) against the same database.

Run: .venv/bin/python bench/profile_asset.py <landing> <year> <asset> [<database_url> [<output_dir>]]
     make profile ASSET=budget_workbook YEAR=2023 LANDING=/path/to/landing
The tree is printed and written to bench/work/profile-<asset>-<year>.html.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from floor import asset_functions, call_asset, resources_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main(landing: str, year: str, target: str, database_url: str = "", output_dir: str = "") -> None:
    from pyinstrument import Profiler

    work = ROOT / "bench" / "work"
    work.mkdir(parents=True, exist_ok=True)
    resources = resources_for(
        landing,
        database_url or f"sqlite:///{work / 'profile.sqlite'}",
        output_dir or str(work / "profile_output"),
    )
    functions = asset_functions()  # in graph order
    order = list(functions)
    if target not in order:
        raise SystemExit(f"unknown asset {target!r}; one of: {', '.join(order)}")
    for name in order[: order.index(target)]:
        call_asset(functions[name], resources, year)
    profiler = Profiler()
    started = time.perf_counter()
    with profiler:
        call_asset(functions[target], resources, year)
    print(f"{target} {year}: {time.perf_counter() - started:.2f} s")
    print(profiler.output_text(color=False, show_all=False))
    html = work / f"profile-{target}-{year}.html"
    html.write_text(profiler.output_html(), encoding="utf-8")
    print(f"written: {html}")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
