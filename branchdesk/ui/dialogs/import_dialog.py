"""Import a roster: read it in the background, show what would change, then apply.

The file is parsed off the UI thread (it may be large or hostile); the comparison with the
stored roster runs on the UI thread, the write in the background in one transaction.
The preview accounts for every column (the field it fills, or why not, and the user may
point a column at a field: the choice is remembered per header text) and every row
(members, non-members, rows that hold no person, rows skipped for a problem).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Slot,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.ops.roster import import_roster
from branchdesk.reports.roster_import import (
    MAPPABLE_FIELDS,
    ColumnReport,
    ImportPreview,
    ImportResult,
    ParsedRoster,
    RosterFileError,
    RosterPasswordRequired,
    field_label,
    plan_import,
    read_roster,
)
from branchdesk.reports.workbook_read import FILE_PATTERNS
from branchdesk.store.session import StorageError
from branchdesk.ui import file_dialogs, msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.joined_on_question import JoinedOnQuestion
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


# Files the reader opens by their content; the names are only what the picker lists.
FILE_FILTER = (
    f"表格文件 ({' '.join(FILE_PATTERNS)});;Excel 工作簿 (*.xlsx *.xlsm *.xls);;"
    "WPS 表格 (*.et);;OpenDocument 表格 (*.ods);;CSV 文本 (*.csv *.txt);;所有文件 (*)"
)
_CHOICES_KEY = "roster_import/column_choices"
_IGNORE = ""


def load_column_choices() -> dict[str, str]:
    """The fields the user chose for header texts in earlier imports ("" means 不导入)."""
    raw = QSettings().value(_CHOICES_KEY, "")
    try:
        choices = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in choices.items()} if isinstance(choices, dict) else {}


def save_column_choices(choices: dict[str, str]) -> None:
    QSettings().setValue(_CHOICES_KEY, json.dumps(choices, ensure_ascii=False))


class ImportDialog(QDialog):
    """Preview of a roster import with counts and the rows behind them; 导入 applies it."""

    def __init__(self, context: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.path = Path(path)
        self.password: str | None = None
        self._many_sheets = False
        self.choices = load_column_choices()
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
        for key in ("add", "update", "unchanged", "skipped", "warnings", "non_members"):
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
        self.non_member_model = PreviewTableModel(["行号", "姓名", "身份"], self)
        self.ignored_model = PreviewTableModel(["行号", "内容", "原因"], self)
        self._tab_titles: list[tuple[PreviewTableModel, str]] = []
        for model, title in (
            (self.add_model, "新增"),
            (self.update_model, "更新"),
            (self.skipped_model, "跳过"),
            (self.warning_model, "提示"),
            (self.non_member_model, "非党员，未导入"),
            (self.ignored_model, "不是党员的行"),
            (self.unchanged_model, "无变化"),
        ):
            self.tabs.addTab(self._table(model), title)
            self._tab_titles.append((model, title))
        self.columns_table = self._columns_table()
        self.tabs.addTab(self.columns_table, "列")
        layout.addWidget(self.tabs, 1)

        self.joined_on = JoinedOnQuestion(self)  # since when the new members count
        self.joined_on.hide()
        layout.addWidget(self.joined_on)

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
        self.reading = False
        self._start_reading()

    def _start_reading(self) -> None:
        self.reading = True
        self.import_button.setEnabled(False)
        path, password, choices = self.path, self.password, dict(self.choices)
        self.op = BackgroundOp(
            self, lambda: read_roster(path, password=password, overrides=choices)
        )
        self.op.success(self._on_read_succeeded).failure(self._on_read_failed).run()

    def _columns_table(self) -> QTableWidget:
        table = QTableWidget(0, 5)
        table.setHorizontalHeaderLabels(["工作表", "列", "表头", "导入为", "说明"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        table.setToolTip("可为未识别的列选择要导入的项目，或选择“不导入”；所选会记住，下次导入同名的列时沿用。")
        return table

    def column_combo(self, row: int) -> QComboBox:
        """The 导入为 choice of one row of the 列 tab."""
        widget = self.columns_table.cellWidget(row, 3)
        assert isinstance(widget, QComboBox)
        return widget

    def _fill_columns(self, columns: list[ColumnReport]) -> None:
        table = self.columns_table
        table.setRowCount(0)
        table.setRowCount(len(columns))
        sheets = {c.sheet for c in columns}
        table.setColumnHidden(0, len(sheets) < 2)
        for row, column in enumerate(columns):
            for position, text in ((0, column.sheet), (1, column.letter), (2, column.header)):
                table.setItem(row, position, QTableWidgetItem(text or "（无表头）"))
            combo = QComboBox()
            combo.setObjectName(f"column_choice_{row}")
            combo.addItem("不导入", _IGNORE)
            keys = list(MAPPABLE_FIELDS)
            if column.field and column.field not in keys:
                keys.insert(0, column.field)
            for key in keys:
                combo.addItem(field_label(key), key)
            combo.setCurrentIndex(max(0, combo.findData(column.field or _IGNORE)))
            # 姓名 identifies the person; a column without a header has no text to remember.
            combo.setEnabled(column.field != "name" and bool(column.header))
            combo.currentIndexChanged.connect(
                lambda _i, c=column, box=combo: self._on_column_chosen(c, box.currentData())
            )
            table.setCellWidget(row, 3, combo)
            note = column.describe() if column.field is None else column.reason
            if column.chosen:
                note = "按您的选择" + (f"：{note}" if note and column.field is None else "")
            item = QTableWidgetItem(note)
            if column.field is None:
                item.setForeground(QColor(theme.WARNING))
            table.setItem(row, 4, item)

    def _on_column_chosen(self, column: ColumnReport, key: str) -> None:
        if self.reading or self.importing:
            return
        self.choices[column.header] = key
        save_column_choices(self.choices)
        self.status_label.setText(f"正在按所选重新读取“{column.header}”列…")
        self._start_reading()

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
            "non_members": (
                "非党员",
                len(preview.parsed.non_members) if preview else None,
                "人",
            ),
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
        if isinstance(exc, RosterPasswordRequired):
            password = self._ask_password(exc)
            if password is not None:
                self.password = password
                self.status_label.setText("正在用密码打开文件，请稍候…")
                self._start_reading()
                return
            self._show_error(f"“{self.path.name}”有密码保护，没有输入密码，未导入。")
            return
        if isinstance(exc, RosterFileError):
            self._show_error(exc.message)
            return
        if isinstance(exc, StorageError):
            self._show_error(exc.message)
            return
        log.error("reading %s failed", self.path, exc_info=exc)
        self._show_error(f"读取“{self.path.name}”时出错：{exc}")

    def _ask_password(self, exc: RosterPasswordRequired) -> str | None:
        """The workbook's password, or None when the user cancels."""
        prompt = (
            f"密码不正确，请重新输入“{self.path.name}”的打开密码："
            if exc.wrong_password
            else f"“{self.path.name}”有密码保护，请输入打开密码（只在内存中解密，不会另存文件）："
        )
        text, accepted = QInputDialog.getText(
            self, "输入密码", prompt, QLineEdit.EchoMode.Password
        )
        return text if accepted and text else None

    def _show_error(self, message: str) -> None:
        self.status_label.setText(message)
        self.status_label.setStyleSheet(theme.ERROR_TEXT + " " + theme.COUNT_TEXT)
        self.import_button.setEnabled(False)
        self.cancel_button.setText("关闭")

    def _row_label(self, sheet: str, row: int, last: int | None = None) -> str:
        rows = f"第 {row}–{last} 行" if last and last != row else f"第 {row} 行"
        return f"{sheet} {rows}" if self._many_sheets else rows

    def show_preview(self, preview: ImportPreview) -> None:
        self.preview = preview
        parsed = preview.parsed
        read = parsed.read_sheets
        self._many_sheets = len(read) > 1
        where = "、".join(f"“{s.title}”（表头在第 {s.header_row} 行）" for s in read)
        lines = [f"读取了工作表{where}。"]
        not_read = [s for s in parsed.sheets if not s.read and s.reason != "空工作表"]
        if not_read:
            lines.append(
                "未读取：" + "；".join(f"“{s.title}”（{s.reason}）" for s in not_read) + "。"
            )
        unused = parsed.unused_columns
        noted = [c for c in unused if not c.checked_only]
        if noted:
            shown = "、".join(f"“{c.header or c.letter + '列'}”" for c in noted[:6])
            more = f"等 {len(noted)} 列" if len(noted) > 6 else ""
            lines.append(f"未导入的列：{shown}{more}（见“列”，可改选导入为哪一项）。")
        lines.extend([*parsed.notices, *preview.notices])
        lines.append(
            "请核对下面的内容，确认无误后点“导入”。"
            if preview.has_changes
            else "与已有花名册相比没有需要新增或更新的党员。"
        )
        self.status_label.setText("\n".join(lines))
        self.status_label.setStyleSheet(theme.MUTED_TEXT)
        self._set_counts(preview)
        label = self._row_label
        self.add_model.set_rows(
            [
                (
                    label(p.sheet, p.row),
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
                    label(p.sheet, p.row),
                    p.member.name,
                    "；".join(f"{c.field}：{c.old or '（空）'} → {c.new}" for c in p.changes),
                )
                for p in preview.to_update
            ]
        )
        self.skipped_model.set_rows(
            [(label(s.sheet, s.row), s.name or "（无姓名）", s.reason) for s in preview.skipped]
        )
        self.warning_model.set_rows(
            [(label(w.sheet, w.row), w.field, w.message) for w in preview.warnings]
        )
        self.non_member_model.set_rows(
            [(label(n.sheet, n.row), n.name, n.stage) for n in parsed.non_members]
        )
        self.ignored_model.set_rows(
            [(label(i.sheet, i.row, i.last_row), i.text, i.reason) for i in parsed.ignored]
        )
        self.unchanged_model.set_rows(
            [(label(p.sheet, p.row), p.member.name, p.member.id_number) for p in preview.unchanged]
        )
        self._fill_columns(parsed.columns)
        self.tabs.setTabText(
            self.tabs.indexOf(self.columns_table),
            f"列（{len(parsed.columns)}，未导入 {len(noted)}）" if noted else f"列（{len(parsed.columns)}）",
        )
        for position, (model, title) in enumerate(self._tab_titles):
            self.tabs.setTabText(position, f"{title}（{model.rowCount()}）")
        first = next((i for i, (model, _t) in enumerate(self._tab_titles) if model.rowCount()), 0)
        self.tabs.setCurrentIndex(first)
        self.joined_on.set_preview(preview)
        self.import_button.setEnabled(preview.has_changes)
        if not preview.has_changes:
            self.cancel_button.setText("关闭")

    @Slot()
    def _on_import_button_clicked(self) -> None:
        if self.preview is None or self.importing:
            return
        joined_on = self.joined_on.check()
        if joined_on is None:
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
            self, self.context, lambda s: import_roster(s, preview, joined_on=joined_on),
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
        chosen = file_dialogs.open_file(parent, "选择要导入的花名册", FILE_FILTER)
        if chosen is None:
            return None
        dialog = cls(context, chosen, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        result = dialog.import_result if accepted else None
        if dialog.reading:  # cancelled while the worker still reads: let it finish first
            dialog.op.finished.connect(dialog.deleteLater)
        else:
            dialog.deleteLater()
        if result is not None:
            msgbox.information(parent, "导入完成", f"花名册已导入：{result.summary()}。")
        return result
