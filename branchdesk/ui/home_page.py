"""工作台: the branch at a glance — who is in it, its groups and its committee."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.members import Role
from branchdesk.ui.context import AppContext


def _card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(18, 14, 18, 16)
    heading = QLabel(title)
    heading.setObjectName("cardTitle")
    layout.addWidget(heading)
    return frame, layout


class HomePage(QWidget):
    """Signals:
    navigate_requested(str): the user asked for another page by its title.
    """

    navigate_requested = Signal(str)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.setObjectName("HomePage")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 22)
        outer.setSpacing(16)
        self.branch_label = QLabel()
        self.branch_label.setObjectName("pageTitle")
        self.superior_label = QLabel()
        self.superior_label.setObjectName("subtitle")
        outer.addWidget(self.branch_label)
        outer.addWidget(self.superior_label)

        grid = QGridLayout()
        grid.setSpacing(16)
        roster_card, roster_layout = _card("党员")
        self.counts_label = QLabel()
        self.counts_label.setObjectName("bigNumber")
        self.counts_detail = QLabel()
        roster_layout.addWidget(self.counts_label)
        roster_layout.addWidget(self.counts_detail)
        actions = QHBoxLayout()
        for text in ("查看花名册",):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False: self.navigate_requested.emit("党员"))
            actions.addWidget(button)
        actions.addStretch(1)
        roster_layout.addStretch(1)
        roster_layout.addLayout(actions)
        grid.addWidget(roster_card, 0, 0)

        committee_card, committee_layout = _card("支部委员会")
        self.committee_label = QLabel()
        self.committee_label.setWordWrap(True)
        self.committee_label.setTextFormat(Qt.TextFormat.PlainText)
        committee_layout.addWidget(self.committee_label)
        committee_layout.addStretch(1)
        grid.addWidget(committee_card, 0, 1)

        groups_card, groups_layout = _card("党小组")
        self.groups_label = QLabel()
        self.groups_label.setWordWrap(True)
        self.groups_label.setTextFormat(Qt.TextFormat.PlainText)
        groups_layout.addWidget(self.groups_label)
        groups_layout.addStretch(1)
        grid.addWidget(groups_card, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        outer.addStretch(1)
        self.setStyleSheet(
            "#pageTitle { font-size: 24px; font-weight: 600; }"
            "#subtitle { font-size: 15px; color: #666; }"
            "#card { background: white; border: 1px solid #e2dcd2; border-radius: 8px; }"
            "#cardTitle { font-size: 17px; font-weight: 600; color: #8b1a1a; }"
            "#bigNumber { font-size: 30px; font-weight: 600; }"
            "QLabel { font-size: 15px; }"
        )
        context.events.records_changed.connect(self._on_events_records_changed)
        self.refresh()

    @Slot(str)
    def _on_events_records_changed(self, _kind: str) -> None:
        self.refresh()

    def refresh(self) -> None:
        branch = self.context.branch.get()
        self.branch_label.setText(branch.name if branch else "未命名支部")
        self.superior_label.setText(
            f"上级党组织：{branch.superior}" if branch and branch.superior else ""
        )
        counts = self.context.members.counts()
        self.counts_label.setText(f"{counts.total} 名")
        self.counts_detail.setText(f"正式党员 {counts.full} 名，预备党员 {counts.probationary} 名")
        committee = self.context.members.committee()
        role_order = list(Role)
        lines = sorted(
            (min(role_order.index(r) for r in m.roles), "、".join(r.value for r in m.roles), m.name)
            for m in committee
        )
        if counts.total and counts.total < 7 and not committee:
            self.committee_label.setText("党员不足 7 人的支部不设支部委员会，由支部书记负责。")
        elif lines:
            self.committee_label.setText("\n".join(f"{roles}：{name}" for _o, roles, name in lines))
        else:
            self.committee_label.setText("尚未登记支委。在“党员”页编辑党员时可勾选其支委职务。")
        groups = self.context.groups.list()
        if groups:
            members = {m.id: m.name for m in self.context.members.list(include_left=False)}
            self.groups_label.setText(
                "\n".join(
                    f"{g.name}：{g.member_count} 人"
                    + (f"，组长 {members[g.leader_id]}" if g.leader_id in members else "")
                    for g in groups
                )
            )
        else:
            self.groups_label.setText("尚未建立党小组。可在“党员”页的“党小组管理”中建立。")
