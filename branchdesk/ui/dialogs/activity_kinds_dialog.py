"""管理活动类型: add an activity kind, or rename one everywhere (old activities included)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.ops import Changes
from branchdesk.store.activities import ActivityKindRepo
from branchdesk.ui import theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.errors import user_message
from branchdesk.ui.ops import announce
from branchdesk.ui.screen_fit import fit_window
from branchdesk.ui.widgets import FieldMessage


class ActivityKindsDialog(QDialog):
    """管理类型: add a kind, or rename one everywhere (old activities included)."""

    def __init__(self, parent: QWidget | None, context: AppContext) -> None:
        super().__init__(parent)
        self.setObjectName("ActivityKindsDialog")
        self.setWindowTitle("管理活动类型")
        self.context = context
        self.repo = ActivityKindRepo(context.db)
        self.changed = False
        self.last_added = ""
        self.kind_list = QListWidget()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("类型名称，如：文明实践")
        self.name_edit.setMaxLength(20)
        self.add_button = QPushButton("添加")
        self.rename_button = QPushButton("把所选类型改为此名称")
        self.message = FieldMessage()
        note = QLabel("改名会同时更新已登记活动的类型。")
        note.setStyleSheet(theme.MUTED_TEXT)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        for button in (self.add_button, self.rename_button, close):
            button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.rename_button)
        bottom = QHBoxLayout()
        bottom.addWidget(note, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("本支部的活动类型："))
        layout.addWidget(self.kind_list, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.rename_button.clicked.connect(self._on_rename_button_clicked)
        self.name_edit.returnPressed.connect(self._on_add_button_clicked)
        self.kind_list.currentTextChanged.connect(self._on_kind_list_current_text_changed)
        self._reload()
        fit_window(self, 460, 380)

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> str | None:
        """Open the dialog; return the kind to select afterwards, or None if nothing changed."""
        dialog = cls(parent, context)
        try:
            dialog.exec()
            if not dialog.changed:
                return None
            return dialog.last_added or dialog.current_kind()
        finally:
            dialog.deleteLater()

    def _reload(self, select: str = "") -> None:
        self.kind_list.clear()
        self.kind_list.addItems(self.repo.list())
        matches = self.kind_list.findItems(select, Qt.MatchFlag.MatchExactly) if select else []
        if matches:
            self.kind_list.setCurrentItem(matches[0])
        self.rename_button.setEnabled(self.kind_list.currentItem() is not None)

    def current_kind(self) -> str:
        item = self.kind_list.currentItem()
        return item.text() if item else ""

    def add_kind(self, name: str) -> bool:
        try:
            result = ops.add_activity_kind(self.context.session, name)
        except Exception as exc:
            if not self._refused(exc):
                raise
            return False
        self.last_added = name.strip()
        self._done(f"已添加“{self.last_added}”", self.last_added, result.changes)
        return True

    def rename_kind(self, old: str, new: str) -> bool:
        if not old:
            self.message.show_error("请先在上面的列表中选择要改名的类型")
            return False
        try:
            result = ops.rename_activity_kind(self.context.session, old, new)
        except Exception as exc:
            if not self._refused(exc):
                raise
            return False
        if self.last_added == old:
            self.last_added = new.strip()
        self._done(f"已把“{old}”改为“{new.strip()}”", new.strip(), result.changes)
        return True

    def _refused(self, exc: Exception) -> bool:
        """Show why a name or the database refused the change; False for a bug."""
        message = str(exc) if isinstance(exc, ValueError) else user_message(exc)
        if message is None:
            return False
        self.message.show_error(message)
        return True

    def _done(self, text: str, select: str, changes: Changes) -> None:
        self.changed = True
        self.name_edit.clear()
        self.message.show_info(text)
        self._reload(select)
        announce(self.context, changes)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.add_kind(self.name_edit.text())

    @Slot()
    def _on_rename_button_clicked(self) -> None:
        self.rename_kind(self.current_kind(), self.name_edit.text())

    @Slot(str)
    def _on_kind_list_current_text_changed(self, _text: str) -> None:
        self.rename_button.setEnabled(self.kind_list.currentItem() is not None)
