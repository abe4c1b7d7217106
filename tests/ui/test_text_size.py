"""The 字号 setting: chosen in 设置, it scales every text at once and is kept for the next start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel

from branchdesk.domain.branch import Branch
from branchdesk.ui.context import AppContext
from branchdesk.ui.pages.settings_page import SettingsPage
from branchdesk.ui.text_size import (
    SETTING,
    TextSize,
    apply_text_size,
    saved_text_size,
    scale_style_sheet,
)
from branchdesk.ui.widgets import heading


@pytest.fixture
def app(qapp):
    """The application, back at 标准 afterwards whatever the test chose."""
    QSettings().remove(SETTING)
    yield qapp
    QSettings().remove(SETTING)
    apply_text_size(qapp, TextSize.STANDARD)


def test_style_sheet_sizes_are_multiplied():
    css = "QLabel#a { font-size: 16pt; } QLabel#b { font-size: 14px; color: red; }"
    assert scale_style_sheet(css, 1.3) == (
        "QLabel#a { font-size: 20.8pt; } QLabel#b { font-size: 18px; color: red; }"
    )
    assert scale_style_sheet(css, 1.0) == css


def _point_size(label: QLabel) -> float:
    QApplication.sendPostedEvents()  # a new application font reaches widgets by events
    label.ensurePolished()
    return label.font().pointSizeF()


def test_chosen_in_settings_it_scales_everything_now_and_after_a_restart(app, qtbot, db, data_dir):
    context = AppContext(db=db, data_dir=data_dir)
    context.branch.save(Branch("幸福里社区党支部"))
    page = SettingsPage(context)
    qtbot.addWidget(page)
    page.show()
    plain, title = QLabel("正文"), heading("标题")  # the app font; a style sheet's 16pt
    for label in (plain, title):
        qtbot.addWidget(label)
        label.show()
    body, big = _point_size(plain), _point_size(title)
    assert [page.text_size_combo.itemText(i) for i in range(3)] == ["标准", "大", "特大"]
    assert page.text_size_combo.currentText() == "标准"

    page.text_size_combo.setCurrentIndex(page.text_size_combo.findText("特大"))

    assert _point_size(plain) == pytest.approx(body * 1.3, abs=0.05)
    assert _point_size(title) == pytest.approx(big * 1.3, abs=0.05)  # the same way
    later = heading("之后打开的窗口")  # a window opened afterwards
    qtbot.addWidget(later)
    later.show()
    assert _point_size(later) == pytest.approx(big * 1.3, abs=0.05)
    assert QSettings().value(SETTING) == "larger" and saved_text_size() is TextSize.LARGER

    apply_text_size(app, TextSize.STANDARD)  # as the next start begins, before reading it
    assert _point_size(plain) == pytest.approx(body)
    apply_text_size(app, saved_text_size())  # what make_application does
    assert _point_size(plain) == pytest.approx(body * 1.3, abs=0.05)
    again = SettingsPage(context)
    qtbot.addWidget(again)
    assert again.text_size_combo.currentText() == "特大"

    page.text_size_combo.setCurrentIndex(page.text_size_combo.findText("标准"))
    assert _point_size(plain) == pytest.approx(body)
    assert _point_size(title) == pytest.approx(big)
    assert QApplication.font().pointSizeF() == pytest.approx(body)


def test_list_columns_widen_with_the_text(app, qtbot):
    """A list's fixed widths and its readable key column follow a 字号 chosen live."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from branchdesk.ui.screen_fit import keep_column_readable, set_column_widths

    model = QStandardItemModel(3, 3)
    for row in range(3):
        model.setItem(row, 1, QStandardItem("重温入党誓词，过政治生日"))
    table = QTableView()
    table.setModel(model)
    qtbot.addWidget(table)
    table.resize(300, 200)  # too narrow: the key column keeps its width and scrolls
    table.show()
    set_column_widths(table, {0: 200, 2: 90})
    keep_column_readable(table, 1)
    QApplication.sendPostedEvents()
    widths = [table.columnWidth(c) for c in range(3)]
    readable = table.fontMetrics().horizontalAdvance("国") * 12

    apply_text_size(app, TextSize.LARGER)
    QApplication.sendPostedEvents()

    assert table.columnWidth(0) == pytest.approx(widths[0] * 1.3, rel=0.1)
    assert table.columnWidth(2) == pytest.approx(widths[2] * 1.3, rel=0.1)
    assert table.columnWidth(1) >= table.fontMetrics().horizontalAdvance("国") * 12 > readable
