"""党小组管理: create (from a date), rename, merge or dissolve on a date, delete a group made
by mistake, and name each group's leader.

A group's dates decide which returns require its meetings: a group formed on a day is not
required before it, a merged or dissolved one not after. Also ``MoveGroupDialog``, which
moves the members selected on the 党员 page to a group from a date.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Member, PartyGroup
from branchdesk.ops import Changes, OpResult
from branchdesk.ui import msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import announce, run_op, write_failed
from branchdesk.ui.screen_fit import fit_window, scrolling
from branchdesk.ui.widgets import (
    DateEdit,
    heading,
    hline,
    subheading,
)

log = logging.getLogger(__name__)

MIN_GROUP_SIZE = 3  # 支部工作条例: a 党小组 has at least 3 members, at least one 正式


def group_rule_problem(members: list[Member]) -> str:
    """Say how a group's roster members break the size rule, or return an empty string."""
    problems = []
    if len(members) < MIN_GROUP_SIZE:
        problems.append(f"只有 {len(members)} 名党员（至少应有 {MIN_GROUP_SIZE} 名）")
    if members and not any(m.category is Category.FULL for m in members):
        problems.append("没有正式党员（至少应有 1 名）")
    return "，".join(problems)


def day_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class DayEdit(DateEdit):
    """A date edit for the day a change holds from: a whole day, not after today."""

    def __init__(self, day: dt.date | None = None, *, empty_text: str = "") -> None:
        super().__init__()
        self.setPlaceholderText(empty_text or "如 2026-12-02")
        self.setMaximumWidth(150)
        if day is not None:
            self.set_value(PartialDate.of(day))

    def day(self, *, allow_empty: bool = False) -> dt.date | None:
        """The day typed; raise ValueError (Chinese) when unreadable, empty or in the future."""
        value = self.value()
        if value is None:
            if allow_empty:
                return None
            raise ValueError("请填写日期")
        if value.month_only:
            raise ValueError(f"请填写到日，如 {value.iso()}-01")
        day = value.first_day()
        if day > dt.date.today():
            raise ValueError("日期不能晚于今天")
        return day


class GroupsDialog(QDialog):
    """List groups with their counts and change them; every change is written at once."""

    def __init__(self, parent: QWidget | None, context: AppContext) -> None:
        super().__init__(parent)
        self.context = context
        self.changed_anything = False
        self._groups: list[PartyGroup] = []
        self.setWindowTitle("党小组管理")

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["党小组", "党员人数", "其中正式党员", "党小组长", "建立日期"]
        )
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, 150 if column == 4 else 120)
        self.table.setMinimumHeight(130)

        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.rule_label.setStyleSheet(theme.WARNING_TEXT)

        # the selected group
        self.selected_title = subheading("")
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(40)
        self.rename_button = QPushButton("改名")
        self.leader_combo = QComboBox()
        self.leader_combo.setMinimumWidth(200)
        self.target_combo = QComboBox()
        self.target_combo.setMinimumWidth(200)
        self.merge_button = QPushButton("合并…")
        self.dissolve_button = QPushButton("撤销…")
        self.delete_button = QPushButton("删除此党小组")
        # since when the selected group exists (empty: since the records began)
        self.start_edit = DayEdit(empty_text="一直存在")
        self.start_button = QPushButton("设定")
        # the day a merge or a dissolution holds from
        self.on_edit = DayEdit(dt.date.today())
        on_hint = QLabel("合并、撤销自该日起生效，之前的报表不变")
        on_hint.setStyleSheet(theme.MUTED_TEXT)
        on_row = QHBoxLayout()
        on_row.setContentsMargins(0, 0, 0, 0)
        on_row.addWidget(self.on_edit)
        on_row.addSpacing(8)
        on_row.addWidget(on_hint, 1)
        start_hint = QLabel("此前的报表不要求该党小组开会；留空表示一直存在")
        start_hint.setStyleSheet(theme.MUTED_TEXT)
        start_row = QHBoxLayout()
        start_row.setContentsMargins(0, 0, 0, 0)
        start_row.addWidget(self.start_edit)
        start_row.addSpacing(8)
        start_row.addWidget(start_hint, 1)
        selected = QGridLayout()
        selected.setHorizontalSpacing(10)
        selected.setVerticalSpacing(8)
        selected.addWidget(QLabel("名称"), 0, 0, Qt.AlignmentFlag.AlignRight)
        selected.addWidget(self.name_edit, 0, 1)
        selected.addWidget(self.rename_button, 0, 2)
        selected.addWidget(QLabel("党小组长"), 1, 0, Qt.AlignmentFlag.AlignRight)
        selected.addWidget(self.leader_combo, 1, 1)
        selected.addWidget(QLabel("建立日期"), 2, 0, Qt.AlignmentFlag.AlignRight)
        selected.addLayout(start_row, 2, 1)
        selected.addWidget(self.start_button, 2, 2)
        selected.addWidget(QLabel("合并到"), 3, 0, Qt.AlignmentFlag.AlignRight)
        selected.addWidget(self.target_combo, 3, 1)
        selected.addWidget(self.merge_button, 3, 2)
        selected.addWidget(QLabel("生效日期"), 4, 0, Qt.AlignmentFlag.AlignRight)
        selected.addLayout(on_row, 4, 1)
        selected.addWidget(self.dissolve_button, 4, 2)
        selected.addWidget(self.delete_button, 5, 2)
        delete_hint = QLabel(
            "撤销：党小组已没有党员时使用；删除：只用于误建、从未有过党员的党小组。"
        )
        delete_hint.setStyleSheet(theme.MUTED_TEXT)
        delete_hint.setWordWrap(True)
        selected.addWidget(delete_hint, 5, 0, 1, 2)
        selected.setColumnStretch(1, 1)

        # a new group
        self.new_edit = QLineEdit()
        self.new_edit.setMaxLength(40)
        self.new_edit.setPlaceholderText("新党小组的名称，如 第四党小组")
        self.new_start_edit = DayEdit(dt.date.today())
        self.new_start_edit.setToolTip("新党小组从这一天起存在；此前的报表不要求它开会")
        self.create_button = QPushButton("新建党小组")
        new_row = QHBoxLayout()
        new_row.addWidget(self.new_edit, 1)
        new_row.addWidget(QLabel("建立日期"))
        new_row.addWidget(self.new_start_edit)
        new_row.addWidget(self.create_button)

        self.message = QLabel()
        self.message.setWordWrap(True)
        close = QPushButton("关闭")
        close.setMinimumWidth(96)
        close.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)

        content = QWidget()  # scrolls on a small screen; 关闭 stays in view
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 8, 0)
        body.setSpacing(10)
        body.addWidget(heading("党小组管理"))
        body.addWidget(self.table, 1)
        body.addWidget(self.rule_label)
        body.addWidget(hline())
        body.addWidget(self.selected_title)
        body.addLayout(selected)
        body.addWidget(hline())
        body.addLayout(new_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(scrolling(content, horizontal=True), 1)
        layout.addLayout(bottom)

        for button in (self.rename_button, self.merge_button, self.delete_button,
                       self.create_button, self.dissolve_button, self.start_button):  # fmt: skip
            button.setAutoDefault(False)
        if context.read_only:  # the groups can be looked at, not changed
            for widget in (self.new_edit, self.new_start_edit, self.create_button):
                widget.setEnabled(False)
            self.create_button.setToolTip("数据为只读")
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.rename_button.clicked.connect(self.rename_selected)
        self.name_edit.returnPressed.connect(self.rename_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.dissolve_button.clicked.connect(self.dissolve_selected)
        self.start_button.clicked.connect(self.set_start_of_selected)
        self.create_button.clicked.connect(self.create_group)
        self.new_edit.returnPressed.connect(self.create_group)
        self.leader_combo.activated.connect(self._on_leader_combo_activated)
        close.clicked.connect(self.accept)
        self.reload()
        fit_window(self, 820, 600)

    # -- data ---------------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        current = self.selected_group()
        if select_id is None and current is not None:
            select_id = current.id
        self._groups = self.context.groups.list()
        roster = self.context.members.list(include_left=False)
        self._members = {g.id: [m for m in roster if m.group_id == g.id] for g in self._groups}
        names = {m.id: m.name for m in roster}
        self.table.setRowCount(len(self._groups))
        problems = []
        for row, group in enumerate(self._groups):
            members = self._members[group.id]
            full = sum(m.category is Category.FULL for m in members)
            cells = [
                group.name, str(len(members)), str(full), names.get(group.leader_id, ""),
                day_text(group.start) if group.start else "一直存在",
            ]  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
            problem = group_rule_problem(members)
            if problem:
                problems.append(f"“{group.name}”{problem}")
        if problems:
            self.rule_label.setText(
                "按《支部工作条例》，党小组至少 3 名党员、其中至少 1 名正式党员："
                + "；".join(problems) + "。可调整党员或合并党小组。"
            )
            self.rule_label.show()
        else:
            self.rule_label.hide()
        ids = [g.id for g in self._groups]
        row = ids.index(select_id) if select_id in ids else (0 if ids else -1)
        self.table.clearSelection()
        if row >= 0:
            self.table.selectRow(row)
        self._on_table_selection_changed()

    def selected_group(self) -> PartyGroup | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or not 0 <= rows[0].row() < len(self._groups):
            return None
        return self._groups[rows[0].row()]

    def select_group(self, name: str) -> None:
        for row, group in enumerate(self._groups):
            if group.name == name:
                self.table.selectRow(row)
                return
        raise LookupError(name)

    @Slot()
    def _on_table_selection_changed(self) -> None:
        group = self.selected_group()
        has = group is not None
        for widget in self._selection_widgets():
            widget.setEnabled(has)
        self.leader_combo.clear()
        self.target_combo.clear()
        if group is None:
            self.selected_title.setText("尚未建立党小组" if not self._groups else "请选择党小组")
            self.name_edit.clear()
            return
        members = self._members.get(group.id, [])
        self.selected_title.setText(f"选中的党小组：{group.name}（{len(members)} 人）")
        self.name_edit.setText(group.name)
        self.leader_combo.addItem("（未指定）", None)
        for member in members:
            self.leader_combo.addItem(member.name, member.id)
        self.leader_combo.setCurrentIndex(max(self.leader_combo.findData(group.leader_id), 0))
        for other in self._groups:
            if other.id != group.id:
                self.target_combo.addItem(other.name, other.id)
        self.merge_button.setEnabled(self.target_combo.count() > 0)
        self.target_combo.setEnabled(self.target_combo.count() > 0)
        self.start_edit.set_value(PartialDate.of(group.start) if group.start else None)
        if self.context.read_only:
            for widget in self._selection_widgets():
                widget.setEnabled(False)
                widget.setToolTip("数据为只读")

    def _selection_widgets(self) -> list[QWidget]:
        return [
            self.name_edit, self.rename_button, self.leader_combo, self.target_combo,
            self.merge_button, self.delete_button, self.dissolve_button, self.start_edit,
            self.start_button, self.on_edit,
        ]  # fmt: skip

    # -- actions ------------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(theme.ERROR_TEXT if error else theme.MUTED_TEXT)
        self.message.setText(text)

    def _done(self, text: str, changes: Changes, select: int | None = None) -> None:
        self.changed_anything = True
        self.reload(select)
        self._say(text)
        announce(self.context, changes)

    def _apply(self, write: Callable[[], OpResult[Any]], done: str, select: int | None = None) -> None:
        """Run one write; say what it did, or why not (a rule broken, the disk, the lock)."""
        try:
            result = write()
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        except Exception as exc:  # noqa: BLE001 (sorted out in _write_failed)
            self._write_failed(exc)
            return
        self._done(done, result.changes, select)

    def _write_failed(self, exc: Exception) -> None:
        """Tell a storage failure; re-raise a bug for the crash handler."""
        if not write_failed(self, self.context, exc, "没有保存"):
            raise exc

    def _day(self, edit: DayEdit, what: str, *, allow_empty: bool = False) -> dt.date | None:
        """The day of ``edit``; None (and the reason said) when it cannot be read."""
        try:
            return edit.day(allow_empty=allow_empty)
        except ValueError as exc:
            self._say(f"{what}：{exc}", error=True)
            edit.setFocus()
            raise

    @Slot()
    def create_group(self) -> None:
        name = self.new_edit.text().strip()
        try:
            start = self._day(self.new_start_edit, "建立日期")
        except ValueError:
            return
        try:
            result = ops.create_group(self.context.session, name, start=start)
            group = result.value
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        except Exception as exc:  # noqa: BLE001 (sorted out in _write_failed)
            self._write_failed(exc)
            return
        self.new_edit.clear()
        self._done(f"已新建“{group.name}”。", result.changes, select=group.id)

    @Slot()
    def rename_selected(self) -> None:
        group = self.selected_group()
        if group is None:
            return
        name = self.name_edit.text().strip()
        if name == group.name:
            return
        self._apply(lambda: ops.rename_group(self.context.session, group.id, name), f"已把“{group.name}”改名为“{name}”。", group.id)

    @Slot()
    def merge_selected(self) -> None:
        group = self.selected_group()
        target_id = self.target_combo.currentData()
        if group is None or target_id is None:
            return
        target = self.target_combo.currentText()
        try:
            on = self._day(self.on_edit, "生效日期")
        except ValueError:
            return
        assert on is not None
        moving = len(self._members.get(group.id, []))
        everyone = sum(1 for m in self.context.members.list() if m.group_id == group.id)
        left = everyone - moving
        detail = f"；另有 {left} 名已离开的党员，记录仍保留在“{group.name}”" if left else ""
        text = (
            f"自{day_text(on)}起把“{group.name}”合并到“{target}”：{moving} 名党员将调整到"
            f"“{target}”{detail}。“{group.name}”此后撤销，此前的报表和会议记录不变。"
            "\n\n确定合并吗？"
        )
        if not msgbox.confirm(self, "合并党小组", text, yes="合并"):
            return
        self._apply(lambda: ops.merge_groups(self.context.session, group.id, target_id, on=on), f"已把“{group.name}”合并到“{target}”。", target_id)

    @Slot()
    def delete_selected(self) -> None:
        group = self.selected_group()
        if group is None:
            return
        self._apply(lambda: ops.delete_group(self.context.session, group.id), f"已删除“{group.name}”。")

    @Slot()
    def dissolve_selected(self) -> None:
        group = self.selected_group()
        if group is None:
            return
        try:
            on = self._day(self.on_edit, "生效日期")
        except ValueError:
            return
        assert on is not None
        text = (
            f"自{day_text(on)}起撤销“{group.name}”：此后的报表不再要求它开会，"
            "此前的报表和会议记录不变。\n\n确定撤销吗？"
        )
        if not msgbox.confirm(self, "撤销党小组", text, yes="撤销"):
            return
        self._apply(lambda: ops.dissolve_group(self.context.session, group.id, on=on), f"已撤销“{group.name}”（{day_text(on)}起）。")

    @Slot()
    def set_start_of_selected(self) -> None:
        group = self.selected_group()
        if group is None:
            return
        try:
            start = self._day(self.start_edit, "建立日期", allow_empty=True)
        except ValueError:
            return
        if start == group.start:
            return
        since = f"自{day_text(start)}起存在" if start else "一直存在"
        self._apply(
            lambda: ops.set_group_start(self.context.session, group.id, start),
            f"“{group.name}”{since}。",
            select=group.id,
        )

    @Slot(int)
    def _on_leader_combo_activated(self, index: int) -> None:
        group = self.selected_group()
        if group is None:
            return
        leader_id = self.leader_combo.itemData(index)
        if leader_id == group.leader_id:
            return
        who = self.leader_combo.itemText(index) if leader_id else "未指定"
        self._apply(
            lambda: ops.set_group_leader(self.context.session, group.id, leader_id),
            f"“{group.name}”的党小组长：{who}。",
            select=group.id,
        )

    def set_leader(self, member_name: str) -> None:
        """Choose the leader by name, as a person would from the list."""
        index = self.leader_combo.findText(member_name)
        if index < 0:
            raise LookupError(member_name)
        self.leader_combo.setCurrentIndex(index)
        self._on_leader_combo_activated(index)

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> bool:
        """Show the dialog; return True when any group was changed."""
        dialog = cls(parent, context)
        try:
            dialog.exec()
            return dialog.changed_anything
        finally:
            dialog.deleteLater()


@dataclass(frozen=True)
class GroupChoice:
    """Where the chosen members went: a group id, or None for 不分党小组."""

    group_id: int | None
    group_name: str


class MoveGroupDialog(QDialog):
    """Move the members selected on the 党员 page into one group."""

    def __init__(self, parent: QWidget | None, context: AppContext, members: list[Member]) -> None:
        super().__init__(parent)
        self.context = context
        self.members = members
        self.choice: GroupChoice | None = None
        self.setWindowTitle("调整党小组")
        self.setMinimumWidth(460)
        names = "、".join(m.name for m in members[:8])
        if len(members) > 8:
            names += f" 等 {len(members)} 人"
        self.combo = QComboBox()
        self.combo.addItem("（不分党小组）", None)
        for group in context.groups.list():
            self.combo.addItem(f"{group.name}（{group.member_count} 人）", group.id)
        current = {m.group_id for m in members}
        if len(current) == 1:
            self.combo.setCurrentIndex(max(self.combo.findData(current.pop()), 0))
        who = QLabel(f"调整 {len(members)} 名党员：{names}")
        who.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("调整到"))
        row.addWidget(self.combo, 1)
        self.on_edit = DayEdit(dt.date.today())
        self.on_edit.setToolTip("自该日起在新的党小组；此前的报表和签到名单不变")
        row.addWidget(QLabel("生效日期"))
        row.addWidget(self.on_edit)
        self.message = QLabel()
        self.message.setStyleSheet(theme.ERROR_TEXT)
        self.message.hide()
        ok = QPushButton("确定")
        ok.setDefault(True)
        ok.setMinimumWidth(96)
        if context.read_only:
            ok.setEnabled(False)
            ok.setToolTip("数据为只读")
        self.ok_button = ok
        cancel = QPushButton("取消")
        cancel.setAutoDefault(False)
        cancel.setMinimumWidth(96)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(ok)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(heading("调整党小组"))
        layout.addWidget(who)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        ok.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        fit_window(self)

    def choose(self, group_name: str | None) -> None:
        """Pick a group by name (None for 不分党小组)."""
        if group_name is None:
            self.combo.setCurrentIndex(0)
            return
        for index in range(1, self.combo.count()):
            if self.combo.itemText(index).startswith(f"{group_name}（"):
                self.combo.setCurrentIndex(index)
                return
        raise LookupError(group_name)

    @Slot()
    def save(self) -> bool:
        if self.context.read_only:
            return False
        group_id = self.combo.currentData()
        ids = [m.id for m in self.members if m.id is not None]
        try:
            on = self.on_edit.day()
        except ValueError as exc:
            self.message.setText(f"生效日期：{exc}")
            self.message.show()
            return False
        if run_op(self, self.context, lambda s: ops.move_members(s, ids, group_id, on=on)) is None:
            return False
        name = self.combo.currentText().rsplit("（", 1)[0] if group_id is not None else ""
        self.choice = GroupChoice(group_id, name)
        self.accept()
        return True

    @classmethod
    def ask(
        cls, parent: QWidget | None, context: AppContext, members: list[Member]
    ) -> GroupChoice | None:
        """Show the dialog; return where the members went, or None when cancelled."""
        dialog = cls(parent, context, members)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.choice
            return None
        finally:
            dialog.deleteLater()
