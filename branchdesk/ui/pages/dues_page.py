"""The 党费 page: the 党费日 grid. Every member in the branch in the chosen month, with the
month's amount prefilled; Enter marks a row paid (and moves down), a different amount or
months are typed over; 保存本次收缴 stores the marked rows as payments, all or nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.dues import (
    ZERO,
    Assessment,
    Month,
    MonthState,
    Payment,
    money,
    parse_months,
    yuan_text,
)
from branchdesk.ops import Changes
from branchdesk.ops.dues import DuesRow, ledgers
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.assessment_dialog import AssessmentDialog
from branchdesk.ui.models.table_models import HeaderColumn, SummaryTableModel, _Index
from branchdesk.ui.ops import run_op
from branchdesk.ui.widgets import MUTED_COLOR, WARNING_COLOR, heading, qdate_to_date

HINT = (
    "选中一行按回车即标记为已交（再按一次取消）；金额或月份不同的，直接改写，"
    "如补交写“2026-01至2026-03”。"
)


class DuesColumn(HeaderColumn):
    NAME = 0, "姓名"
    CATEGORY = 1, "类别"
    MONTHLY = 2, "月应缴（元）"
    STATE = 3, "本月"
    ARREARS = 4, "欠缴"
    MARKED = 5, "本次交纳"
    AMOUNT = 6, "金额（元）"
    MONTHS = 7, "交纳月份"


@dataclasses.dataclass
class DuesDayRow:
    """One member on the 党费日: what is owed, and what is being handed over now."""

    member_id: int
    name: str
    category: str  # the 核定's category label, or 未核定
    monthly: Decimal | None  # None: no 核定 in effect
    state: MonthState
    arrears: str  # "" or 欠缴N个月 ...
    warned: bool
    arrears_detail: str = ""  # the whole story, as a tool tip
    assessment: Assessment | None = None  # the 核定 in effect that month
    marked: bool = False
    amount: str = ""  # as typed
    months: str = ""  # as typed


def day_rows(rows: list[DuesRow], month: Month) -> list[DuesDayRow]:
    """The grid's rows: the month's amount and months prefilled, nothing marked yet."""
    found = []
    for row in rows:
        due = row.ledger.month(month)
        if due is None:
            continue
        assessment = due.assessment
        owed = row.arrears
        found.append(
            DuesDayRow(
                member_id=row.ledger.member_id,
                name=row.member.name,
                category=assessment.category.label if assessment else "未核定",
                monthly=due.due if assessment else None,
                state=due.state,
                arrears=(f"{len(owed.owing)}个月 {yuan_text(owed.amount)}元" if owed.owing else ""),
                warned=owed.warned,
                arrears_detail=owed.describe() if owed.owing else "",
                assessment=assessment,
                amount=yuan_text(due.due - due.paid) if assessment and due.owing else "",
                months=month.iso(),
            )
        )
    return found


class DuesDayModel(SummaryTableModel[DuesDayRow]):
    columns = DuesColumn
    numeric = (DuesColumn.MONTHLY, DuesColumn.AMOUNT)

    def row(self, row: int) -> DuesDayRow:
        return self._rows[row]

    def marked(self) -> list[DuesDayRow]:
        return [r for r in self._rows if r.marked]

    def toggle(self, row: int) -> None:
        item = self._rows[row]
        item.marked = not item.marked
        self._changed(row)

    def _changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(DuesColumn) - 1))

    def _display(self, item: DuesDayRow, column: Any) -> str:
        match column:
            case DuesColumn.NAME:
                return item.name
            case DuesColumn.CATEGORY:
                return item.category
            case DuesColumn.MONTHLY:
                return yuan_text(item.monthly) if item.monthly is not None else ""
            case DuesColumn.STATE:
                return item.state.label
            case DuesColumn.ARREARS:
                return item.arrears
            case DuesColumn.MARKED:
                return "✓ 交" if item.marked else ""
            case DuesColumn.AMOUNT:
                return item.amount
            case DuesColumn.MONTHS:
                return item.months
        return ""

    def _tooltip(self, item: DuesDayRow, column: Any) -> Any:
        return item.arrears_detail if column == DuesColumn.ARREARS and item.arrears else None

    def _foreground(self, item: DuesDayRow, column: Any) -> Any:
        if column == DuesColumn.ARREARS and item.warned:
            return QBrush(QColor(WARNING_COLOR))
        if column == DuesColumn.STATE and item.state is MonthState.NOT_ASSESSED:
            return QBrush(QColor(MUTED_COLOR))
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (DuesColumn.AMOUNT, DuesColumn.MONTHS):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _cell(self, item: DuesDayRow, column: Any, role: int) -> Any:
        if role == Qt.ItemDataRole.EditRole:
            return self._display(item, column)
        return super()._cell(item, column, role)

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        item = self._rows[index.row()]
        text = str(value).strip()
        if index.column() == DuesColumn.AMOUNT:
            item.amount = text
        elif index.column() == DuesColumn.MONTHS:
            item.months = text
        else:
            return False
        item.marked = bool(item.amount)  # a typed-over amount is being handed over
        self._changed(index.row())
        return True


class DuesPage(QWidget):
    """The 党费日 grid; it refreshes itself when dues or members change."""

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dues_page")
        self.context = context
        today = today or dt.date.today()
        layout = QVBoxLayout(self)
        layout.addWidget(heading("党费日收缴"))
        bar = QHBoxLayout()
        self.day = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.day.setDisplayFormat("yyyy年M月d日")
        self.day.setCalendarPopup(True)
        self.month = QDateEdit(QDate(today.year, today.month, 1), self)
        self.month.setDisplayFormat("yyyy年M月")
        self.collector = QLineEdit(self)
        self.collector.setPlaceholderText("如 组织委员 王芳")
        self.save_button = QPushButton("保存本次收缴", self)
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        for text, widget in (("党费日", self.day), ("交纳月份", self.month),
                             ("收缴人", self.collector)):  # fmt: skip
            bar.addWidget(QLabel(text, self))
            bar.addWidget(widget)
        bar.addStretch(1)
        self.collector.setMinimumWidth(self.collector.fontMetrics().horizontalAdvance("组织委员 王芳某"))
        self.assess_button = QPushButton("核定党费…", self)
        self.assess_button.setToolTip("核定选中党员的类别、月基数和月应缴金额")
        self.assess_button.setAutoDefault(False)
        layout.addLayout(bar)
        self.hint = QLabel(HINT, self)
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.model = DuesDayModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DuesColumn.NAME, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.installEventFilter(self)
        layout.addWidget(self.table, 1)
        self.totals = QLabel(self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.totals, 1)
        bottom.addWidget(self.assess_button)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)
        self.model.dataChanged.connect(self._show_totals)
        self.model.modelReset.connect(self._show_totals)
        self.save_button.clicked.connect(self.save)
        self.assess_button.clicked.connect(self.assess_current)
        self.month.dateChanged.connect(self.refresh)
        self.day.dateChanged.connect(self.refresh)
        context.events.changes_applied.connect(self._on_changes)
        self.save_button.setEnabled(not context.read_only)
        self.assess_button.setEnabled(not context.read_only)
        self.refresh()

    @property
    def chosen_month(self) -> Month:
        return Month.of(qdate_to_date(self.month.date()))

    @property
    def paid_on(self) -> dt.date:
        return qdate_to_date(self.day.date())

    @Slot()
    def refresh(self) -> None:
        month = self.chosen_month
        rows = ledgers(self.context.session, month, month, as_of=self.paid_on)
        self.model.set_rows(day_rows(rows, month))
        names = [r.name for r in self.model.rows()] or ["姓名"]
        metrics = self.table.fontMetrics()  # the whole name, with the cell's padding
        widest = max(metrics.horizontalAdvance(name) for name in [*names, "姓名"])
        self.table.setColumnWidth(DuesColumn.NAME, widest + 24)

    @Slot(object)
    def _on_changes(self, changes: Changes) -> None:
        if changes.dues or changes.members:
            self.refresh()

    @Slot()
    def _show_totals(self) -> None:
        marked = self.model.marked()
        total = ZERO
        for row in marked:
            try:
                total += money(row.amount)
            except (TypeError, ValueError):
                pass
        rows = self.model.rows()
        paid = sum(1 for r in rows if r.state in (MonthState.PAID, MonthState.EXEMPT))
        self.totals.setText(
            f"本月应交 {len(rows)} 人，已交 {paid} 人；本次标记 {len(marked)} 人，"
            f"合计 {yuan_text(total)} 元"
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.table.state() != QAbstractItemView.State.EditingState
        ):
            self.mark_current()
            return True
        return super().eventFilter(watched, event)

    def mark_current(self) -> None:
        """Enter: mark (or unmark) the current row paid, then go to the next row."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        row = self.model.row(index.row())
        if not row.marked and not row.amount:
            month = self.chosen_month.label()
            self.hint.setText(
                f"{row.name}{month}没有要交的党费（{row.state.label}）。"
                "预交或补交的，请直接改写金额和交纳月份。"
                if row.state is not MonthState.NOT_ASSESSED
                else f"{row.name}还没有核定党费：请先点“核定党费…”，或直接改写金额。"
            )
        else:
            self.hint.setText(HINT)
            self.model.toggle(index.row())
        below = self.model.index(min(index.row() + 1, self.model.rowCount() - 1), index.column())
        self.table.setCurrentIndex(below)

    @Slot()
    def assess_current(self) -> None:
        """核定党费 for the member of the current row, from the chosen month."""
        index = self.table.currentIndex()
        if not index.isValid():
            msgbox.information(self, "核定党费", "请先在表中选中一名党员。")
            return
        row = self.model.row(index.row())
        dialog = AssessmentDialog(row.member_id, row.name, self.chosen_month, row.assessment, self)
        if not dialog.exec():
            return
        assessment = dialog.value()
        try:
            run_op(self, self.context, lambda s: ops.set_assessment(s, assessment))
        except ValueError as exc:
            msgbox.warning(self, "没有保存", str(exc))

    def payments(self) -> list[Payment]:
        """The marked rows as payments; ValueError (Chinese, naming the member) if unreadable."""
        found = []
        for row in self.model.marked():
            try:
                amount = money(row.amount or "", "金额")
                months = parse_months(row.months)
            except ValueError as exc:
                raise ValueError(f"{row.name}：{exc}") from None
            found.append(
                Payment(row.member_id, self.paid_on, months, amount,
                        received_by=self.collector.text().strip())  # fmt: skip
            )
        return found

    @Slot()
    def save(self) -> None:
        try:
            payments = self.payments()
        except ValueError as exc:
            msgbox.warning(self, "没有保存", str(exc))
            return
        if not payments:
            msgbox.information(self, "没有可保存的", "还没有标记任何人已交。")
            return
        try:
            done = run_op(self, self.context, lambda s: ops.record_payments(s, payments))
        except ValueError as exc:
            msgbox.warning(self, "没有保存", str(exc))
            return
        if done is None:
            return
        flags = [f"{p.member_name}：{flag}" for p, saved in zip(payments, done.value, strict=True)
                 for flag in saved.flags]  # fmt: skip
        text = f"已保存 {len(payments)} 人的党费。"
        if flags:
            text += "\n\n请留意：\n" + "\n".join(flags)
        msgbox.information(self, "已保存", text)

