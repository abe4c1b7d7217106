"""设置 › 会议要求: how often each kind of meeting must be held (some localities require more)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.meetings import MeetingKind
from branchdesk.domain.requirements import DEFAULT_REQUIREMENTS, Requirement, Unit
from branchdesk.store.requirements import RequirementRepo
from branchdesk.ui import msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.errors import user_message
from branchdesk.ui.ops import announce
from branchdesk.ui.screen_fit import fit_window


def _kinds() -> list[MeetingKind]:
    """The kinds a branch can require, as the registry has them now."""
    return [k for k in MeetingKind if k.spec.requirable]


class RequirementsDialog(QDialog):
    """One row per kind: required or not, how many times, per month / quarter / year."""

    def __init__(self, parent: QWidget | None, context: AppContext) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("会议要求")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "按《中国共产党支部工作条例（试行）》设定了默认要求。"
            "如上级有更高要求（例如每月一次党课），可在这里调整。报表、工作台的“达标”判断都按这里的要求。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        for column, text in enumerate(("考核", "会议类型", "频率", "至少次数")):
            header = QLabel(text)
            header.setStyleSheet(theme.HEADER_TEXT)
            grid.addWidget(header, 0, column)
        self.rows: dict[MeetingKind, tuple[QCheckBox, QComboBox, QSpinBox]] = {}
        for row, kind in enumerate(_kinds(), start=1):
            enabled = QCheckBox()
            unit = QComboBox()
            for choice in Unit:
                unit.addItem(choice.label, choice.value)
            times = QSpinBox()
            times.setRange(1, 31)
            times.setSuffix(" 次")
            enabled.toggled.connect(unit.setEnabled)
            enabled.toggled.connect(times.setEnabled)
            label = QLabel(kind.label + ("（每个党小组）" if kind.spec.group else ""))
            grid.addWidget(enabled, row, 0, Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(label, row, 1)
            grid.addWidget(unit, row, 2)
            grid.addWidget(times, row, 3)
            self.rows[kind] = (enabled, unit, times)
        layout.addLayout(grid)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(theme.FORM_ERROR_TEXT)
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        reset = QPushButton("恢复默认")
        buttons.addButton(reset, QDialogButtonBox.ButtonRole.ResetRole)
        reset.clicked.connect(self._on_reset_clicked)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not context.read_only)
        layout.addWidget(buttons)
        self._show(RequirementRepo(context.db).list())
        fit_window(self)

    def _show(self, requirements: list[Requirement]) -> None:
        by_kind = {r.kind: r for r in requirements}
        for kind, (enabled, unit, times) in self.rows.items():
            rule = by_kind.get(kind)
            enabled.setChecked(rule is not None)
            unit.setEnabled(rule is not None)
            times.setEnabled(rule is not None)
            shown = rule or next((d for d in DEFAULT_REQUIREMENTS if d.kind is kind), None)
            if shown:
                unit.setCurrentIndex(unit.findData(shown.unit.value))
                times.setValue(shown.times)

    def requirements(self) -> list[Requirement]:
        return [
            Requirement(kind, Unit(unit.currentData()), times.value())
            for kind, (enabled, unit, times) in self.rows.items()
            if enabled.isChecked()
        ]

    @Slot()
    def _on_reset_clicked(self) -> None:
        self._show(list(DEFAULT_REQUIREMENTS))

    @Slot()
    def _on_buttons_accepted(self) -> None:
        try:
            result = ops.save_requirements(self.context.session, self.requirements())
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return
        except Exception as exc:  # storage problems are told; bugs go on to the crash handler
            message = user_message(exc)
            if message is None:
                raise
            msgbox.error(self, "没有保存", message)
            return
        announce(self.context, result.changes)
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> bool:
        return cls(parent, context).exec() == QDialog.DialogCode.Accepted
