"""汇总: many branches' returns of one period merged into one table, at the superior committee.

Files come by drag and drop or 添加文件…; only their hidden ``_branchdesk`` sheet is read
(``reports.consolidation``), in the background. The view shows a row per branch with a
totals row, the files it refused and why, and, given a list of the branches expected,
the ones that sent nothing; 导出汇总表… writes the same table as a workbook.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.requirements import Status
from branchdesk.reports.consolidation import (
    BranchFigures,
    Consolidation,
    ConsolidationCancelled,
    consolidate,
    default_consolidation_filename,
    kind_label,
    read_expected_names,
    write_consolidation,
)
from branchdesk.reports.return_workbook import NO_RATE, day_text
from branchdesk.reports.xlsx_safety import XlsxFileError
from branchdesk.ui import file_dialogs, msgbox, theme
from branchdesk.ui.ops import BackgroundOp
from branchdesk.ui.pages.return_summary_view import (
    GREEN,
    GREY,
    RED,
    Cell,
    CellTableModel,
    CompactTable,
    ExportResultLine,
)
from branchdesk.ui.screen_fit import FlowLayout

log = logging.getLogger(__name__)

FIXED_BEFORE = ("支部名称", "党员数")
FIXED_AFTER = ("出席率", "活动次数", "服务时长", "未达标项目", "生成日期")
REFUSED_HEADERS = ("文件", "未采用的原因")
TOTALS_BACKGROUND = theme.HOVER_BACKGROUND
# Long headers in two lines, so that a row of a dozen narrow columns fits the window.
_HEADER_LINES = {
    "党员大会": "党员\n大会",
    "主题党日": "主题\n党日",
    "组织生活会": "组织\n生活会",
    "民主评议党员": "民主评议\n党员",
    "活动次数": "活动\n次数",
    "服务时长": "服务时长\n（小时）",
}


def header_label(text: str) -> str:
    return _HEADER_LINES.get(text, text)


def _rate_text(rate: float | None) -> str:
    return NO_RATE if rate is None else f"{rate * 100:.1f}%"


def _number(value: float) -> str:
    return f"{value:g}"


def kind_cell(entry: dict[str, Any] | None) -> Cell:
    """已开 of one kind for one branch: ``2/3`` against what was required, coloured by status."""
    if not entry:
        return Cell("")
    held, required, status = entry.get("held", 0), entry.get("required", 0), entry.get("status")
    groups = entry.get("groups") or {}
    details = [
        f"{name}：已开 {g.get('held', 0)} 次，{g.get('status', '')}" for name, g in groups.items()
    ]
    if status == Status.NOT_ASSESSED.value and not required:
        return Cell(str(held), color=GREY, tooltip="\n".join(["本期不考核", *details]))
    color = RED if status == Status.NOT_MET.value else GREEN if status == Status.MET.value else ""
    tooltip = "\n".join([f"应开 {required} 次，已开 {held} 次：{status}", *details])
    return Cell(f"{held}/{required}", color=color, tooltip=tooltip, bold=color == RED)


def branch_cells(row: BranchFigures, codes: Sequence[str]) -> list[Cell]:
    day = row.generated_on
    generated = day_text(day, with_year=day.year != row.period.year) if day else ""
    marks = ("（逾期）" if row.late else "") + ("（修订）" if row.revised else "")
    shortfall = "、".join(row.not_met())
    return [
        Cell(row.branch, align_left=True, tooltip=f"文件：{row.file}"),
        Cell(str(row.members.get("total", 0))),
        *(kind_cell(row.kinds.get(code)) for code in codes),
        Cell(_rate_text(row.attendance_rate)),
        Cell(str(row.activities.get("count", 0))),
        Cell(_number(float(row.activities.get("hours", 0)))),
        Cell(
            shortfall or "无", align_left=True, color=RED if shortfall else GREEN, tooltip=shortfall
        ),
        Cell(generated + marks, color=RED if row.late else "", tooltip=row.file),
    ]


def totals_cells(c: Consolidation) -> list[Cell]:
    totals = c.totals
    cells = [
        Cell(f"合计 {totals['branches']} 个支部", align_left=True, bold=True),
        Cell(str(totals["members"]["total"]), bold=True),
    ]
    for code in c.kind_codes:
        entry = totals["kinds"][code]
        tooltip = (
            f"达标 {entry['met']} 个支部，未达标 {entry['not_met']} 个，"
            f"本期不考核 {entry['not_assessed']} 个"
        )
        cells.append(
            Cell(
                str(entry["held"]),
                bold=True,
                color=RED if entry["not_met"] else "",
                tooltip=tooltip,
            )
        )
    short = sum(1 for r in c.rows if r.not_met())
    cells += [
        Cell(_rate_text(totals["attendance_rate"]), bold=True),
        Cell(str(totals["activities"]["count"]), bold=True),
        Cell(_number(float(totals["activities"]["hours"])), bold=True),
        Cell(
            f"{short} 个支部有未达标项目" if short else "无",
            align_left=True,
            bold=True,
            color=RED if short else "",
        ),
        Cell(""),
    ]
    return [Cell(cell.text, cell.color, cell.tooltip, cell.bold, cell.align_left,
                 TOTALS_BACKGROUND) for cell in cells]  # fmt: skip


def dropped_paths(urls: Iterable[Any]) -> list[Path]:
    """Local files among dropped URLs; a dropped folder gives the .xlsx files in it."""
    paths: list[Path] = []
    for url in urls:
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.is_dir():
            paths += sorted(p for p in path.iterdir() if p.suffix.lower() == ".xlsx")
        else:
            paths.append(path)
    return paths


class DropZone(QFrame):
    """The dashed box files are dropped on.

    Signals:
        files_dropped(list): local paths dropped on the box.
    """

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(2)
        title = QLabel("把各支部报送的报表文件拖到这里")
        title.setObjectName("dropTitle")
        hint = QLabel("可一次拖入多个 .xlsx 文件或整个文件夹；只读取 BranchDesk 导出的报表")
        hint.setObjectName("dropHint")
        hint.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(hint)

    def _set_active(self, active: bool) -> None:
        self.setProperty("active", active)
        self.style().unpolish(self)
        self.style().polish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
            self._set_active(True)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 (Qt override)
        self._set_active(False)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        self._set_active(False)
        paths = dropped_paths(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)


def _panel(title: str) -> tuple[QFrame, QVBoxLayout, QLabel]:
    frame = QFrame()
    frame.setObjectName("problemPanel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 10, 14, 12)
    layout.setSpacing(6)
    heading = QLabel(title)
    heading.setObjectName("panelTitle")
    layout.addWidget(heading)
    return frame, layout, heading


class ConsolidationView(QWidget):
    """The 汇总 tab; ``add_files`` is what dropping and 添加文件… both call."""

    def __init__(self, today: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.setObjectName("consolidationView")
        self.setStyleSheet(theme.CONSOLIDATION)
        self.paths: list[Path] = []
        self.expected_names: list[str] | None = None
        self.expected_file: Path | None = None
        self.result: Consolidation | None = None
        self.busy = False
        self.stopped = False  # the last consolidation was stopped by the person
        self._again = False
        self.last_export: Path | None = None

        self.drop_zone = DropZone()
        self.drop_zone.files_dropped.connect(self._on_drop_zone_files_dropped)
        self.add_button = QPushButton("添加文件…")
        self.expected_button = QPushButton("预期支部名单…")
        self.expected_button.setToolTip(
            "选择一个 Excel 文件，每行一个应报送的支部名称，用于列出未报送的支部"
        )
        self.clear_button = QPushButton("全部移除")
        self.export_button = QPushButton("导出汇总表…")
        self.export_button.setObjectName("primaryAction")
        for button in (self.add_button, self.expected_button, self.clear_button):
            button.setObjectName("pageAction")
        for button in (*self._buttons(), self.export_button):
            button.setCursor(Qt.CursorShape.PointingHandCursor)

        self.deadline_box = QCheckBox("截止日期")
        self.deadline_box.setToolTip("在截止日期之后生成的报表标为“逾期”")
        self.deadline_edit = QDateEdit()
        self.deadline_edit.setCalendarPopup(True)
        self.deadline_edit.setDisplayFormat("yyyy年M月d日")
        self.deadline_edit.setEnabled(False)
        start = self.today()
        self.deadline_edit.setDate(QDate(start.year, start.month, start.day))
        self.expected_label = QLabel()
        self.expected_label.setObjectName("dropHint")
        self.forget_expected_button = QPushButton("不用名单")
        self.forget_expected_button.setObjectName("pageAction")
        self.forget_expected_button.hide()

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.drop_zone, 1)
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        row1 = FlowLayout(spacing=6)  # wraps on a narrow window
        row1.addWidget(self.add_button)
        row1.addWidget(self.expected_button)
        row1.addWidget(self.clear_button)
        buttons.addLayout(row1)
        buttons.addWidget(self.export_button)
        top.addLayout(buttons)

        options = FlowLayout()  # wraps on a narrow window
        options.addWidget(self.deadline_box)
        options.addWidget(self.deadline_edit)
        options.addWidget(self.expected_label)
        options.addWidget(self.forget_expected_button)
        options.add_break()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(200)
        self.progress.setFormat("已读 %v / %m 份")
        self.progress.hide()
        options.addWidget(self.progress)
        self.stop_button = QPushButton("停止")
        self.stop_button.setToolTip("停止这次汇总；已加入的文件保留，可稍后再汇总")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        options.addWidget(self.stop_button)
        # The worker reports after each file; the UI thread looks every 100 ms.
        self._read = [0, 0]
        self._stop = threading.Event()
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(100)
        self._progress_timer.timeout.connect(self._on_progress_timer_timeout)

        self.status_label = QLabel()
        self.status_label.setObjectName("consolidationStatus")
        self.status_label.setWordWrap(True)
        self.result_line = ExportResultLine()

        self.model = CellTableModel(FIXED_BEFORE + FIXED_AFTER, self)
        self.table = QTableView()
        self.table.setObjectName("branchTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.verticalHeader().setDefaultSectionSize(32)

        self.missing_panel, missing_layout, self.missing_title = _panel("未报送的支部")
        self.missing_label = QLabel()
        self.missing_label.setObjectName("panelText")
        self.missing_label.setWordWrap(True)
        self.missing_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        missing_layout.addWidget(self.missing_label)
        self.late_title = QLabel("逾期报送")
        self.late_title.setObjectName("panelTitle")
        self.late_label = QLabel()
        self.late_label.setObjectName("panelText")
        self.late_label.setWordWrap(True)
        missing_layout.addWidget(self.late_title)
        missing_layout.addWidget(self.late_label)
        missing_layout.addStretch(1)
        self.refused_panel, refused_layout, self.refused_title = _panel("未采用的文件")
        self.refused_model = CellTableModel(REFUSED_HEADERS, self)
        self.refused_table = CompactTable(self.refused_model, stretch=(1,), max_height=160)
        self.refused_table.setObjectName("refusedTable")
        refused_layout.addWidget(self.refused_table)
        self.refused_none = QLabel("无，所有文件均已采用。")
        self.refused_none.setObjectName("panelText")
        self.refused_none.setStyleSheet(theme.color(GREEN))
        refused_layout.addWidget(self.refused_none)
        refused_layout.addStretch(1)
        problems = QHBoxLayout()
        problems.setSpacing(12)
        problems.addWidget(self.missing_panel, 2)
        problems.addWidget(self.refused_panel, 3)

        self.empty_label = QLabel(
            "还没有添加报表文件。\n\n把各支部报送的月报、季报或年报（同一期间）拖到上面的方框里，"
            "或点击“添加文件…”。\n可另选一份预期支部名单（每行一个支部名称），以列出未报送的支部。"
        )
        self.empty_label.setObjectName("dropHint")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(options)
        layout.addWidget(self.result_line)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(problems)
        layout.addWidget(self.empty_label, 1)

        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.expected_button.clicked.connect(self._on_expected_button_clicked)
        self.forget_expected_button.clicked.connect(self._on_forget_expected_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.deadline_box.toggled.connect(self._on_deadline_box_toggled)
        self.deadline_edit.dateChanged.connect(self._on_deadline_edit_changed)
        self._show()

    def _buttons(self) -> tuple[QPushButton, ...]:
        return (self.add_button, self.expected_button, self.clear_button)

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # -- input ------------------------------------------------------------------------------------

    def add_files(self, paths: Iterable[Path | str]) -> None:
        """Add return files (dropped or chosen) and consolidate them all again."""
        known = {p.resolve() for p in self.paths}
        added = 0
        for raw in paths:
            path = Path(raw)
            if path.resolve() not in known:
                known.add(path.resolve())
                self.paths.append(path)
                added += 1
        if added:
            self.run()

    def set_expected(self, path: Path) -> bool:
        """Read the list of branches expected to report; False (after saying why) if unreadable."""
        try:
            names = read_expected_names(path)
        except XlsxFileError as exc:
            msgbox.error(self, "无法读取预期支部名单", exc.message)
            return False
        if not names:
            msgbox.warning(self, "预期支部名单", f"“{path.name}”中没有找到支部名称（每行一个）。")
            return False
        self.expected_names = names
        self.expected_file = path
        self.run()
        return True

    def clear(self) -> None:
        self.paths = []
        self.result = None
        self.result_line.hide()
        self.run()

    def deadline(self) -> dt.date | None:
        if not self.deadline_box.isChecked():
            return None
        day = self.deadline_edit.date()
        return dt.date(day.year(), day.month(), day.day())

    def run(self) -> None:
        """Consolidate the files in the background; a change meanwhile runs it once more."""
        if self.busy:
            self._again = True
            return
        if not self.paths:
            self.result = None
            self._show()
            return
        self.busy = True
        self._stop.clear()
        self._read[:] = [0, len(self.paths)]
        self.progress.setRange(0, 0)
        self.progress.show()
        self.stop_button.show()
        self._progress_timer.start()
        self.export_button.setEnabled(False)
        paths = list(self.paths)
        expected = list(self.expected_names) if self.expected_names is not None else None
        deadline = self.deadline()

        def done(result: Consolidation) -> None:
            self.result = result
            if deadline is None and result.period is not None and not self.deadline_box.isChecked():
                self._suggest_deadline(result)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ConsolidationCancelled):
                self._again = False
                self.result = None
                self.stopped = True
                return
            message = getattr(exc, "message", "")
            if not message:
                raise exc
            msgbox.error(self, "无法汇总", message)

        def report(done: int, total: int) -> bool:  # runs in the worker thread
            self._read[:] = [done, total]
            return not self._stop.is_set()

        def finished() -> None:
            self.busy = False
            self._progress_timer.stop()
            self.progress.hide()
            self.stop_button.hide()
            if self._again:
                self._again = False
                self.run()
            else:
                self._show()

        self.stopped = False
        op = BackgroundOp(
            self, lambda: consolidate(paths, expected, deadline=deadline, progress=report)
        )
        op.finished.connect(finished)
        op.success(done).failure(failed).run()

    def stop(self) -> None:
        """Stop a consolidation that is running (the worker stops after its current file)."""
        if self.busy:
            self._stop.set()

    @Slot()
    def _on_progress_timer_timeout(self) -> None:
        done, total = self._read
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _suggest_deadline(self, result: Consolidation) -> None:
        """Start the date box at the 10th after the period, a common 报送 deadline."""
        assert result.period is not None
        end = result.period.end + dt.timedelta(days=10)
        self.deadline_edit.blockSignals(True)
        self.deadline_edit.setDate(QDate(end.year, end.month, end.day))
        self.deadline_edit.blockSignals(False)

    # -- showing ----------------------------------------------------------------------------------

    def _show(self) -> None:
        c = self.result
        has_files = bool(self.paths)
        self.empty_label.setVisible(not has_files)
        for widget in (self.table, self.status_label, self.missing_panel, self.refused_panel):
            widget.setVisible(has_files and c is not None)
        self.clear_button.setEnabled(has_files)
        self.export_button.setEnabled(c is not None and bool(c.rows) and not self.busy)
        if self.expected_names is not None and self.expected_file is not None:
            self.expected_label.setText(
                f"预期支部名单：{self.expected_file.name}（{len(self.expected_names)} 个）"
            )
            self.forget_expected_button.show()
        else:
            self.expected_label.setText("未选择预期支部名单")
            self.forget_expected_button.hide()
        if c is None:
            self.model.set_rows([], list(FIXED_BEFORE + FIXED_AFTER))
            self.refused_model.set_rows([])
            if self.stopped and has_files:
                self.status_label.setText(
                    f"已停止汇总。已加入的 {len(self.paths)} 份文件仍在，添加文件或修改选项后会重新汇总。"
                )
                self.status_label.show()
            return

        codes = c.kind_codes
        headers = [*FIXED_BEFORE, *(kind_label(code) for code in codes), *FIXED_AFTER]
        rows = [branch_cells(row, codes) for row in c.rows]
        if c.rows:
            rows.append(totals_cells(c))
        self.model.set_rows(rows, headers, [header_label(text) for text in headers])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name takes the spare width; the shortfalls are shown whole.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        period = c.period.label if c.period else "（期间未知）"
        parts = [f"{period}：已汇总 {len(c.rows)} 个支部"]
        if c.expected is not None:
            parts.append(f"应报 {len(c.expected)} 个，未报 {len(c.missing)} 个")
        if c.deadline is not None:
            parts.append(f"逾期 {len(c.late)} 个")
        parts.append(f"未采用文件 {len(c.refused)} 个")
        self.status_label.setText("，".join(parts))

        if c.expected is None:
            self.missing_title.setText("未报送的支部")
            self.missing_label.setText("选择“预期支部名单…”后，这里列出没有报送的支部。")
            self.missing_label.setStyleSheet(theme.color(GREY))
        else:
            self.missing_title.setText(f"未报送的支部（{len(c.missing)} 个）")
            self.missing_label.setText(
                "、".join(c.missing) if c.missing else "无，应报支部均已报送。"
            )
            self.missing_label.setStyleSheet(theme.color(RED) if c.missing else theme.color(GREEN))
        self.late_title.setVisible(c.deadline is not None)
        self.late_label.setVisible(c.deadline is not None)
        if c.deadline is not None:
            late = c.late
            self.late_title.setText(
                f"逾期报送（{day_text(c.deadline, with_year=True)}之后生成，{len(late)} 个）"
            )
            self.late_label.setText("、".join(late) if late else "无")
            self.late_label.setStyleSheet(theme.color(RED) if late else "")

        self.refused_title.setText(f"未采用的文件（{len(c.refused)} 个）")
        self.refused_model.set_rows(
            [
                [Cell(name, align_left=True), Cell(reason, align_left=True, color=RED)]
                for name, reason in c.refused
            ]  # fmt: skip
        )
        self.refused_table.setVisible(bool(c.refused))
        self.refused_none.setVisible(not c.refused)

    # -- export -----------------------------------------------------------------------------------

    def export(self, path: Path) -> BackgroundOp | None:
        """Write the summary workbook to ``path`` off the UI thread."""
        c = self.result
        if c is None:
            return None
        today = self.today()
        self.export_button.setEnabled(False)
        self.progress.show()
        self.result_line.hide()

        def done(written: Path) -> None:
            self.last_export = written
            log.info("consolidation exported: %s", written)
            self.result_line.show_path(written)

        def failed(exc: BaseException) -> None:
            message = getattr(exc, "message", "")
            if not message and isinstance(exc, OSError):
                message = f"无法写入 {path}：文件可能正在 Excel 中打开，或磁盘已满。"
            if not message:
                raise exc
            msgbox.error(self, "导出失败", message)

        def finished() -> None:
            self.progress.hide()
            self.export_button.setEnabled(True)

        op = BackgroundOp(self, lambda: write_consolidation(c, path, today=today))
        op.finished.connect(finished)
        return op.success(done).failure(failed).run()

    # -- slots ------------------------------------------------------------------------------------

    @Slot(list)
    def _on_drop_zone_files_dropped(self, paths: list[Path]) -> None:
        self.add_files(paths)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        chosen = file_dialogs.open_files(self, "添加报表文件", file_dialogs.XLSX_FILTER)
        self.add_files([str(path) for path in chosen])

    @Slot()
    def _on_expected_button_clicked(self) -> None:
        chosen = file_dialogs.open_file(self, "选择预期支部名单", file_dialogs.XLSX_FILTER)
        if chosen:
            self.set_expected(chosen)

    @Slot()
    def _on_forget_expected_button_clicked(self) -> None:
        self.expected_names = None
        self.expected_file = None
        self.run()

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        self.clear()

    @Slot(bool)
    def _on_deadline_box_toggled(self, checked: bool) -> None:
        self.deadline_edit.setEnabled(checked)
        self.run()

    @Slot(QDate)
    def _on_deadline_edit_changed(self, _day: QDate) -> None:
        if self.deadline_box.isChecked():
            self.run()

    @Slot()
    def _on_export_button_clicked(self) -> None:
        if self.result is None:
            return
        path = file_dialogs.save_file(
            self, "导出汇总表", default_consolidation_filename(self.result), file_dialogs.XLSX_FILTER
        )
        if path is not None:
            self.export(path)
