"""What every install must carry: each package of the source tree, and the resources."""

import sys
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
