"""Fixtures of the safety tests: a small disk of their own, a demo branch to copy onto it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_cache import write_demo_branch
from folders import Mount, tmpfs


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Mount]:
    """A 16 MB tmpfs for one test (skipped where it cannot be mounted)."""
    with tmpfs(tmp_path / "mnt") as mounted:
        yield mounted


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo branch made once per module, to copy where a test needs it."""
    folder = tmp_path_factory.mktemp("demo") / "branch"
    write_demo_branch(folder, members=20, seed=6)
    return folder
