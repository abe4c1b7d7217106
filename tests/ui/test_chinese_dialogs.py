"""Chinese all the way: Qt's own strings, the file dialog, the export folder, message icons."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeView,
)

from branchdesk.ui import file_dialogs, msgbox
from screenshots import screenshot_file


@pytest.fixture(autouse=True)
def _fresh_export_folder():
    QSettings().remove(file_dialogs.EXPORT_FOLDER_SETTING)
    yield
    QSettings().remove(file_dialogs.EXPORT_FOLDER_SETTING)


def test_qt_translation_is_loaded(qapp):
    assert QApplication.translate("QFileDialog", "&Open") == "打开(&O)"
    box = QMessageBox(QMessageBox.Icon.Question, "t", "x")
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert box.button(QMessageBox.StandardButton.Yes).text().startswith("是")
    assert box.button(QMessageBox.StandardButton.No).text().startswith("否")


def test_the_qt_file_dialog_is_chinese(qtbot, tmp_path):
    (tmp_path / "签到表.pdf").write_bytes(b"x" * 5000)
    stamp = dt.datetime(2026, 12, 2, 5, 21)
    os.utime(tmp_path / "签到表.pdf", (stamp.timestamp(), stamp.timestamp()))
    dialog = file_dialogs.make_dialog(
        None, "保存签到表为 PDF", tmp_path / "新.pdf", file_dialogs.PDF_FILTER,
        file_dialogs.Mode.SAVE,
    )  # fmt: skip
    file_dialogs.make_chinese(dialog)  # what every platform without a native dialog shows
    qtbot.addWidget(dialog)
    dialog.resize(900, 520)
    dialog.show()
    view = dialog.findChild(QTreeView)
    model = view.model()
    qtbot.waitUntil(lambda: model.rowCount(view.rootIndex()) == 1, timeout=5000)
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert {"查找范围(&I)：", "文件名(&N)：", "文件类型(&T)："} <= labels
    assert not any(text.startswith(("Look in", "Files of", "File name")) for text in labels)
    buttons = {b.text() for box in dialog.findChildren(QDialogButtonBox) for b in box.buttons()}
    assert buttons == {"保存(&S)", "取消"}
    row = [model.index(0, column, view.rootIndex()).data() for column in range(4)]
    assert row == ["签到表.pdf", "4.9 KB", "PDF 文件", "2026年12月2日 05:21"]
    headers = [model.headerData(c, view.header().orientation()) for c in range(4)]
    assert headers == ["名称", "大小", "类型", "修改日期"]
    dialog.grab().save(str(screenshot_file("file_dialog_chinese.png")))


def test_sizes_and_types_read_the_chinese_way():
    assert file_dialogs.size_text(512) == "512 字节"
    assert file_dialogs.size_text(5 * 1024 * 1024) == "5.0 MB"
    assert file_dialogs.type_text("a.xlsx", False) == "XLSX 文件"
    assert file_dialogs.type_text("备份", True) == "文件夹"


def test_exports_start_in_documents_then_in_the_last_export_folder(qapp, tmp_path, monkeypatch):
    cwd = tmp_path / "started-here"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    starts: list[Path] = []
    answer = [tmp_path / "U盘" / "月报"]
    answer[0].parent.mkdir()

    def choose(_parent, _caption, start, _filter, _mode):
        starts.append(start)
        return [str(answer[0])]

    monkeypatch.setattr(file_dialogs, "choose_paths", choose)
    documents = file_dialogs.documents_folder()
    assert documents != cwd
    saved = file_dialogs.save_file(None, "导出报表", "月报.xlsx", file_dialogs.XLSX_FILTER)
    assert starts[0] == documents / "月报.xlsx"
    assert saved == tmp_path / "U盘" / "月报.xlsx"  # the extension added
    # The PDF export starts where the Excel export went: one folder for every export.
    answer[0] = tmp_path / "U盘" / "签到表.pdf"
    file_dialogs.save_file(None, "保存签到表为 PDF", "签到表.pdf", file_dialogs.PDF_FILTER)
    assert starts[1] == tmp_path / "U盘" / "签到表.pdf"
    assert file_dialogs.export_folder() == tmp_path / "U盘"
    # A folder that has gone (a USB stick pulled out) falls back to 文档.
    (tmp_path / "U盘" / "签到表.pdf").unlink(missing_ok=True)
    os.rmdir(tmp_path / "U盘")
    assert file_dialogs.export_folder() == documents


def test_cancel_returns_nothing_and_remembers_nothing(qapp, monkeypatch):
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a: [])
    assert file_dialogs.save_file(None, "导出", "a.xlsx", file_dialogs.XLSX_FILTER) is None
    assert file_dialogs.open_files(None, "添加", file_dialogs.XLSX_FILTER) == []
    assert QSettings().value(file_dialogs.EXPORT_FOLDER_SETTING) is None


def _click(text: str, seen: list) -> None:
    """Click ``text`` on the message box about to open; note its icon and buttons."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append((box.icon(), sorted(b.text() for b in box.buttons())))
        next(b for b in box.findChildren(QPushButton) if b.text() == text).click()

    QTimer.singleShot(0, answer)


def test_saved_notice_is_information_with_open_and_close(qapp):
    seen: list = []
    _click("关闭", seen)
    assert msgbox.done(None, "已保存 PDF", "已保存", action="打开所在文件夹") is False
    assert seen == [(QMessageBox.Icon.Information, sorted(["打开所在文件夹", "关闭"]))]
    _click("打开所在文件夹", seen)
    assert msgbox.done(None, "已保存 PDF", "已保存", action="打开所在文件夹") is True


@pytest.mark.parametrize(
    ("call", "icon"),
    [
        (lambda: msgbox.information(None, "t", "x"), QMessageBox.Icon.Information),
        (lambda: msgbox.warning(None, "t", "x"), QMessageBox.Icon.Warning),
        (lambda: msgbox.error(None, "t", "x"), QMessageBox.Icon.Critical),
        (lambda: msgbox.confirm(None, "t", "x?"), QMessageBox.Icon.Question),
        (lambda: msgbox.choose(None, "t", "x", ["甲", "乙"]), QMessageBox.Icon.Warning),
        (
            lambda: msgbox.choose(None, "t", "x?", ["甲", "乙"], question=True),
            QMessageBox.Icon.Question,
        ),
    ],
)
def test_every_box_carries_the_icon_of_its_message(qapp, call, icon):
    seen: list = []

    def close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, close)
            return
        seen.append(box.icon())
        box.buttons()[-1].click()

    QTimer.singleShot(0, close)
    call()
    assert seen == [icon]
