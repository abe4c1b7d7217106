"""The pure layers never import Qt: they must run in a worker, a CLI and a test without it."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "branchdesk"


@pytest.mark.parametrize("layer", ["domain", "store", "reports", "ops"])
def test_layer_has_no_qt_import(layer):
    offenders = []
    for path in (PACKAGE / layer).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in {"PySide6", "shiboken6"}
            ]
    assert offenders == []


def test_domain_has_no_sql():
    for path in (PACKAGE / "domain").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sqlite" not in text and "SELECT " not in text, path.name


def test_widgets_have_no_sql():
    for path in (PACKAGE / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "SELECT " not in text and "execute(" not in text, path.name


def _imported_names(tree: ast.AST) -> list[str]:
    """Every module an AST imports (``from a import b`` gives ``a`` and ``a.b``).

    Imports under ``if TYPE_CHECKING:`` are left out: they never run.
    """
    names: list[str] = []
    todo = list(ast.iter_child_nodes(tree))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        todo += list(ast.iter_child_nodes(node))
    return names


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_operations_have_no_qt_import():
    offenders = [
        f"{path.name}: {name}"
        for path in (PACKAGE / "ops").rglob("*.py")
        for name in _imported_names(ast.parse(path.read_text(encoding="utf-8")))
        if name.split(".")[0] in {"PySide6", "shiboken6"}
    ]
    assert offenders == []


def test_ui_reaches_the_database_only_through_the_store():
    """No ui module opens a database or imports SQLite: sessions and operations do."""
    forbidden = ("sqlite3", "sqlite_utils", "branchdesk.store.db")
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / "ui").rglob("*.py")
        for name in _imported_names(ast.parse(path.read_text(encoding="utf-8")))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]
    assert offenders == []


# The import-cycle rule (no cycle in store/, no function-level import hiding one) is checked
# with the store's own tests: tests/store/test_imports.py.
