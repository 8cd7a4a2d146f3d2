"""The line between the product and the replica, checked on the sources.

The replica (``replica/portal_replica``) holds the ground truth of its scenarios; pipeline code
that read it could score itself. So the product (``plugins/portal_etl`` and the DAG files) never
imports it, and the replica itself is a package with no import cycle and no private names
imported from another module.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCT = [REPO / "plugins" / "portal_etl", REPO / "dags"]
REPLICA = REPO / "replica" / "portal_replica"


def _imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in ``tree``, at any depth (lazy and TYPE_CHECKING ones too)."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            out.append((base, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                out.append((node.args[0].value, []))
    return out


def _modules(root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _replica_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Import edges among the replica's modules, and every private name imported from another module."""
    modules = _modules(REPLICA, "portal_replica")
    graph: dict[str, set[str]] = {name: set() for name in modules}
    private = []
    for name, (path, is_package) in modules.items():
        for target, names in _imported_modules(ast.parse(path.read_text(encoding="utf-8")), name, is_package):
            for imported in names or [""]:
                full = f"{target}.{imported}" if imported else target
                hit = full if full in modules else target
                if hit in modules and hit != name:
                    graph[name].add(hit)
                if imported.startswith("_") and hit != name:
                    private.append(f"{name}: from {target} import {imported}")
    return graph, private


def test_the_product_never_imports_the_replica() -> None:
    offenders = []
    for root in PRODUCT:
        package = root.name
        for name, (path, is_package) in _modules(root, package).items():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for target, _ in _imported_modules(tree, name, is_package):
                if target == "portal_replica" or target.startswith("portal_replica."):
                    offenders.append(f"{path.relative_to(REPO)}: {target}")
    assert offenders == []


def test_the_scan_sees_an_import_of_the_replica() -> None:
    """The check above is only as good as its parser: lazy and dynamic imports count too."""
    code = (
        "def f():\n    from portal_replica.manifest import load_manifest\n\nimportlib.import_module('portal_replica')\n"
    )
    found = [t for t, _ in _imported_modules(ast.parse(code), "portal_etl.x", False)]
    assert found == ["portal_replica.manifest", "portal_replica"]


def test_the_replica_has_no_import_cycle() -> None:
    graph, _ = _replica_graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_replica_imports_no_private_name() -> None:
    _, private = _replica_graph()
    assert private == []
