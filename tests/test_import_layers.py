"""Imports point down, and no circle anywhere.

Every import of the project's own modules is read from the source (function-level imports
too, which a circle would otherwise hide behind), module by module. Each package is one layer,
top to bottom:

    code location   pipelines/: definitions, jobs, schedules, sensors, alerts, reminders
    service         service/: the production processes, nginx and systemd, users, migrations
                    (beside the code location: neither imports the other)
    delivery page   portal/: the municipalities' upload page (Starlette); imports the domain only,
        ↓           and nothing but the tests imports it
    assets          assets/: thin asset and check bodies, one module per stage
        ↓
    Dagster glue    glue/: the yearly adapter, report years, partitioned checks, lineage, resources
        ↓
    domain          alis_nord/: Dagster-free parsing, rules, money, the warehouse, the report
"""

import ast
from pathlib import Path

from glue.resources import PROJECT_ROOT

LAYERS = {"pipelines": 0, "service": 0, "portal": 0, "assets": 1, "glue": 2, "alis_nord": 3}  # 0 is the top


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for package in LAYERS for p in (PROJECT_ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                candidates = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            found |= {c for c in candidates if c in modules and c != name}
        graph[name] = found
    return graph


def _layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def test_every_python_package_of_the_project_has_a_layer():
    packages = {p.parent.name for p in PROJECT_ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages == set(LAYERS)


def test_the_code_location_and_the_service_stay_apart():
    between = [
        f"{module} imports {target}"
        for module, targets in _imports().items()
        for target in targets
        if {module.split(".")[0], target.split(".")[0]} == {"pipelines", "service"}
    ]
    assert between == []


def test_the_delivery_page_imports_the_domain_only_and_nothing_imports_it():
    crossing = [
        f"{module} imports {target}"
        for module, targets in _imports().items()
        for target in targets
        if (module.split(".")[0] == "portal") != (target.split(".")[0] == "portal")
        and not (module.split(".")[0] == "portal" and target.split(".")[0] == "alis_nord")
    ]
    assert crossing == []
    assert "alis_nord.receiving" in _imports()["portal.app"]  # the reader sees the portal's imports


def test_imports_only_point_down_or_within_a_layer():
    upward = [
        f"{module} imports {target}"
        for module, targets in _imports().items()
        for target in targets
        if _layer(target) < _layer(module)
    ]
    assert upward == []


def test_no_module_imports_itself_through_others():
    graph = _imports()
    circles = []

    def visit(module: str, path: list[str]) -> None:
        for target in graph[module]:
            if target in path:
                circles.append(path[path.index(target) :] + [target])
            elif target not in done:
                visit(target, path + [target])
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    assert circles == []


def test_the_graph_is_read():  # the reader above sees the imports it must see
    graph = _imports()
    assert "alis_nord.budget" in graph["assets.budget"]  # imported inside the asset functions
    assert "alis_nord.migrations" in graph["alis_nord.warehouse"]
    assert "glue.yearly" in graph["assets.budget"]
