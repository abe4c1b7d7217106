"""表决: the votes on a 支部党员大会's resolutions, one row each, with the outcome beside it.

A resolution passes only when 赞成 exceeds half of the voting members due to attend
(``domain.meeting_rules``); the panel is told that number and shows 通过 / 未通过 live.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.meeting_rules import VoteResult
from branchdesk.domain.meetings import Vote
from branchdesk.ui import theme

HEADERS = ("表决事项", "赞成", "反对", "弃权", "结果")
_MAX_VOTES = 9999


class VotesPanel(QWidget):
    """Signals:
    votes_changed(): a row was added, removed or edited.
    """

    votes_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._due: int | None = None
        title = QLabel("表决情况")
        title.setStyleSheet(theme.SUBHEADING)
        self.note = QLabel(
            "赞成票超过应到有表决权党员（正式党员）的半数，决议方为通过；不是以实到人数计算。"
        )
        self.note.setStyleSheet(theme.MUTED_TEXT)
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Cell widgets do not size their column: wide enough for "9999 票" and "未通过".
        width = self.fontMetrics().horizontalAdvance("9999 票") + 44
        for column in (1, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        self.table.setMinimumHeight(110)
        self.add_button = QPushButton("添加表决")
        self.add_button.setToolTip("登记一项决议的表决：赞成、反对、弃权各多少票")
        self.remove_button = QPushButton("删除选中的表决")
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(title)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)

    # -- rows -----------------------------------------------------------------------------------

    def add_vote(self, vote: Vote | None = None) -> int:
        vote = vote or Vote("")
        row = self.table.rowCount()
        self.table.insertRow(row)
        text = QLineEdit(vote.resolution)
        text.setPlaceholderText("如：接收张三同志为中共预备党员")
        text.setFrame(False)
        text.textChanged.connect(self._on_row_edited)
        self.table.setCellWidget(row, 0, text)
        for column, value in zip((1, 2, 3), (vote.in_favour, vote.against, vote.abstain),
                                 strict=True):  # fmt: skip
            spin = QSpinBox()
            spin.setRange(0, _MAX_VOTES)
            spin.setValue(value)
            spin.setSuffix(" 票")
            spin.setFrame(False)
            spin.valueChanged.connect(self._on_row_edited)
            self.table.setCellWidget(row, column, spin)
        result = QLabel()
        result.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.setCellWidget(row, 4, result)
        self._show_results()
        return row

    def set_votes(self, votes: list[Vote]) -> None:
        self.table.setRowCount(0)
        for vote in votes:
            self.add_vote(vote)
        self._show_results()

    def votes(self) -> list[Vote]:
        found = []
        for row in range(self.table.rowCount()):
            text = self.table.cellWidget(row, 0)
            spins = [self.table.cellWidget(row, column) for column in (1, 2, 3)]
            assert isinstance(text, QLineEdit)
            values = [s.value() for s in spins if isinstance(s, QSpinBox)]
            found.append(Vote(text.text().strip(), *values))
        return found

    def result_text(self, row: int) -> str:
        label = self.table.cellWidget(row, 4)
        return label.text() if isinstance(label, QLabel) else ""

    def set_due(self, due: int | None) -> None:
        """The voting members due to attend (应到有表决权党员), which decides each outcome."""
        self._due = due
        self._show_results()

    def _show_results(self) -> None:
        for row, vote in enumerate(self.votes()):
            label = self.table.cellWidget(row, 4)
            if not isinstance(label, QLabel):
                continue
            if self._due is None or vote.cast == 0:
                label.setText("")
                continue
            passed = VoteResult(vote, self._due).passed
            label.setText("通过" if passed else "未通过")
            label.setStyleSheet(theme.SUCCESS_TEXT if passed else theme.ERROR_TEXT)

    # -- reacting ---------------------------------------------------------------------------------

    @Slot()
    def _on_row_edited(self) -> None:
        self._show_results()
        self.votes_changed.emit()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        row = self.add_vote()
        widget = self.table.cellWidget(row, 0)
        if widget is not None:
            widget.setFocus()
        self.votes_changed.emit()

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        row = self.table.currentRow()
        if row < 0 and self.table.rowCount():
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)
            self._show_results()
            self.votes_changed.emit()
