"""The 设置 page: the branch's name and superior committee, the data folder, the version.

Only settings that work are shown here.
"""

from __future__ import annotations

import logging
import sqlite3

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk import APP_TITLE, __version__
from branchdesk.domain.branch import Branch
from branchdesk.store.db import storage_error
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.widgets import MUTED_COLOR, FieldMessage, heading

log = logging.getLogger(__name__)


class SettingsPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("settings_page")

        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(80)
        self.name_edit.setPlaceholderText("如 中共××社区第一支部委员会")
        self.name_message = FieldMessage()
        self.superior_edit = QLineEdit()
        self.superior_edit.setMaxLength(80)
        self.superior_edit.setPlaceholderText("如 中共××街道工作委员会")
        self.save_button = QPushButton("保存")
        self.save_button.setMinimumWidth(96)
        self.saved_label = QLabel()
        self.saved_label.setStyleSheet(f"color: {MUTED_COLOR};")
        name_box = QVBoxLayout()
        name_box.setSpacing(2)
        name_box.addWidget(self.name_edit)
        name_box.addWidget(self.name_message)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.saved_label, 1)
        branch_form = QFormLayout()
        branch_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        branch_form.setHorizontalSpacing(12)
        branch_form.setVerticalSpacing(10)
        branch_form.addRow("支部名称＊", name_box)
        branch_form.addRow("上级党组织", self.superior_edit)
        branch_form.addRow("", save_row)
        hint = QLabel("支部名称和上级党组织会印在签到表、会议记录和报表上。")
        hint.setStyleSheet(f"color: {MUTED_COLOR};")
        hint.setWordWrap(True)
        branch_layout = QVBoxLayout()
        branch_layout.addLayout(branch_form)
        branch_layout.addWidget(hint)
        branch_group = QGroupBox("支部信息")
        branch_group.setLayout(branch_layout)

        self.folder_label = QLabel(str(context.data_dir))
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        self.open_button = QPushButton("打开文件夹")
        self.open_button.setMinimumWidth(110)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.open_button)
        folder_hint = QLabel("全部记录保存在这个文件夹里；复制整个文件夹即可备份或换电脑。")
        folder_hint.setStyleSheet(f"color: {MUTED_COLOR};")
        folder_hint.setWordWrap(True)
        data_layout = QVBoxLayout()
        data_layout.addLayout(folder_row)
        data_layout.addWidget(folder_hint)
        data_group = QGroupBox("数据文件夹")
        data_group.setLayout(data_layout)

        self.version_label = QLabel(f"{APP_TITLE}  版本 {__version__}")
        about_layout = QVBoxLayout()
        about_layout.addWidget(self.version_label)
        about_group = QGroupBox("关于")
        about_group.setLayout(about_layout)

        column = QVBoxLayout()
        column.setSpacing(16)
        column.addWidget(branch_group)
        column.addWidget(data_group)
        column.addWidget(about_group)
        column.addStretch(1)
        content = QWidget()
        content.setLayout(column)
        content.setFixedWidth(720)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(16)
        layout.addWidget(heading("设置"))
        layout.addWidget(content, 1, Qt.AlignmentFlag.AlignLeft)
        self.setStyleSheet(
            "QGroupBox { font-weight: 600; border: 1px solid #ddd5c8; border-radius: 4px;"
            " margin-top: 12px; padding: 14px 12px 10px 12px; }"
            "QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }"
            "QGroupBox QLabel, QGroupBox QLineEdit, QGroupBox QPushButton { font-weight: normal; }"
        )

        self.save_button.clicked.connect(self.save)
        self.name_edit.returnPressed.connect(self.save)
        self.superior_edit.returnPressed.connect(self.save)
        self.name_edit.textEdited.connect(self._on_edit_text_edited)
        self.superior_edit.textEdited.connect(self._on_edit_text_edited)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        context.events.records_changed.connect(self._on_events_records_changed)
        self.load()

    def load(self) -> None:
        branch = self.context.branch.get()
        self.name_edit.setText(branch.name if branch else "")
        self.superior_edit.setText(branch.superior if branch else "")

    @Slot()
    def save(self) -> bool:
        """Save the branch details; return False when the name is missing."""
        name = self.name_edit.text().strip()
        if not name:
            self.name_message.show_error("请填写支部名称")
            self.name_edit.setFocus()
            return False
        self.name_message.clear_message()
        try:
            self.context.branch.save(Branch(name=name, superior=self.superior_edit.text().strip()))
        except sqlite3.Error as exc:
            log.exception("saving branch failed")
            msgbox.error(self, "没有保存", storage_error(exc, self.context.db_path).message)
            return False
        self.saved_label.setText("已保存")
        self.context.changed("branch")
        return True

    @Slot()
    def _on_edit_text_edited(self) -> None:
        self.saved_label.clear()

    @Slot()
    def _on_open_button_clicked(self) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.context.data_dir))):
            msgbox.warning(self, "打开文件夹", f"无法打开文件夹：\n{self.context.data_dir}")

    @Slot(str)
    def _on_events_records_changed(self, kind: str) -> None:
        if kind == "branch":
            self.load()
