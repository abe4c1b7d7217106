"""The 汇总 tab: returns dropped or added become one table, with refused files and missing branches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from demo_cache import write_demo_branch
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from branchdesk.domain.requirements import Period, Unit
from branchdesk.reports.consolidation import NOT_A_RETURN, consolidate
from branchdesk.reports.return_figures import compute_return
from branchdesk.reports.return_workbook import default_return_filename, write_return
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.ui import file_dialogs, msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.pages.reports_page import ReportsPage
from screenshots import screenshot_file

TODAY = dt.date(2026, 3, 10)
PERIOD = Period(Unit.MONTH, 2025, 4)  # the demo's gap month: one 党小组会 short
NAMES = ("幸福里社区党支部", "光明路社区党支部", "东关社区党支部")
SCREENSHOT = screenshot_file("consolidation.png")


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    """Three demo branches' returns for PERIOD, one of another month, and a plain workbook."""
    base = tmp_path_factory.mktemp("branches")
    out = tmp_path_factory.mktemp("returns")
    paths = []
    for index, name in enumerate(NAMES):
        data_dir = base / f"b{index}"
        write_demo_branch(
            data_dir, members=14 + 6 * index, seed=index + 1, branch_name=name, today=TODAY
        )
        db = open_database(data_dir / DB_FILENAME)
        ret = compute_return(db, PERIOD, today=dt.date(2025, 5, 3 + 4 * index))
        paths.append(write_return(ret, out / default_return_filename(name, PERIOD)))
        if index == 0:
            other = write_return(compute_return(db, PERIOD.previous()), out / "三月报表.xlsx")
        db.close()
    plain = openpyxl.Workbook()
    plain.active["A1"] = "只是一张普通表格"
    plain.save(out / "普通表格.xlsx")
    expected = openpyxl.Workbook()
    for row, name in enumerate(("支部名称", *NAMES, "西街社区党支部"), start=1):
        expected.active.cell(row=row, column=1, value=name)
    expected.save(out / "应报支部.xlsx")
    return {
        "paths": paths,
        "other": other,
        "plain": out / "普通表格.xlsx",
        "expected": out / "应报支部.xlsx",
    }


@pytest.fixture
def page(qtbot, qapp, file_db, data_dir):
    page = ReportsPage(AppContext(db=file_db, data_dir=data_dir), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1180, 760)
    page.tabs.setCurrentIndex(1)
    return page


@pytest.fixture(autouse=True)
def _no_message_boxes(monkeypatch):
    shown: list[tuple[str, str]] = []
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(
            msgbox, name, lambda _parent, title, text, _n=name: shown.append((title, text))
        )
    return shown


def _wait(qtbot, view):
    qtbot.waitUntil(lambda: not view.busy and view.result is not None, timeout=10_000)


def test_returns_become_one_table(qtbot, page, returns, qtmodeltester):
    view = page.consolidation
    assert view.empty_label.isVisibleTo(view)
    assert not view.export_button.isEnabled()
    view.add_files([*returns["paths"], returns["other"], returns["plain"]])
    view.add_files(returns["paths"][:1])  # the same file again is not added twice
    _wait(qtbot, view)
    assert len(view.paths) == 5

    expected = consolidate([*returns["paths"], returns["other"], returns["plain"]])
    model = view.model
    qtmodeltester.check(model)
    qtmodeltester.check(view.refused_model)
    assert model.headers[:2] == ["支部名称", "党员数"]
    assert "党小组会" in model.headers and "支委会" in model.headers
    assert model.rowCount() == 4  # three branches and the totals row
    assert model.column_texts(0) == [*NAMES, "合计 3 个支部"]
    members = [str(row.members["total"]) for row in expected.rows]
    assert model.column_texts(1) == [*members, str(expected.totals["members"]["total"])]
    group = model.headers.index("党小组会")
    for row, figures in enumerate(expected.rows):
        entry = figures.kinds["group_meeting"]
        assert model.text(row, group) == f"{entry['held']}/{entry['required']}"
    assert model.text(3, group) == str(expected.totals["kinds"]["group_meeting"]["held"])
    rate = model.headers.index("出席率")
    assert model.text(3, rate) == f"{expected.totals['attendance_rate'] * 100:.1f}%"
    shortfall = model.headers.index("未达标项目")
    assert model.column_texts(shortfall)[:3] == [
        "、".join(r.not_met()) or "无" for r in expected.rows
    ]
    assert any(text.startswith("党小组会（") for text in model.column_texts(shortfall)[:3])

    assert view.refused_model.rowCount() == 2
    refused = dict(
        zip(view.refused_model.column_texts(0), view.refused_model.column_texts(1), strict=True)
    )
    assert refused["普通表格.xlsx"] == NOT_A_RETURN
    assert refused["三月报表.xlsx"] == "期间不同（该文件是 2025年3月，本次汇总 2025年4月）"
    assert view.status_label.text() == "2025年4月：已汇总 3 个支部，未采用文件 2 个"
    assert view.export_button.isEnabled()


def test_expected_list_names_the_missing_and_deadline_the_late(qtbot, page, returns):
    view = page.consolidation
    view.add_files([*returns["paths"], returns["other"], returns["plain"]])
    _wait(qtbot, view)
    assert view.set_expected(returns["expected"])
    _wait(qtbot, view)
    assert view.missing_label.text() == "西街社区党支部"
    assert view.missing_title.text() == "未报送的支部（1 个）"
    assert "应报 4 个，未报 1 个" in view.status_label.text()

    view.deadline_edit.setDate(view.deadline_edit.date().fromString("2025-05-08", "yyyy-MM-dd"))
    view.deadline_box.setChecked(True)
    _wait(qtbot, view)
    qtbot.waitUntil(lambda: view.result.deadline == dt.date(2025, 5, 8))
    assert view.result.late == ["东关社区党支部"]  # generated on 11 May
    assert view.late_label.text() == "东关社区党支部"
    assert view.model.text(2, view.model.headers.index("生成日期")).endswith("（逾期）")

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.show()
    assert page.grab().save(str(SCREENSHOT))

    view.forget_expected_button.click()
    _wait(qtbot, view)
    assert view.result.expected is None
    view.clear_button.click()
    assert view.paths == [] and view.empty_label.isVisibleTo(view)


def test_unreadable_expected_list_is_told(page, tmp_path, _no_message_boxes):
    view = page.consolidation
    broken = tmp_path / "名单.xlsx"
    broken.write_bytes(b"\x00" * 100)
    assert not view.set_expected(broken)
    assert [title for title, _ in _no_message_boxes] == ["无法读取预期支部名单"]
    assert view.expected_names is None


def test_dropping_files_adds_them(qtbot, page, returns):
    view = page.consolidation
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in returns["paths"][:2]])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.drop_zone.dropEvent(event)
    _wait(qtbot, view)
    assert view.model.column_texts(0) == [*NAMES[:2], "合计 2 个支部"]

    # A dropped folder gives the .xlsx files in it.
    folder_mime = QMimeData()
    folder_mime.setUrls([QUrl.fromLocalFile(str(returns["paths"][0].parent))])
    view.drop_zone.dropEvent(
        QDropEvent(
            QPointF(10, 10),
            Qt.DropAction.CopyAction,
            folder_mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )
    _wait(qtbot, view)
    qtbot.waitUntil(lambda: len(view.result.rows) == 3 and not view.busy)
    assert len(view.result.refused) == 3  # another month, a plain sheet, the name list


def test_export_summary_reads_back(qtbot, page, returns, tmp_path, monkeypatch):
    view = page.consolidation
    view.add_files(returns["paths"])
    _wait(qtbot, view)
    target = tmp_path / "汇总.xlsx"
    offered = []

    def save(_parent, _caption, start, _filter, _mode):
        offered.append(Path(start).name)
        return [str(target)]

    monkeypatch.setattr(file_dialogs, "choose_paths", save)
    view.export_button.click()
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=10_000)
    assert offered == ["中共城关街道工作委员会_2025年4月_组织生活汇总.xlsx"]
    assert view.result_line.label.text() == f"已导出到 {target}"
    assert view.export_button.isEnabled()

    sheet = openpyxl.load_workbook(target)["汇总"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    names = [row[1] for row in values if row[1] in NAMES]
    assert names == list(NAMES)
    totals = next(row for row in values if row[0] == "合计")
    assert totals[2] == sum(r.members["total"] for r in view.result.rows)


def test_a_long_consolidation_shows_progress_and_can_be_stopped(qtbot, page, returns, monkeypatch):
    import threading

    from branchdesk.reports import consolidation as module

    view = page.consolidation
    release = threading.Event()
    real_read = module.read_return_file

    def slow_read(path):  # hold the worker on the second file until the test has stopped it
        if path == returns["paths"][1]:
            release.wait(10)
        return real_read(path)

    monkeypatch.setattr(module, "read_return_file", slow_read)
    view.add_files(returns["paths"])
    total = len(returns["paths"])
    qtbot.waitUntil(lambda: view.progress.maximum() == total, timeout=5000)
    assert view.stop_button.isVisibleTo(view) and view.progress.isVisibleTo(view)
    # The worker holds on the second file: the bar says one is read, as a person sees it.
    qtbot.waitUntil(lambda: view.progress.value() == 1, timeout=5000)
    assert view.progress.text() == f"已读 1 / {total} 份"
    qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: not view.busy, timeout=10_000)
    assert view.result is None and view.stopped
    assert "已停止汇总" in view.status_label.text()
    assert not view.export_button.isEnabled()
    monkeypatch.setattr(module, "read_return_file", real_read)
    view.run()  # asked again, it consolidates everything
    _wait(qtbot, view)
    assert view.result is not None and len(view.result.rows) == len(returns["paths"])


def test_consolidate_reports_progress_and_stops_when_told(returns):
    from branchdesk.reports.consolidation import ConsolidationCancelled

    seen = []
    consolidate(returns["paths"], progress=lambda done, total: seen.append((done, total)) or True)
    assert seen == [(i, len(returns["paths"])) for i in range(len(returns["paths"]))]
    with pytest.raises(ConsolidationCancelled):
        consolidate(returns["paths"], progress=lambda done, total: done < 1)
