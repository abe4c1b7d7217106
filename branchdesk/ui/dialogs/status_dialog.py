"""Record that a member left the branch (转出, 去世 ...), went 流动, or came back.

Members are never deleted: the record stays and reappears when 含已离开 is ticked.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Member, MemberStatus
from branchdesk.ui import theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import run_op
from branchdesk.ui.screen_fit import fit_window
from branchdesk.ui.widgets import DateEdit, FieldMessage, heading

log = logging.getLogger(__name__)

_STATUS_HINTS = {
    MemberStatus.ACTIVE: "恢复为在册党员，重新计入花名册人数。",
    MemberStatus.FLOWING: "流动党员仍属本支部，计入花名册人数。",
    MemberStatus.LOST: "失联党员仍属本支部，计入花名册人数；请继续设法联系。",
    MemberStatus.TRANSFERRED_OUT: "组织关系转出后不再计入本支部人数。",
    MemberStatus.DECEASED: "去世后不再计入本支部人数。",
    MemberStatus.SUSPENDED: "停止党籍后不再计入本支部人数。",
    MemberStatus.LEFT: "出党后不再计入本支部人数。",
}
_DATE_LABELS = {
    MemberStatus.ACTIVE: "恢复日期",
    MemberStatus.FLOWING: "外出日期",
    MemberStatus.LOST: "失去联系日期",
    MemberStatus.TRANSFERRED_OUT: "转出日期",
    MemberStatus.DECEASED: "去世日期",
    MemberStatus.SUSPENDED: "停止党籍日期",
    MemberStatus.LEFT: "出党日期",
}


class StatusDialog(QDialog):
    """Change one member's status with a date and a note; the member is never removed."""

    def __init__(self, parent: QWidget | None, context: AppContext, member: Member) -> None:
        super().__init__(parent)
        self.context = context
        self.member = member
        self.saved_status: MemberStatus | None = None
        self.setWindowTitle("转出/离开")
        self.setMinimumWidth(520)

        current = f"当前状态：{member.status.label}"
        if member.status_date:
            current += f"（{member.status_date.display()}）"
        self.status_combo = QComboBox()
        for status in MemberStatus:
            self.status_combo.addItem(status.label, status.value)
        default = MemberStatus.TRANSFERRED_OUT if member.status.in_roster else MemberStatus.ACTIVE
        self.status_combo.setCurrentIndex(self.status_combo.findData(default))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(theme.MUTED_TEXT)
        self.date_edit = DateEdit()
        self.date_message = FieldMessage()
        self.note_edit = QLineEdit()
        self.note_edit.setMaxLength(200)
        self.note_edit.setPlaceholderText("如：转往××党支部；记入备注")
        self.date_label = QLabel()

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.addRow("新的状态", self.status_combo)
        form.addRow("", self.hint)
        date_box = QVBoxLayout()
        date_box.setSpacing(2)
        date_box.addWidget(self.date_edit)
        date_box.addWidget(self.date_message)
        form.addRow(self.date_label, date_box)
        form.addRow("说明", self.note_edit)

        keep = QLabel("党员记录不会删除；在党员列表勾选“含已离开”仍可查看。")
        keep.setWordWrap(True)
        keep.setStyleSheet(theme.MUTED_TEXT)
        self.roles_note = QLabel()
        self.roles_note.setWordWrap(True)
        self.roles_note.setStyleSheet(theme.MUTED_TEXT)

        self.save_button = QPushButton("确定")
        self.save_button.setMinimumWidth(96)
        self.save_button.setDefault(True)
        if context.read_only:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip("数据为只读")
        cancel = QPushButton("取消")
        cancel.setMinimumWidth(96)
        cancel.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(heading(f"{member.name}：转出/离开"))
        current_label = QLabel(current)
        layout.addWidget(current_label)
        layout.addLayout(form)
        layout.addWidget(self.roles_note)
        layout.addWidget(keep)
        layout.addLayout(buttons)

        self.status_combo.currentIndexChanged.connect(self._on_status_combo_changed)
        self.date_edit.date_changed.connect(self._on_date_edit_changed)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        self._on_status_combo_changed()
        fit_window(self)

    def status(self) -> MemberStatus:
        return MemberStatus(self.status_combo.currentData())

    @Slot()
    def _on_status_combo_changed(self) -> None:
        status = self.status()
        self.hint.setText(_STATUS_HINTS[status])
        required = "" if status.in_roster else "＊"
        self.date_label.setText(f"{_DATE_LABELS[status]}{required}")
        if not status.in_roster and self.member.roles:
            roles = "、".join(role.label for role in self.member.roles)
            self.roles_note.setText(f"离开后将不再担任支委职务（{roles}）。")
            self.roles_note.show()
        else:
            self.roles_note.hide()
        self.date_message.clear_message()

    @Slot()
    def _on_date_edit_changed(self) -> None:
        self._check_date()

    def _check_date(self) -> tuple[bool, PartialDate | None]:
        try:
            on = self.date_edit.value()
        except ValueError as exc:
            self.date_message.show_error(str(exc))
            return False, None
        if on is None and not self.status().in_roster:
            self.date_message.show_error(f"请填写{_DATE_LABELS[self.status()]}")
            return False, None
        if on is not None and on.first_day() > dt.date.today():
            self.date_message.show_error("日期晚于今天，请核对")
            return False, None
        self.date_message.clear_message()
        return True, on

    @Slot()
    def save(self) -> bool:
        """Record the status; return False when the date is missing or wrong."""
        if self.context.read_only:
            return False
        ok, on = self._check_date()
        if not ok:
            self.date_edit.setFocus()
            return False
        status = self.status()
        note = self.note_edit.text().strip()
        if note and on is not None:
            note = f"{on.display()} {status.label}：{note}"
        assert self.member.id is not None
        member_id = self.member.id
        if run_op(self, self.context,
                  lambda s: ops.set_member_status(s, member_id, status, on, note)) is None:  # fmt: skip
            return False
        self.saved_status = status
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext, member: Member) -> MemberStatus | None:
        """Show the dialog for ``member``; return the new status, or None when cancelled."""
        dialog = cls(parent, context, member)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.saved_status
            return None
        finally:
            dialog.deleteLater()
