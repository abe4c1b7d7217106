"""The 报表 page: this branch's return for a month, quarter or year, and the 汇总 of many.

本支部报表 shows on screen what the return will say (the same ``compute_return`` figures
as the workbook), exports it in the background, and can mark the period as reported
(已上报), which locks its records until someone unlocks it with a reason. 汇总 is the
superior committee's side: see ``consolidation_view``.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.requirements import Period, Unit, last_completed_month
from branchdesk.ops import Changes, Session
from branchdesk.reports.return_figures import (
    BranchReturn,
    compute_return,
    reported_differences,
)
from branchdesk.reports.return_workbook import (
    default_return_filename,
    unfinished_notice,
    write_return,
)
from branchdesk.store.periods import ReportedPeriod, ReportedPeriodRepo
from branchdesk.ui import file_dialogs, msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import BackgroundOp, announce
from branchdesk.ui.pages.consolidation_view import ConsolidationView
from branchdesk.ui.pages.return_summary_view import (
    ExportResultLine,
    ReturnSummaryView,
)
from branchdesk.ui.screen_fit import FlowLayout, fit_window
from branchdesk.ui.widgets import FieldMessage

log = logging.getLogger(__name__)

UNIT_LABELS = {Unit.MONTH: "月报", Unit.QUARTER: "季报", Unit.YEAR: "年报"}
QUARTER_LABELS = ("第一季度", "第二季度", "第三季度", "第四季度")
EARLIEST_YEAR = 2000


def switch_unit(current: Period, unit: Unit, today: dt.date) -> Period:
    """The period of ``unit`` around ``current``, or the last completed one if that is still running."""
    period = Period.containing(unit, current.start)
    if period.end >= today:
        period = Period.containing(unit, today).previous()
    return period


class PeriodPicker(QWidget):
    """类型 (月报/季报/年报), year and month or quarter, with 上一期 / 下一期.

    Signals:
        period_changed(Period): the user (or ``set_period``) chose another period.
    """

    period_changed = Signal(object)

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self._period = last_completed_month(today)
        self._updating = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.unit_combo = QComboBox()
        for unit, label in UNIT_LABELS.items():
            self.unit_combo.addItem(label, unit.value)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(EARLIEST_YEAR, today.year)
        self.year_spin.setSuffix(" 年")
        self.year_spin.setMinimumWidth(96)
        self.number_combo = QComboBox()
        self.number_combo.setMinimumWidth(110)
        self.previous_button = QPushButton("‹ 上一期")
        self.next_button = QPushButton("下一期 ›")
        for button in (self.previous_button, self.next_button):
            button.setObjectName("pageAction")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        layout.addWidget(QLabel("类型"))
        layout.addWidget(self.unit_combo)
        layout.addSpacing(8)
        layout.addWidget(self.year_spin)
        layout.addWidget(self.number_combo)
        layout.addSpacing(8)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        self._show(self._period)
        self.unit_combo.currentIndexChanged.connect(self._on_unit_combo_changed)
        self.year_spin.valueChanged.connect(self._on_fields_changed)
        self.number_combo.currentIndexChanged.connect(self._on_fields_changed)
        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)

    def period(self) -> Period:
        return self._period

    def set_period(self, period: Period) -> None:
        if period != self._period:
            self._period = period
            self._show(period)
            self.period_changed.emit(period)

    def _unit(self) -> Unit:
        return Unit(self.unit_combo.currentData())

    def _show(self, period: Period) -> None:
        self._updating = True
        try:
            self.unit_combo.setCurrentIndex(self.unit_combo.findData(period.unit.value))
            self.year_spin.setValue(period.year)
            self.number_combo.clear()
            if period.unit is Unit.MONTH:
                self.number_combo.addItems([f"{m}月" for m in range(1, 13)])
            elif period.unit is Unit.QUARTER:
                self.number_combo.addItems(QUARTER_LABELS)
            self.number_combo.setVisible(period.unit is not Unit.YEAR)
            if period.unit is not Unit.YEAR:
                self.number_combo.setCurrentIndex(period.number - 1)
            # Nothing to report before a period has begun.
            self.next_button.setEnabled(period.next().start <= self.today)
            self.previous_button.setEnabled(period.previous().year >= EARLIEST_YEAR)
        finally:
            self._updating = False

    @Slot(int)
    def _on_unit_combo_changed(self, _index: int) -> None:
        if not self._updating:
            self.set_period(switch_unit(self._period, self._unit(), self.today))

    @Slot(int)
    def _on_fields_changed(self, _value: int) -> None:
        if self._updating:
            return
        unit = self._unit()
        number = 1 if unit is Unit.YEAR else self.number_combo.currentIndex() + 1
        self.set_period(Period(unit, self.year_spin.value(), max(number, 1)))

    @Slot()
    def _on_previous_button_clicked(self) -> None:
        self.set_period(self._period.previous())

    @Slot()
    def _on_next_button_clicked(self) -> None:
        self.set_period(self._period.next())


class UnlockDialog(QDialog):
    """Ask why a reported period must change again; the reason goes into the history."""

    def __init__(self, period: Period, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"解锁{period.label}")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = QLabel(
            f"{period.label}的报表已上报。解锁后可以修改该期间的会议和活动记录，"
            "解锁原因和之后的每次修改都会记入历史，再次导出的报表将标为“修订”。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(QLabel("解锁原因"))
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("如：补录10月15日党小组会的请假人员")
        self.reason_edit.setMaxLength(200)
        layout.addWidget(self.reason_edit)
        self.message = FieldMessage()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("解锁", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reason_edit.textChanged.connect(self.message.clear_message)
        fit_window(self)

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def accept(self) -> None:
        if not self.reason():
            self.message.show_error("请填写解锁原因")
            self.reason_edit.setFocus()
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, period: Period) -> str | None:
        dialog = cls(period, parent)
        return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None


def export_return_file(
    session: Session, period: Period, path: Path, today: dt.date
) -> Path:
    """Compute and write the return from a connection of this (worker) thread."""
    with session.worker_connection() as db:
        report = compute_return(db, period, today=today)
        return write_return(report, path, data_dir=session.data_dir)


def _when(moment: dt.datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


class BranchReturnTab(QWidget):
    """本支部报表: pick a period, read the return on screen, export it."""

    def __init__(
        self, context: AppContext, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._today = today
        self.ret: BranchReturn | None = None
        self.exporting = False
        self.last_export: Path | None = None
        self._stale = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)

        self.picker = PeriodPicker(self.today())
        self.export_button = QPushButton("导出报表…")
        self.export_button.setObjectName("primaryAction")
        self.export_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.export_button.setToolTip("把本期报表保存为 Excel 文件（.xlsx），报送上级党组织")
        self.mark_box = QCheckBox("导出后标记本期为已上报（本期记录将锁定）")
        self.mark_box.setEnabled(not context.read_only)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the export does not know its own length
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.progress_label = QLabel("正在导出…")
        self.progress_label.hide()
        self.result_line = ExportResultLine()

        self.lock_bar = QFrame()
        self.lock_bar.setObjectName("lockBar")
        lock_layout = QHBoxLayout(self.lock_bar)
        lock_layout.setContentsMargins(12, 6, 8, 6)
        self.lock_label = QLabel()
        self.lock_label.setWordWrap(True)
        self.unlock_button = QPushButton("解锁…")
        self.unlock_button.setObjectName("pageAction")
        self.unlock_button.setToolTip("需要修改已上报期间的记录时解锁，并说明原因")
        self.unlock_button.setEnabled(not context.read_only)
        lock_layout.addWidget(self.lock_label, 1)
        lock_layout.addWidget(self.unlock_button)
        self.lock_bar.hide()
        # 与已上报版本不同: the return as it computes now is not the one sent up
        self.difference_label = FieldMessage()

        top = FlowLayout(spacing=10)  # the export button wraps below rather than widening
        top.addWidget(self.picker)
        top.add_break()
        top.addWidget(self.export_button)
        options = QHBoxLayout()
        options.setSpacing(10)
        options.addWidget(self.mark_box)
        options.addStretch(1)
        options.addWidget(self.progress_label)
        options.addWidget(self.progress)

        self.summary = ReturnSummaryView()
        content = QWidget()
        content.setObjectName("summaryContent")
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 4, 14, 12)
        content_layout.addWidget(self.summary)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(options)
        layout.addWidget(self.result_line)
        layout.addWidget(self.lock_bar)
        layout.addWidget(self.difference_label)
        layout.addWidget(self.scroll, 1)

        self.picker.period_changed.connect(self._on_picker_period_changed)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        context.events.changes_applied.connect(self._on_events_changes_applied)
        # The figures come in the next turn of the event loop: the page shows at once, and
        # the UI is never held for building and filling it in one go.
        self._stale = True
        self._refresh_timer.start()

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def period(self) -> Period:
        return self.picker.period()

    def refresh(self) -> None:
        """Recompute the figures of the chosen period (a few milliseconds even for a year)."""
        self._stale = False
        period = self.period()
        self.ret = compute_return(self.context.db, period, today=self.today())
        self.summary.set_return(self.ret)
        self._show_lock(ReportedPeriodRepo(self.context.db).get(period))
        self._show_differences(reported_differences(self.context.db, self.ret))

    def _show_differences(self, differences: list[str] | None) -> None:
        if not differences:
            self.difference_label.clear_message()
            return
        shown = differences[:8]
        more = f"……另有 {len(differences) - 8} 处" if len(differences) > 8 else ""
        # one wrapped paragraph: the figures below keep the room on a small screen
        self.difference_label.show_warning(
            "与已上报版本不同（上报后有记录改动，按现在的记录计算）：" + "；".join(shown) + more
        )

    def _show_lock(self, reported: ReportedPeriod | None) -> None:
        if reported is None:
            self.lock_bar.hide()
            return
        when = _when(reported.reported_at)
        if reported.locked:
            self.lock_label.setText(f"本期已于 {when} 上报，记录已锁定")
            self.unlock_button.show()
        else:
            self.lock_label.setText(
                f"本期已于 {when} 上报，之后已解锁修改（{reported.revisions} 次）；"
                "再次导出的报表将标为“修订”。"
            )
            self.unlock_button.hide()
        self.lock_bar.show()

    # -- export -------------------------------------------------------------------------------

    @Slot()
    def _on_export_button_clicked(self) -> None:
        if self._stale or self.ret is None:
            self.refresh()
        if self.ret is None:
            return
        if not self.unfinished_confirmed():
            return
        name = default_return_filename(
            self.ret.branch.name, self.period(), revised=self.ret.revised
        )
        path = file_dialogs.save_file(self, "导出报表", name, file_dialogs.XLSX_FILTER)
        if path is not None:
            self.export(path)

    def unfinished_confirmed(self) -> bool:
        """Ask before exporting a period that has not ended (the command line says the same)."""
        notice = unfinished_notice(self.period(), self.today())
        if notice is None:
            return True
        return msgbox.confirm(
            self,
            "本期尚未结束",
            f"{notice}\n\n通常在期末之后再导出报送；现在导出的报表以后还需要重新导出。"
            "\n\n仍要现在导出吗？",
            yes="仍然导出",
        )

    def export(self, path: Path) -> BackgroundOp:
        """Write the return of the chosen period to ``path`` off the UI thread."""
        period = self.period()
        mark = self.mark_box.isChecked() and not self.context.read_only
        self.exporting = True
        self.export_button.setEnabled(False)
        self.progress.show()
        self.progress_label.show()
        self.result_line.hide()

        def done(written: Path) -> None:
            self.last_export = written
            extra = ""
            if mark:
                try:
                    figures = compute_return(self.context.db, period, today=self.today())
                    result = ops.mark_period_reported(
                        self.context.session, period, figures=figures.figures()
                    )
                except Exception as exc:
                    message = getattr(exc, "message", "") or str(exc)
                    msgbox.error(
                        self, "无法标记为已上报", f"报表已导出，但未能标记为已上报：{message}"
                    )
                else:
                    extra = "，本期已标记为已上报"
                    announce(self.context, result.changes)
            log.info("return exported: %s (%s)", written, period.code)
            self.result_line.show_path(written, extra)
            self.refresh()

        def failed(exc: BaseException) -> None:
            message = getattr(exc, "message", "")
            if not message and isinstance(exc, OSError):
                message = f"无法写入 {path}：文件可能正在 Excel 中打开，或磁盘已满。"
            if not message:
                raise exc
            msgbox.error(self, "导出失败", message)

        def finished() -> None:
            self.exporting = False
            self.export_button.setEnabled(True)
            self.progress.hide()
            self.progress_label.hide()

        session, today = self.context.session, self.today()
        op = BackgroundOp(self, lambda: export_return_file(session, period, path, today))
        op.finished.connect(finished)
        return op.success(done).failure(failed).run()

    # -- lock -----------------------------------------------------------------------------------

    @Slot()
    def _on_unlock_button_clicked(self) -> None:
        period = self.period()
        reason = UnlockDialog.ask(self, period)
        if reason:
            self.unlock(reason)

    def unlock(self, reason: str) -> None:
        period = self.period()
        try:
            result = ops.unlock_period(self.context.session, period, reason)
        except ValueError as exc:
            msgbox.warning(self, "无法解锁", str(exc))
        except Exception as exc:
            message = getattr(exc, "message", "")
            if not message:
                raise
            msgbox.error(self, "无法解锁", message)
        else:
            announce(self.context, result.changes)
        self.refresh()

    # -- refreshing -----------------------------------------------------------------------------

    @Slot(object)
    def _on_picker_period_changed(self, _period: Period) -> None:
        self.result_line.hide()
        self.refresh()

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if not (changes.record_types - {"history", "attachments", "activity_kinds"}):
            return  # nothing a return counts
        self._stale = True
        if self.isVisible():
            self._refresh_timer.start()  # a burst of changes refreshes once

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        if self._stale:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._stale:
            self.refresh()


class ReportsPage(QWidget):
    """报表: 本支部报表 and 汇总 as two tabs."""

    def __init__(
        self, context: AppContext, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("reportsPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(theme.REPORTS_PAGE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.setSpacing(10)
        title = QLabel("报表")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        # The tabs are built inside the page, as the pages are built inside the window.
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.branch_tab = BranchReturnTab(context, today, self.tabs)
        self.consolidation = ConsolidationView(today, self.tabs)
        self.tabs.addTab(self.branch_tab, "本支部报表")
        self.tabs.addTab(self.consolidation, "汇总")
        layout.addWidget(self.tabs, 1)

    def show_month(self, period: Period) -> None:
        """Show the 本支部报表 tab on ``period`` (the 工作台's 导出本月报表)."""
        self.tabs.setCurrentWidget(self.branch_tab)
        self.branch_tab.picker.set_period(period)
