"""Fixtures for the command-line tests of the one-writer lock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli.processes import Holder


@pytest.fixture
def hold_folder() -> Iterator[Callable[..., Holder]]:
    """``hold_folder(folder)`` starts another copy holding ``folder``; it ends with the test."""
    holders: list[Holder] = []

    def start(folder: Path, command: str = "") -> Holder:
        holder = Holder(folder, command)
        holders.append(holder)
        return holder

    yield start
    for holder in holders:
        holder.kill()


@pytest.fixture
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands give up on a held folder after a fifth of a second, not the usual few."""
    monkeypatch.setenv("BRANCHDESK_LOCK_WAIT", "0.2")
