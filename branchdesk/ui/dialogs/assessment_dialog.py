"""党费核定: a member's category, monthly income less the excluded items (组电明字〔2017〕5号),
or a set amount, from a month; the band, rate and monthly amount are shown as they are typed."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.dues import (
    Assessment,
    DuesCategory,
    Month,
    describe_assessment,
    exclusions_text,
    money,
    parse_exclusions,
    yuan_text,
)
from branchdesk.ui import theme
from branchdesk.ui.screen_fit import fit_window
from branchdesk.ui.widgets import FieldMessage


class AssessmentDialog(QDialog):
    """Ask for a 核定; ``value()`` is the 核定 to store once accepted."""

    def __init__(
        self,
        member_id: int,
        name: str,
        start: Month,
        current: Assessment | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.member_id = member_id
        self.setWindowTitle(f"党费核定 - {name}")
        intro = QLabel(
            "每年年初核定一次；工资变动的，从新工资发放的月份起重新核定。月基数为每月固定收入"
            "扣除个人所得税、社会保险、住房公积金、年金、改革性补贴、奖励性绩效等不计入的项目后的金额；"
            "已是税后金额的，不再扣个人所得税。"
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(theme.MUTED_TEXT)
        self.category = QComboBox()
        for category in DuesCategory:
            self.category.addItem(category.label, category.value)
        self.start = QDateEdit(QDate(start.year, start.month, 1))
        self.start.setDisplayFormat("yyyy年M月")
        self.income = QLineEdit()
        self.income.setPlaceholderText("每月固定收入，如 7234.56")
        self.exclusions = QPlainTextEdit()
        self.exclusions.setPlaceholderText("每行一项：名称 金额\n如：住房公积金 500")
        self.exclusions.setFixedHeight(90)
        self.fixed = QLineEdit()
        self.fixed.setPlaceholderText("农民党员0.20至1.00元；少交为批准的金额")
        self.approval = QLineEdit()
        self.approval.setPlaceholderText("如：街道党工委 2026年1月5日批准")
        self.note = QLineEdit()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.message = FieldMessage()
        form = QFormLayout()
        form.addRow("类别", self.category)
        form.addRow("起始月份", self.start)
        form.addRow("月收入（元）", self.income)
        form.addRow("扣除项目", self.exclusions)
        form.addRow("每月定额（元）", self.fixed)
        form.addRow("批准", self.approval)
        form.addRow("备注", self.note)
        form.addRow("核定结果", self.outcome)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        if current is not None:
            self.category.setCurrentIndex(self.category.findData(current.category.value))
            self.income.setText(yuan_text(current.income) if current.income is not None else "")
            self.exclusions.setPlainText(exclusions_text(current.exclusions))
            fixed = current.fixed_amount
            self.fixed.setText(yuan_text(fixed) if fixed is not None else "")
            self.approval.setText(current.approval)
            self.note.setText(current.note)
        for edit in (self.income, self.fixed, self.approval):
            edit.textChanged.connect(self._update)
        self.exclusions.textChanged.connect(self._update)
        self.category.currentIndexChanged.connect(self._update)
        fit_window(self)
        self.resize(560, self.sizeHint().height())
        self._update()

    @property
    def chosen_category(self) -> DuesCategory:
        return DuesCategory(self.category.currentData())

    def value(self) -> Assessment:
        """The 核定 as typed; ValueError (Chinese) if an amount cannot be read."""
        category = self.chosen_category
        income = exclusions = fixed = None
        if category.from_income:
            income = money(self.income.text(), "月收入") if self.income.text().strip() else None
            exclusions = parse_exclusions(self.exclusions.toPlainText())
        if category in (DuesCategory.FARMER, DuesCategory.REDUCED) and self.fixed.text().strip():
            fixed = money(self.fixed.text(), "每月定额")
        date = self.start.date()
        return Assessment(
            member_id=self.member_id,
            start=Month(date.year(), date.month()),
            category=category,
            income=income,
            exclusions=exclusions or (),
            fixed_amount=fixed,
            approval=self.approval.text().strip() if category.needs_approval else "",
            note=self.note.text().strip(),
        )

    def problems(self) -> list[str]:
        try:
            return self.value().problems()
        except ValueError as exc:
            return [str(exc)]

    @Slot()
    def _update(self) -> None:
        category = self.chosen_category
        self.income.setEnabled(category.from_income)
        self.exclusions.setEnabled(category.from_income)
        self.fixed.setEnabled(category in (DuesCategory.FARMER, DuesCategory.REDUCED))
        self.approval.setEnabled(category.needs_approval)
        problems = self.problems()
        if problems:
            self.outcome.setText("—")
        else:
            self.outcome.setText(describe_assessment(self.value()))
            self.message.clear_message()

    def monthly(self) -> Decimal | None:
        return None if self.problems() else self.value().monthly

    def accept(self) -> None:
        problems = self.problems()
        if problems:
            self.message.show_error("；".join(problems))
            return
        super().accept()
