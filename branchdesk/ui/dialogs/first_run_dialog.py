"""First start on an empty data folder: ask for the branch's name and superior committee."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.branch import Branch
from branchdesk.domain.validation import normalize_text
from branchdesk.ui import theme
from branchdesk.ui.screen_fit import fit_window


class FirstRunDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, branch: Branch | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("欢迎使用 BranchDesk 支部台账")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "请先填写支部名称和上级党组织。\n今后打印的签到表、会议记录和上报的报表都会使用这两项，"
            "以后也可以在“设置”中修改。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例如：城关街道幸福里社区党支部")
        self.superior_edit = QLineEdit()
        self.superior_edit.setPlaceholderText("例如：中共城关街道工作委员会")
        self.error_label = QLabel()
        self.error_label.setStyleSheet(theme.FORM_ERROR_TEXT)
        form.addRow("支部名称：", self.name_edit)
        form.addRow("上级党组织：", self.superior_edit)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("开始使用")
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_window(self)

    def branch(self) -> Branch:
        return Branch(
            name=normalize_text(self.name_edit.text()),
            superior=normalize_text(self.superior_edit.text()),
        )

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if not self.branch().name:
            self.error_label.setText("请填写支部名称")
            self.name_edit.setFocus()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, branch: Branch | None = None) -> Branch | None:
        dialog = cls(parent, branch)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.branch()
        return None
