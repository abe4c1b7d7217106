"""Two marks on a member that change what the record expects of them.

延长预备期: the 支部大会 decided to extend a 预备党员's probation, once, by 6 to 12 months;
转正 then falls due that much later. 长期请假: an approved long absence (illness, work far
away) during which the member is not flagged for missing organisational life.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.member_rules import (
    EXTENSION_MONTHS,
    add_months,
    extension_problems,
    leave_problems,
    probation_due,
)
from branchdesk.domain.members import LongLeave, Member
from branchdesk.ui import theme
from branchdesk.ui.screen_fit import fit_window
from branchdesk.ui.widgets import FieldMessage


def _date_edit(day: dt.date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy年M月d日")
    edit.setMinimumWidth(170)
    return edit


def _day(edit: QDateEdit) -> dt.date:
    date = edit.date()
    return dt.date(date.year(), date.month(), date.day())


@dataclass(frozen=True)
class Extension:
    decided_on: dt.date
    months: int
    reason: str


class ExtendProbationDialog(QDialog):
    """Ask for the decision date, the months (6-12) and the reason of 延长预备期."""

    def __init__(self, member: Member, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member = member
        self.today = today
        self.setWindowTitle(f"延长预备期 - {member.name}")
        due = probation_due(member)
        intro = QLabel(
            f"预备期原定 {due.isoformat() if due else '（入党时间未填）'} 期满。"
            "经支部大会讨论决定，可延长预备期一次，时间为 6 到 12 个月；延长后不能再次延长。"
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(theme.MUTED_TEXT)
        self.date_edit = _date_edit(today)
        self.months_spin = QSpinBox()
        self.months_spin.setRange(1, 24)  # outside 6-12 is said next to the field, not clamped
        self.months_spin.setValue(EXTENSION_MONTHS[0])
        self.months_spin.setSuffix(" 个月")
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("如：入党动机有待进一步端正，需继续考察")
        self.new_due = QLabel()
        self.message = FieldMessage()
        form = QFormLayout()
        form.addRow("支部大会决定日期", self.date_edit)
        form.addRow("延长", self.months_spin)
        form.addRow("原因", self.reason_edit)
        form.addRow("预备期满", self.new_due)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        fit_window(self)
        self.months_spin.valueChanged.connect(self._on_months_spin_changed)
        self._on_months_spin_changed(self.months_spin.value())
        self.resize(520, self.sizeHint().height())

    @Slot(int)
    def _on_months_spin_changed(self, months: int) -> None:
        if self.member.join_date is None:
            self.new_due.setText("—")
            return
        due = add_months(self.member.join_date.first_day(), 12 + months)
        self.new_due.setText(due.isoformat())

    def problems(self) -> list[str]:
        found = extension_problems(
            self.member, _day(self.date_edit), self.months_spin.value(), self.today
        )
        if not self.reason_edit.text().strip():
            found.append("请填写延长预备期的原因")
        return found

    def value(self) -> Extension:
        return Extension(
            _day(self.date_edit), self.months_spin.value(), self.reason_edit.text().strip()
        )

    def accept(self) -> None:
        problems = self.problems()
        if problems:
            self.message.show_error("；".join(problems))
            return
        super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, member: Member, today: dt.date
    ) -> Extension | None:
        dialog = cls(member, today, parent)
        try:
            return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class LongLeaveDialog(QDialog):
    """Ask for the from/to dates and reason of an approved long leave, or to remove it.

    ``result_leave`` after an accepted dialog: the leave to record, or None to remove it.
    """

    def __init__(self, member: Member, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"长期请假 - {member.name}")
        leave = member.long_leave
        intro = QLabel(
            "因病、在外地工作等原因经支部同意长期不能参加组织生活的党员，在请假期间不列入"
            "“三个月以上未参加组织生活”的提醒。"
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(theme.MUTED_TEXT)
        self.start_edit = _date_edit(leave.start if leave else today)
        self.end_edit = _date_edit(leave.end if leave else add_months(today, 6))
        self.reason_edit = QLineEdit(leave.reason if leave else "")
        self.reason_edit.setPlaceholderText("如：因病长期住院治疗")
        self.message = FieldMessage()
        form = QFormLayout()
        form.addRow("开始日期", self.start_edit)
        form.addRow("结束日期", self.end_edit)
        form.addRow("原因", self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.remove_button = self.buttons.addButton(
            "取消请假标记", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.remove_button.setVisible(leave is not None)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        fit_window(self)
        self.result_leave: LongLeave | None = None
        self.resize(480, self.sizeHint().height())

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        self.result_leave = None
        super().accept()

    def accept(self) -> None:
        start, end = _day(self.start_edit), _day(self.end_edit)
        reason = self.reason_edit.text().strip()
        problems = leave_problems(start, end, reason)
        if problems:
            self.message.show_error("；".join(problems))
            return
        self.result_leave = LongLeave(start, end, reason)
        super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, member: Member, today: dt.date
    ) -> tuple[bool, LongLeave | None]:
        """(accepted, the leave or None to remove it)."""
        dialog = cls(member, today, parent)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return accepted, dialog.result_leave
        finally:
            dialog.deleteLater()
