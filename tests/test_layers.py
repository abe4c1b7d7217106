"""The pure layers never import Qt: they must run in a worker, a CLI and a test without it."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "branchdesk"


@pytest.mark.parametrize("layer", ["domain", "store", "reports"])
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
