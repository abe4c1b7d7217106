"""Import a roster .xlsx: read it in the background, show what would change, then apply.

The file is parsed off the UI thread (it may be large or hostile); the comparison with the
stored roster and the write both run on the UI thread with the app's own connection, the
write in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.ops.roster import import_roster
from branchdesk.reports.roster_import import (
    ImportPreview,
    ImportResult,
    ParsedRoster,
    RosterFileError,
    plan_import,
    read_roster,
)
from branchdesk.store.session import StorageError
from branchdesk.ui import msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.errors import user_message
from branchdesk.ui.ops import BackgroundOp, run_op_in_background
from branchdesk.ui.screen_fit import fit_window

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex


class PreviewTableModel(QAbstractTableModel):
    """Rows of plain text under fixed headers; the first column is the Excel row number."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[list[str]] = []

    def set_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self._rows = [[str(value) for value in row] for row in rows]
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


def _row_label(row: int) -> str:
    return f"第 {row} 行"


class ImportDialog(QDialog):
    """Preview of a roster import with counts and the rows behind them; 导入 applies it."""

    def __init__(self, context: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.path = Path(path)
        self.preview: ImportPreview | None = None
        self.import_result: ImportResult | None = None
        self.setWindowTitle("导入党员花名册")
        fit_window(self, 920, 600)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        self.file_label = QLabel(f"文件：{self.path.name}")
        self.file_label.setStyleSheet(theme.SUBHEADING)
        self.file_label.setToolTip(str(self.path))
        layout.addWidget(self.file_label)

        self.status_label = QLabel("正在读取文件，请稍候…")
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet(theme.MUTED_TEXT)
        layout.addWidget(self.status_label)

        counts = QHBoxLayout()
        counts.setSpacing(10)
        self.count_labels: dict[str, QLabel] = {}
        for key in ("add", "update", "unchanged", "skipped", "warnings"):
            label = QLabel()
            label.setObjectName(f"count_{key}")
            label.setStyleSheet(theme.COUNT_TILE)
            counts.addWidget(label)
            self.count_labels[key] = label
        counts.addStretch(1)
        layout.addLayout(counts)

        self.tabs = QTabWidget()
        self.add_model = PreviewTableModel(["行号", "姓名", "身份证号", "党小组", "党员类别"], self)
        self.update_model = PreviewTableModel(["行号", "姓名", "变更内容"], self)
        self.skipped_model = PreviewTableModel(["行号", "姓名", "原因"], self)
        self.warning_model = PreviewTableModel(["行号", "栏目", "提示"], self)
        self.unchanged_model = PreviewTableModel(["行号", "姓名", "身份证号"], self)
        self._tab_titles: list[tuple[PreviewTableModel, str]] = []
        for model, title in (
            (self.add_model, "新增"),
            (self.update_model, "更新"),
            (self.skipped_model, "跳过"),
            (self.warning_model, "提示"),
            (self.unchanged_model, "无变化"),
        ):
            self.tabs.addTab(self._table(model), title)
            self._tab_titles.append((model, title))
        layout.addWidget(self.tabs, 1)

        self.note_label = QLabel(
            "导入只会新增或更新党员：表格中留空的格子不会清除已有信息；被跳过的行不会导入。"
        )
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(theme.MUTED_TEXT)
        layout.addWidget(self.note_label)

        self.buttons = QDialogButtonBox()
        self.import_button = QPushButton("导入")
        self.import_button.setEnabled(False)
        self.import_button.setDefault(True)
        self.cancel_button = QPushButton("取消")
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)

        self._set_counts(None)
        self.importing = False
        self._preview_text = ""
        self.reading = True
        self.op = BackgroundOp(self, lambda: read_roster(self.path))
        self.op.success(self._on_read_succeeded).failure(self._on_read_failed).run()

    @staticmethod
    def _table(model: PreviewTableModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setAlternatingRowColors(True)
        view.setWordWrap(True)
        view.verticalHeader().setVisible(False)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        view.setStyleSheet("QHeaderView::section { padding: 4px 10px; }")
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Long reasons wrap inside the last column instead of running off to the right.
        model.modelReset.connect(view.resizeRowsToContents)
        return view

    def _set_counts(self, preview: ImportPreview | None) -> None:
        values = {
            "add": ("新增", len(preview.to_add) if preview else None, "人"),
            "update": ("更新", len(preview.to_update) if preview else None, "人"),
            "unchanged": ("无变化", len(preview.unchanged) if preview else None, "人"),
            "skipped": ("跳过", len(preview.skipped) if preview else None, "行"),
            "warnings": ("提示", len(preview.warnings) if preview else None, "条"),
        }
        for key, (title, count, unit) in values.items():
            shown = "—" if count is None else str(count)
            self.count_labels[key].setText(f"{title} {shown} {unit}")
        if preview is not None:
            self.count_labels["skipped"].setStyleSheet(
                self.count_labels["skipped"].styleSheet()
                + (f" QLabel {{ color: {theme.BRAND_RED}; }}" if preview.skipped else "")
            )
            self.count_labels["warnings"].setStyleSheet(
                self.count_labels["warnings"].styleSheet()
                + (f" QLabel {{ color: {theme.WARNING}; }}" if preview.warnings else "")
            )

    def count_text(self, key: str) -> str:
        """The text of one count (``add``, ``update``, ``unchanged``, ``skipped``, ``warnings``)."""
        return self.count_labels[key].text()

    @Slot(object)
    def _on_read_succeeded(self, parsed: ParsedRoster) -> None:
        self.reading = False
        preview = plan_import(self.context.db, parsed)
        self.show_preview(preview)

    @Slot(object)
    def _on_read_failed(self, exc: BaseException) -> None:
        self.reading = False
        if isinstance(exc, RosterFileError):
            self._show_error(exc.message)
            return
        if isinstance(exc, StorageError):
            self._show_error(exc.message)
            return
        log.error("reading %s failed", self.path, exc_info=exc)
        self._show_error(f"读取“{self.path.name}”时出错：{exc}")

    def _show_error(self, message: str) -> None:
        self.status_label.setText(message)
        self.status_label.setStyleSheet(theme.ERROR_TEXT + " " + theme.COUNT_TEXT)
        self.import_button.setEnabled(False)
        self.cancel_button.setText("关闭")

    def show_preview(self, preview: ImportPreview) -> None:
        self.preview = preview
        parsed = preview.parsed
        self.status_label.setText(
            f"工作表“{parsed.sheet}”，表头在第 {parsed.header_row} 行。"
            + (
                "请核对下面的内容，确认无误后点“导入”。"
                if preview.has_changes
                else "与已有花名册相比没有需要新增或更新的党员。"
            )
        )
        self._set_counts(preview)
        self.add_model.set_rows(
            [
                (
                    _row_label(p.row),
                    p.member.name,
                    p.member.id_number,
                    p.member.group_name,
                    p.member.category.label,
                )
                for p in preview.to_add
            ]
        )
        self.update_model.set_rows(
            [
                (
                    _row_label(p.row),
                    p.member.name,
                    "；".join(f"{c.field}：{c.old or '（空）'} → {c.new}" for c in p.changes),
                )
                for p in preview.to_update
            ]
        )
        self.skipped_model.set_rows(
            [(_row_label(s.row), s.name or "（无姓名）", s.reason) for s in preview.skipped]
        )
        self.warning_model.set_rows(
            [(_row_label(w.row), w.field, w.message) for w in preview.warnings]
        )
        self.unchanged_model.set_rows(
            [(_row_label(p.row), p.member.name, p.member.id_number) for p in preview.unchanged]
        )
        for position, (model, title) in enumerate(self._tab_titles):
            self.tabs.setTabText(position, f"{title}（{model.rowCount()}）")
        first = next((i for i, (model, _t) in enumerate(self._tab_titles) if model.rowCount()), 0)
        self.tabs.setCurrentIndex(first)
        self.import_button.setEnabled(preview.has_changes)
        if not preview.has_changes:
            self.cancel_button.setText("关闭")

    @Slot()
    def _on_import_button_clicked(self) -> None:
        if self.preview is None or self.importing:
            return
        self.importing = True
        self.import_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self._preview_text = self.status_label.text()
        self.status_label.setText("正在导入…")
        preview = self.preview
        # Written from a connection of the worker: a large roster takes longer than the UI
        # may wait, and one transaction keeps it all or nothing.
        self.op = run_op_in_background(
            self, self.context, lambda s: import_roster(s, preview),
            success=self._on_import_succeeded, failure=self._on_import_failed,
        )  # fmt: skip

    @Slot(object)
    def _on_import_succeeded(self, result: ImportResult) -> None:
        self.importing = False
        self.import_result = result
        self.accept()

    @Slot(object)
    def _on_import_failed(self, exc: BaseException) -> None:
        self.importing = False
        self.import_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.status_label.setText(self._preview_text)
        message = user_message(exc, self.context.db_path)
        if message is None:
            raise exc
        msgbox.error(self, "导入失败", f"{message}\n花名册没有任何改动。")

    def reject(self) -> None:
        if not self.importing:  # the write finishes first: Esc cannot leave it half-seen
            super().reject()

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> ImportResult | None:
        """Ask for a file, show the preview and import on 导入; None when cancelled."""
        chosen, _filter = QFileDialog.getOpenFileName(
            parent, "选择要导入的花名册", "", "Excel 工作簿 (*.xlsx)"
        )
        if not chosen:
            return None
        dialog = cls(context, Path(chosen), parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        result = dialog.import_result if accepted else None
        if dialog.reading:  # cancelled while the worker still reads: let it finish first
            dialog.op.finished.connect(dialog.deleteLater)
        else:
            dialog.deleteLater()
        if result is not None:
            msgbox.information(parent, "导入完成", f"花名册已导入：{result.summary()}。")
        return result
