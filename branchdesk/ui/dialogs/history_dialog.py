"""修改记录: one record's history, or every recent change and the deleted records.

The history keeps each record whole before and after a change (JSON snapshots, see
``store/snapshots.py``); this module turns two snapshots into the fields that differ, in
Chinese, and lets a deleted or changed record be put back (``HistoryRepo.restore``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QLocale, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.dues import DuesCategory, Month, months_text
from branchdesk.domain.meetings import AttendanceStatus, MeetingKind, MeetingStatus
from branchdesk.domain.members import (
    Category,
    CodedEnum,
    Gender,
    JoinHow,
    MemberStatus,
    Role,
    span_text,
)
from branchdesk.domain.privacy import mask_id_number, mask_phone
from branchdesk.store.history import RESTORE_DAYS, Change, HistoryRepo
from branchdesk.ui import msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import run_op
from branchdesk.ui.screen_fit import fit_window
from branchdesk.ui.widgets import heading

log = logging.getLogger(__name__)

FIELD_LABELS: dict[str, dict[str, str]] = {
    "member": {
        "name": "姓名", "gender": "性别", "ethnicity": "民族", "birth_date": "出生日期",
        "id_number": "身份证号", "education": "学历", "join_date": "入党时间",
        "full_date": "转正时间", "category": "党员类别", "group_name": "党小组",
        "phone": "联系电话", "workplace": "工作单位及职务", "roles": "支委职务",
        "status": "状态", "status_date": "状态日期", "branch_join_date": "加入本支部时间",
        "branch_join_how": "加入本支部方式", "group_spells": "所在党小组（按日期）",
        "role_terms": "支委任职（按日期）", "notes": "备注",
        "probation_extension": "延长预备期", "long_leave": "长期请假",
    },
    "meeting": {
        "kinds": "会议类型", "title": "会议主题", "day": "日期", "status": "状态",
        "start": "开始时间", "end": "结束时间", "place": "地点", "group_name": "党小组",
        "host": "主持人", "recorder": "记录人", "lecturer": "授课人",
        "lecture_title": "党课题目", "topics": "议题", "minutes": "会议记录",
        "resolutions": "决议", "nonvoting": "列席人员", "attachments": "附件",
        "votes": "表决",
    },
    "activity": {
        "kind": "活动类型", "title": "活动主题", "day": "日期", "end_day": "结束日期",
        "place": "地点", "organiser": "组织者", "description": "活动内容",
        "guests": "其他参加人员", "attachments": "附件",
    },
    "dues_assessment": {
        "start": "起始月份", "category": "党费类别", "income": "月收入",
        "exclusions": "扣除项目", "fixed_amount": "每月定额", "approval": "批准",
        "note": "备注",
    },
    "dues_payment": {
        "paid_on": "交纳日期", "months": "交纳月份", "amount": "党费",
        "extra": "自愿多交", "special": "特殊党费", "received_by": "收缴人", "note": "备注",
    },
}  # fmt: skip
_PEOPLE_LISTS = {"meeting": "attendance", "activity": "participants"}
_DUES_AMOUNTS = ("income", "fixed_amount", "amount", "extra", "special")
_EMPTY = "（空）"
_LONG = 60  # longer texts (minutes) are shortened in the table; the record holds them whole


# Member fields stored as codes (older snapshots hold the labels; both read back).
_MEMBER_ENUMS: dict[str, type[CodedEnum]] = {
    "gender": Gender,
    "category": Category,
    "status": MemberStatus,
    "roles": Role,
    "branch_join_how": JoinHow,
}


def _dated_text(key: str, value: list[dict[str, Any]]) -> str:
    """Group spells or role terms as people read them: ``第一党小组（2026年12月2日起）``."""
    parts = []
    for item in value:
        what = item.get("group_name") if key == "group_spells" else Role(item["role"]).label
        start = dt.date.fromisoformat(item["start"]) if item.get("start") else None
        end = dt.date.fromisoformat(item["end"]) if item.get("end") else None
        parts.append(f"{what}（{span_text(start, end)}）")
    return "；".join(parts)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


def _dues_text(key: str, value: Any) -> str:
    if key == "category":
        return DuesCategory(value).label
    if key in _DUES_AMOUNTS:
        return f"{value}元"
    if key == "exclusions":
        return "、".join(f"{e['label']} {e['amount']}元" for e in value)
    if key == "months":
        return months_text(Month.parse(m) for m in value)
    return str(value)


def _text(entity: str, key: str, value: Any) -> str:
    """One stored value as people read it; ID numbers and phones stay masked here."""
    if value is None or value == "" or value == []:
        return ""
    if entity.startswith("dues_"):
        return _dues_text(key, value)
    if key in ("group_spells", "role_terms") and isinstance(value, list):
        return _dated_text(key, value)
    if key == "kinds":
        return "、".join(MeetingKind(v).label for v in value)
    if key == "status" and entity == "meeting":
        return MeetingStatus(value).label
    if entity == "member" and key in _MEMBER_ENUMS:
        return "、".join(_MEMBER_ENUMS[key](v).label for v in _as_list(value))
    if key in ("start", "end"):
        return str(value)[:5]  # 19:00, not 19:00:00
    if key == "id_number":
        return mask_id_number(str(value))
    if key == "phone":
        return mask_phone(str(value))
    if key == "attachments":
        return "、".join(a.get("filename", "") for a in value)
    if key == "votes":
        return "；".join(
            f"{v['resolution']}：赞成 {v['in_favour']}，反对 {v['against']}，弃权 {v['abstain']}"
            for v in value
        )
    if key == "probation_extension":
        return f"{value['decided_on']} 决定延长 {value['months']} 个月（{value['reason']}）"
    if key == "long_leave":
        return f"{value['start']} 至 {value['end']}（{value['reason']}）"
    if isinstance(value, dict):  # a Person
        return str(value.get("name", ""))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= _LONG else text[: _LONG - 1] + "…"


def field_changes(
    entity: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[FieldChange]:
    """The labelled fields that differ between two snapshots (either may be missing)."""
    labels = FIELD_LABELS.get(entity, {})
    old, new = before or {}, after or {}
    found = []
    for key, label in labels.items():
        if old.get(key) == new.get(key) and before is not None and after is not None:
            continue
        a, b = _text(entity, key, old.get(key)), _text(entity, key, new.get(key))
        if a or b:
            found.append(FieldChange(label, a, b))
    return found


def _attendance_text(row: dict[str, Any]) -> str:
    text = AttendanceStatus(row["status"]).label
    if row.get("reason"):
        text += f"（{row['reason']}）"
    makeup = row.get("makeup") or {}
    if makeup.get("day") or makeup.get("how"):
        text += f"，补学 {makeup.get('day') or ''} {makeup.get('how') or ''}".rstrip()
    return text


def _hours(row: dict[str, Any]) -> str:
    hours = float(row.get("hours") or 0)
    return f"参加 {_text('activity', 'hours', hours)} 小时" if hours else "参加"


def people_changes(
    entity: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[str]:
    """Attendance (会议) or participation (活动) differences, one line per person.

    e.g. ``张三：出席 → 请假（出差）``.
    """
    key = _PEOPLE_LISTS.get(entity)
    if key is None or before is None or after is None:
        return []
    describe = _attendance_text if entity == "meeting" else _hours
    old = {row["member_id"]: row for row in before.get(key, [])}
    new = {row["member_id"]: row for row in after.get(key, [])}
    lines = []
    for member_id, row in new.items():
        if member_id not in old:
            lines.append(f"{row['name']}：新增（{describe(row)}）")
        elif describe(old[member_id]) != describe(row):
            lines.append(f"{row['name']}：{describe(old[member_id])} → {describe(row)}")
    for member_id, row in old.items():
        if member_id not in new:
            lines.append(f"{row['name']}：移出名单（原为{describe(row)}）")
    return lines


def _load(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


def change_html(change: Change) -> str:
    """The detail of one change as a small HTML page: fields before and after."""
    before, after = _load(change.before), _load(change.after)
    esc = html.escape
    parts = [f"<p><b>{esc(change.entity_label)}：{esc(change.summary)}</b><br>"
             f"<span style='color:{theme.MUTED}'>{esc(_when(change))}　{esc(change.action_label)}"
             "</span></p>"]  # fmt: skip
    if change.note:
        parts.append(f"<p>说明：{esc(change.note)}</p>")
    fields = field_changes(change.entity, before, after)
    cell = f"style='padding:3px 10px; border-bottom:1px solid {theme.GRID_LINE}'"
    if before is not None and after is not None:
        if fields:
            rows = "".join(
                f"<tr><td {cell}>{esc(f.label)}</td><td {cell}>{esc(f.before or _EMPTY)}</td>"
                f"<td {cell}>{esc(f.after or _EMPTY)}</td></tr>"
                for f in fields
            )
            parts.append(
                f"<table cellspacing='0'><tr><th {cell} align='left'>项目</th>"
                f"<th {cell} align='left'>修改前</th><th {cell} align='left'>修改后</th></tr>"
                f"{rows}</table>"
            )
        people = people_changes(change.entity, before, after)
        if people:
            title = "出勤变化" if change.entity == "meeting" else "参加人员变化"
            parts.append(f"<p><b>{title}</b><br>" + "<br>".join(esc(p) for p in people) + "</p>")
        if not fields and not people:
            parts.append("<p>内容没有变化。</p>")
    elif fields:
        title = "删除前的内容" if after is None else "当时的内容"
        rows = "".join(
            f"<tr><td {cell}>{esc(f.label)}</td><td {cell}>{esc(f.after or f.before)}</td></tr>"
            for f in fields
        )
        parts.append(f"<p><b>{title}</b></p><table cellspacing='0'>{rows}</table>")
        snapshot = after or before or {}
        people = snapshot.get(_PEOPLE_LISTS.get(change.entity, ""), [])
        if people:
            label = "应到" if change.entity == "meeting" else "参加"
            parts.append(f"<p>{label} {len(people)} 人</p>")
    return "".join(parts)


def _when(change: Change) -> str:
    return QLocale().toString(change.at, "yyyy年M月d日 HH:mm")


def _restorable(change: Change) -> bool:
    return change.before is not None and change.entity in (
        "member", "meeting", "activity", "dues_assessment", "dues_payment",
    )  # fmt: skip


class _ChangeList(QWidget):
    """A table of changes with the selected one's detail beside it."""

    def __init__(self, dialog: HistoryDialog, *, with_entity: bool, restore_text: str) -> None:
        super().__init__()
        self.dialog = dialog
        self.changes: list[Change] = []
        self.with_entity = with_entity
        headers = ["时间", "类别", "操作", "内容"] if with_entity else ["时间", "操作", "内容"]
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 150)
        for column in range(1, len(headers) - 1):
            self.table.setColumnWidth(column, 64)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.restore_button = QPushButton(restore_text)
        self.restore_button.setAutoDefault(False)
        self.empty = QLabel()
        self.empty.setStyleSheet(theme.MUTED_TEXT)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignRight)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)

    def set_changes(self, changes: list[Change], empty_text: str) -> None:
        self.changes = changes
        self.table.setRowCount(len(changes))
        for row, change in enumerate(changes):
            cells = [_when(change)]
            if self.with_entity:
                cells.append(change.entity_label)
            cells += [change.action_label, change.summary]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.empty.setText(empty_text)
        self.empty.setVisible(not changes)
        if changes:
            self.table.selectRow(0)
        self._on_table_selection_changed()

    def selected(self) -> Change | None:
        rows = self.table.selectionModel().selectedRows()
        return self.changes[rows[0].row()] if rows else None

    @Slot()
    def _on_table_selection_changed(self) -> None:
        change = self.selected()
        self.detail.setHtml(change_html(change) if change else "")
        can = change is not None and _restorable(change)
        self.restore_button.setEnabled(can and not self.dialog.context.read_only)
        self.restore_button.setToolTip("数据为只读" if self.dialog.context.read_only else "")

    @Slot()
    def _on_restore_button_clicked(self) -> None:
        change = self.selected()
        if change is not None:
            self.dialog.restore(change)


class HistoryDialog(QDialog):
    """修改记录 of one record (``open_for``) or of the whole branch (``open_all``)."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, entity: str | None = None,
        entity_id: int | str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.context = context
        self.entity = entity
        self.entity_id = entity_id
        self.restored_any = False
        self.setObjectName("HistoryDialog")
        self.setWindowTitle("修改记录")
        self.title = heading("修改记录")
        note = QLabel(
            f"每次新增、修改和删除都会记下时间和前后内容。删除的记录至少可在 {RESTORE_DAYS} 天内恢复"
            "（实际一直保留）。身份证号和电话在这里隐去中间几位。"
        )
        note.setWordWrap(True)
        note.setStyleSheet(theme.MUTED_TEXT)
        close = QPushButton("关闭")
        close.setMinimumWidth(96)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(note)
        if entity is None:
            self.recent = _ChangeList(self, with_entity=True, restore_text="恢复为修改前的内容")
            self.deleted = _ChangeList(self, with_entity=True, restore_text="恢复这条记录")
            self.tabs = QTabWidget()
            self.tabs.addTab(self.recent, "最近的修改")
            self.tabs.addTab(self.deleted, "已删除")
            layout.addWidget(self.tabs, 1)
        else:
            self.recent = _ChangeList(self, with_entity=False, restore_text="恢复为修改前的内容")
            self.deleted = None
            layout.addWidget(self.recent, 1)
        layout.addLayout(bottom)
        self.reload()
        fit_window(self, 1000, 640)

    @property
    def repo(self) -> HistoryRepo:
        return HistoryRepo(self.context.db)

    def reload(self) -> None:
        if self.entity is None:
            self.recent.set_changes(self.repo.recent(300), "还没有任何修改记录。")
            assert self.deleted is not None
            deleted = self.repo.deleted()
            self.deleted.set_changes(deleted, "没有已删除的党员、会议或活动。")
            self.tabs.setTabText(1, f"已删除（{len(deleted)}）" if deleted else "已删除")
            return
        assert self.entity_id is not None
        changes = self.repo.for_record(self.entity, self.entity_id)
        if changes:
            self.title.setText(f"修改记录：{changes[0].summary}")
        self.recent.set_changes(changes, "这条记录还没有修改记录。")

    def restore(self, change: Change) -> int | None:
        """Put back the version before ``change``; return the record's id, or None."""
        if self.context.read_only:
            return None
        what = (
            "恢复这条已删除的记录" if change.action == "delete" else "把记录恢复为这次修改前的内容"
        )
        if not msgbox.confirm(
            self, "恢复", f"要{what}吗？\n{change.entity_label}：{change.summary}\n\n恢复本身也会记入修改记录。",
            yes="恢复",
        ):  # fmt: skip
            return None
        try:
            result = run_op(self, self.context,
                            lambda s: ops.restore_from_history(s, change.id), failed_title="无法恢复")  # fmt: skip
        except ValueError as exc:
            msgbox.warning(self, "无法恢复", str(exc))
            return None
        if result is None:
            return None
        self.restored_any = True
        self.reload()
        return result.value

    @classmethod
    def open_for(
        cls, parent: QWidget | None, context: AppContext, entity: str, entity_id: int | str
    ) -> bool:
        """Show one record's history; return True when something was restored."""
        dialog = cls(parent, context, entity, entity_id)
        try:
            dialog.exec()
            return dialog.restored_any
        finally:
            dialog.deleteLater()

    @classmethod
    def open_all(cls, parent: QWidget | None, context: AppContext) -> bool:
        """Show recent changes and deleted records; return True when something was restored."""
        dialog = cls(parent, context)
        try:
            dialog.exec()
            return dialog.restored_any
        finally:
            dialog.deleteLater()
