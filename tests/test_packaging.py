"""What every install must carry: each package of the source tree, and the resources."""

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest

from branchdesk.resources import CJK_FONT_FILE, RESOURCES_PACKAGE, resource, resources_dir

ROOT = Path(__file__).resolve().parent.parent

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else None


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_every_package_of_the_source_tree_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "branchdesk").rglob("__init__.py")
    }
    assert on_disk - listed == set(), "add these packages to pyproject.toml"
    assert RESOURCES_PACKAGE in listed
    assert config["tool"]["setuptools"]["package-dir"][RESOURCES_PACKAGE] == "resources"


def test_resources_are_found_through_the_package_with_the_font_and_its_licence():
    assert resource(*CJK_FONT_FILE).is_file()
    assert resource(*CJK_FONT_FILE).stat().st_size > 1_000_000
    assert (resources_dir() / "fonts" / "LICENSE-Apache-2.0.txt").is_file()
    assert (resources_dir() / "icons" / "branchdesk.png").is_file()


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_only_pyside6_essentials_is_a_dependency():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = [re.split(r"[<>=!~ ;\[]", dep, maxsplit=1)[0].lower() for dep in config["project"]["dependencies"]]
    assert "pyside6-essentials" in names
    assert not [name for name in names if name in {"pyside6", "pyside6-addons"}]


def test_every_qt_module_the_app_imports_comes_with_pyside6_essentials():
    """QtCharts, QtPdf and the rest of PySide6-Addons would be missing from an install."""
    imported = set()
    for path in (ROOT / "branchdesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            imported |= {n.split(".")[1] for n in names if n.startswith("PySide6.Qt")}
    assert {"QtCore", "QtGui", "QtWidgets"} <= imported
    essentials = {
        Path(str(file)).name.split(".")[0]
        for file in metadata.files("PySide6-Essentials") or []
        if str(file).startswith("PySide6/Qt") and str(file).endswith((".so", ".pyd"))
    }
    assert "QtPrintSupport" in essentials and "QtCharts" not in essentials
    assert imported <= essentials, imported - essentials


def test_the_bundle_keeps_the_chinese_qt_translations_the_app_loads():
    """build.spec keeps the *_zh_CN.qm catalogues ``install_chinese`` loads, and only those."""
    from PySide6.QtCore import QLibraryInfo

    from branchdesk.ui.qtsetup import QT_CATALOGUES

    root = Path(__file__).resolve().parents[1]
    spec = (root / "build.spec").read_text(encoding="utf-8")
    namespace: dict = {"SPECPATH": str(root), "__name__": "spec"}
    exec(spec[: spec.index("a = Analysis(")], namespace)  # the settings, not the build
    keep = namespace["keep"]
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for name in QT_CATALOGUES:
        assert (folder / f"{name}_zh_CN.qm").is_file(), name
        assert keep(f"PySide6/Qt/translations/{name}_zh_CN.qm"), name
        assert not keep(f"PySide6/Qt/translations/{name}_de.qm"), name
