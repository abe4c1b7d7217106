"""The one question a roster import asks before writing: since when the new members count.

A first import into an empty branch brings the branch's own members (原有: they count from
their 入党时间); a later one brings members who join on a day (default today), so no return
before that day changes. The groups the import creates exist from the same day.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QRadioButton, QWidget

from branchdesk.domain.dates import PartialDate
from branchdesk.reports.roster_import import ORIGINAL, ImportPreview, JoinedOn
from branchdesk.ui import theme
from branchdesk.ui.widgets import DateEdit, FieldMessage


class JoinedOnQuestion(QWidget):
    """原有党员, or the day the new members joined the branch; ``value()`` reads it.

    Signals:
        changed(): the answer changed (the groups line follows it).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.today = today or dt.date.today()
        self._preview: ImportPreview | None = None
        self.original_button = QRadioButton("这些党员是本支部原有党员（按入党时间计入，往期报表随之计算）")
        self.dated_button = QRadioButton("新增党员加入本支部的日期")
        self.dated_button.setChecked(True)
        buttons = QButtonGroup(self)
        buttons.addButton(self.original_button)
        buttons.addButton(self.dated_button)
        self.day_edit = DateEdit()
        self.day_edit.setMaximumWidth(160)
        self.day_edit.set_value(PartialDate.of(self.today))
        hint = QLabel("此日期之前的报表不变")
        hint.setStyleSheet(theme.MUTED_TEXT)
        self.groups_label = QLabel()
        self.groups_label.setWordWrap(True)
        self.message = FieldMessage()
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(10)
        layout.setVerticalSpacing(4)
        layout.addWidget(self.dated_button, 0, 0)
        layout.addWidget(self.day_edit, 0, 1)
        layout.addWidget(hint, 0, 2)
        layout.addWidget(self.original_button, 1, 0, 1, 3)
        layout.addWidget(self.groups_label, 2, 0, 1, 3)
        layout.addWidget(self.message, 3, 0, 1, 3)
        layout.setColumnStretch(2, 1)
        self.original_button.toggled.connect(self._on_answer_changed)
        self.day_edit.date_changed.connect(self._on_answer_changed)

    def set_preview(self, preview: ImportPreview) -> None:
        """Ask as the preview needs: 原有 first for a first import, a day for a later one."""
        self._preview = preview
        if preview.first_import:
            self.original_button.setChecked(True)
        else:
            self.dated_button.setChecked(True)
        self.setVisible(bool(preview.to_add or preview.new_groups or preview.to_update))
        self._on_answer_changed()

    def value(self) -> JoinedOn:
        """The answer; raise ValueError (Chinese) for a day that cannot be used."""
        if self.original_button.isChecked():
            return ORIGINAL
        day = self.day_edit.value()
        if day is None:
            raise ValueError("请填写新增党员加入本支部的日期")
        if day.month_only:
            raise ValueError(f"请把加入本支部的日期填写到日，如 {day.iso()}-01")
        if day.first_day() > self.today:
            raise ValueError("加入本支部的日期不能晚于今天")
        return day.first_day()

    def check(self) -> JoinedOn | None:
        """The answer, or None with the reason shown under the question."""
        try:
            answer = self.value()
        except ValueError as exc:
            self.message.show_error(str(exc))
            return None
        self.message.clear_message()
        return answer

    @Slot()
    def _on_answer_changed(self) -> None:
        self.day_edit.setEnabled(self.dated_button.isChecked())
        answer = self.check()
        preview = self._preview
        if preview is None or not preview.new_groups:
            self.groups_label.hide()
        else:
            since = "（按原有党员，一直存在）" if answer == ORIGINAL else ""
            if isinstance(answer, dt.date):
                since = f"（自{answer.year}年{answer.month}月{answer.day}日起存在）"
            self.groups_label.setText(f"将新建党小组：{'、'.join(preview.new_groups)}{since}")
            self.groups_label.show()
        self.changed.emit()
