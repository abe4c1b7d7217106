"""store/ imports form layers: no module of it imports, even indirectly, one that imports it back.

A cycle held apart by an import inside a function still couples the modules (each needs the
other to work) and breaks as soon as someone moves the import up; so imports inside
functions are refused too, except the few listed below, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "branchdesk"

# (module, imported module): why it is imported inside a function.
LAZY_IMPORTS = {
    ("branchdesk.store.lock", "msvcrt"): "Windows-only module, imported on Windows only",
    ("branchdesk.store.lock", "fcntl"): "POSIX-only module, imported off Windows only",
    ("branchdesk.store.location_check", "ctypes"): "Windows drive-type call, Windows only",
}


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.Import | ast.ImportFrom, here: str, known: set[str]) -> list[str]:
    """The modules an import statement loads (``from pkg import mod`` counts as ``pkg.mod``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative import
        anchor = here.split(".")[: -node.level]
        base = ".".join([*anchor, base] if base else anchor)
    found = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        found.append(sub if sub in known else base)
    return found


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_graph(package: Path = PACKAGE) -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    """The module-level import graph of ``package`` and every import made inside a function.

    Imports under ``if TYPE_CHECKING:`` are left out: they never run.
    """
    files = {module_name(p, package): p for p in package.rglob("*.py")}
    known = set(files)
    graph: dict[str, set[str]] = {name: set() for name in files}
    lazy: list[tuple[str, str]] = []

    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, in_function: bool, name: str = name) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _type_checking_only(child):
                    for sub in child.orelse:
                        visit(sub, in_function)
                    continue
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    for target in _targets(child, name, known):
                        if in_function:
                            lazy.append((name, target))
                        elif target in known and target != name:
                            graph[name].add(target)
                    continue
                nested = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                visit(child, in_function or nested)

        visit(tree, False)
    return graph, lazy


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(found)


def store_problems(package: Path = PACKAGE) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """Cycles among store/ modules (counting imports inside functions) and unlisted lazy imports."""
    graph, lazy = import_graph(package)
    store = f"{package.name}.store"
    in_store = {name for name in graph if name == store or name.startswith(store + ".")}
    with_lazy = {
        name: set(targets) & in_store for name, targets in graph.items() if name in in_store
    }
    for name, target in lazy:
        if name in in_store and target in in_store and target != name:
            with_lazy[name].add(target)
    unlisted = sorted(
        (name, target)
        for name, target in lazy
        if name in in_store
        and (name.replace(package.name, "branchdesk", 1), target) not in LAZY_IMPORTS
    )
    return cycles(with_lazy), unlisted


def test_store_has_no_import_cycle():
    found, _ = store_problems()
    assert found == [], f"import cycles in store/: {found}"


def test_store_imports_nothing_inside_functions_but_the_listed_few():
    _, unlisted = store_problems()
    assert unlisted == [], (
        f"imports inside functions in store/ (move them to the top, or list them with a "
        f"reason in LAZY_IMPORTS): {unlisted}"
    )


def test_every_listed_lazy_import_is_still_there():
    _, lazy = import_graph()
    assert set(LAZY_IMPORTS) <= set(lazy), set(LAZY_IMPORTS) - set(lazy)


def test_change_recording_imports_no_repository():
    graph, _ = import_graph()
    repositories = {
        "branchdesk.store.members",
        "branchdesk.store.meetings",
        "branchdesk.store.activities",
        "branchdesk.store.periods",
        "branchdesk.store.requirements",
        "branchdesk.store.history",
    }
    reached: set[str] = set()
    todo = ["branchdesk.store.changelog"]
    while todo:
        for target in graph[todo.pop()]:
            if target not in reached:
                reached.add(target)
                todo.append(target)
    assert reached & repositories == set()


def test_the_check_finds_a_cycle_held_apart_by_a_function_level_import(tmp_path):
    package = tmp_path / "branchdesk"
    (package / "store").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "store" / "__init__.py").write_text("")
    (package / "store" / "a.py").write_text("from branchdesk.store import b\n")
    (package / "store" / "b.py").write_text(
        "def later():\n    from branchdesk.store.a import thing\n    return thing\n"
    )
    found, unlisted = store_problems(package)
    assert found == [["branchdesk.store.a", "branchdesk.store.b"]]
    assert unlisted == [("branchdesk.store.b", "branchdesk.store.a")]
