"""Test set-up: headless Qt, the bundled font, and a fresh database per test."""

from __future__ import annotations

import os

# Headless, on a 1920x1080 screen like an office PC's (the offscreen default is 800x800).
_SCREEN = os.path.join(os.path.dirname(__file__), "offscreen-screen.json")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from sqlite_utils import Database  # noqa: E402

from branchdesk.store.db import DB_FILENAME, open_database, open_memory_database  # noqa: E402


@pytest.fixture(scope="session")
def qapp(qapp_args):  # type: ignore[no-untyped-def]
    """The one QApplication, set up as the real app is (locale, translations, font)."""
    from PySide6.QtCore import QStandardPaths

    QStandardPaths.setTestModeEnabled(True)  # QSettings must not touch the user's own
    from branchdesk.app import make_application

    return make_application(qapp_args)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Leave what every test module imported out of the collections below.

    Once the first test makes the QApplication, automatic collection is off for the rest of
    the run (``qtsetup.MainThreadGarbageCollector`` collects only while an event loop
    turns), so each test collects its own garbage at teardown. A full collection walks every
    live object: with the modules of the whole suite loaded, about 90 ms each (measured on a
    busy machine), some 100 s of CPU over a run. The modules, classes and functions loaded by
    now live to the end, so they are moved to the permanent generation, and each collection
    walks only what was made since.
    """
    import gc

    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _collect_garbage_here() -> Iterator[None]:
    """Collect each test's cyclic garbage on the main thread (the app turns automatic GC off),
    so that a test's Qt objects are destroyed at its end, not in a later test or thread."""
    yield
    import gc

    gc.collect()


@pytest.fixture
def db() -> Iterator[Database]:
    database = open_memory_database()
    yield database
    database.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def file_db(data_dir: Path) -> Iterator[Database]:
    database = open_database(data_dir / DB_FILENAME)
    yield database
    database.close()
