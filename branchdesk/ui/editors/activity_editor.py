"""The activity editor: log one member activity (志愿服务, 社区报到 ...) with who took part and
for how long.

Everyone ticked gets the common hours (每人时长); a person's own hours can be changed in
the list, and typing the common value again makes them follow it once more.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.activities import (
    MAX_HOURS,
    Activity,
    check_activity,
    format_hours,
)
from branchdesk.domain.validation import activity_text_problems, record_date_problem
from branchdesk.store.activities import ActivityKindRepo, ActivityRepo
from branchdesk.ui import msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.activity_kinds_dialog import ActivityKindsDialog
from branchdesk.ui.editors.attachments_panel import (
    ATTACHMENT_ROLE as ATTACHMENT_ROLE,  # re-exported
)
from branchdesk.ui.editors.attachments_panel import AttachmentsPanel, EditorAttachments
from branchdesk.ui.editors.participants_grid import (
    DEFAULT_HOURS,
    MEMBER_ID_ROLE,
    ParticipantFilter,
    ParticipantModel,
    PersonRow,
    participant_table,
)
from branchdesk.ui.editors.record_editor import RecordEditor
from branchdesk.ui.models.activity_table_model import day_text
from branchdesk.ui.ops import run_op
from branchdesk.ui.screen_fit import scrolling, show_rows
from branchdesk.ui.widgets import FieldMessage, form_label, qdate_to_date

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex
_THUMB = QSize(112, 84)
_TAB_PEOPLE, _TAB_FILES = 0, 1
# The earliest date the form takes: a date before 1921-07-01 is asked about when saving,
# so a mistyped year can be seen and kept or corrected, never silently moved.
_EARLIEST = QDate(1900, 1, 1)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)




# -- the editor ----------------------------------------------------------------------------------


class ActivityEditor(EditorAttachments, RecordEditor, QDialog):
    """Add or edit one activity; saving writes it through ActivityRepo."""

    history_entity = "activity"
    record_noun = "活动"
    geometry_key = "activity_editor"
    default_size = (1120, 720)

    def __init__(
        self,
        parent: QWidget | None,
        context: AppContext,
        activity: Activity | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ActivityEditor")
        self.context = context
        self.repo = ActivityRepo(context.db)
        self.today = today or dt.date.today()
        self.saved_activity: Activity | None = None
        self._members = context.members.list(include_left=True)
        self._summaries = self.repo.summaries()
        self._tried_save = False
        self._loading = True
        self._activity = activity or self._new_activity()
        self._build()
        self._load(self._activity)
        self._loading = False
        self._initial = self._collect()
        self._update_title()
        self._validate()
        if activity is None or activity.id is None:
            self.title_edit.setFocus()
        else:
            self.kind_combo.setFocus()
        self._restore_geometry()

    @classmethod
    def ask(
        cls, parent: QWidget | None, context: AppContext, activity: Activity | None = None
    ) -> Activity | None:
        """Open the editor; return the saved activity, or None if the user cancelled.

        ``activity`` with an id edits it; without an id it is a template for a new one.
        """
        dialog = cls(parent, context, activity)
        try:
            dialog.exec()
            return dialog.saved_activity
        finally:
            dialog.deleteLater()

    def _new_activity(self) -> Activity:
        kinds = ActivityKindRepo(self.context.db).list()
        return Activity(kind=kinds[0] if kinds else "", title="", day=self.today)

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.kind_combo = QComboBox()
        self.kind_combo.setMinimumWidth(160)
        self.kinds_button = QPushButton("管理类型…")
        self.kinds_button.setToolTip("添加本支部的活动类型，或修改类型名称")
        self.kinds_button.setAutoDefault(False)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_combo, 1)
        kind_row.addWidget(self.kinds_button)

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("如：小区环境整治志愿服务")
        self.title_edit.setMaxLength(100)

        self.date_edit = self._date_edit()
        self.multi_day_box = QCheckBox("多日活动")
        self.multi_day_box.setToolTip("活动持续几天时勾选，再填写结束日期")
        self.end_date_edit = self._date_edit()
        self.end_date_label = form_label("结束日期")
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_edit)
        date_row.addSpacing(12)
        date_row.addWidget(self.multi_day_box)
        date_row.addStretch(1)
        end_row = QHBoxLayout()
        end_row.addWidget(self.end_date_edit)
        end_row.addStretch(1)

        places = list(dict.fromkeys(s.place for s in self._summaries if s.place))
        self.place_edit = QLineEdit()
        self.place_edit.setPlaceholderText("活动地点")
        self.place_edit.setCompleter(self._completer(places))
        roster_names = [m.name for m in self._members if m.status.in_roster]
        self.organiser_edit = QLineEdit()
        self.organiser_edit.setPlaceholderText("组织者或带队人，如：社区党委、张三")
        self.organiser_edit.setCompleter(self._completer(roster_names))

        self.hours_spin = QDoubleSpinBox()
        self.hours_spin.setDecimals(1)
        self.hours_spin.setSingleStep(0.5)
        self.hours_spin.setRange(0, MAX_HOURS)
        self.hours_spin.setSuffix(" 小时")
        self.hours_spin.setMinimumWidth(120)
        self.hours_spin.setToolTip("每位参加人员的时长；个别人员的时长可在右侧名单中单独修改")
        hours_note = QLabel("个别人员可在名单中单独修改")
        hours_note.setStyleSheet(theme.MUTED_TEXT)
        hours_row = QHBoxLayout()
        hours_row.addWidget(self.hours_spin)
        hours_row.addSpacing(8)
        hours_row.addWidget(hours_note)
        hours_row.addStretch(1)

        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText("活动的内容和成效，可不填")
        self.description_edit.setTabChangesFocus(True)
        self.guests_edit = QLineEdit()
        self.guests_edit.setPlaceholderText(
            "非本支部人员，如：社区网格员 王某某、入党积极分子 李某"
        )

        self._messages = {name: FieldMessage() for name in ("类型", "名称", "日期", "长度")}

        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        form.setColumnStretch(1, 1)
        rows: list[tuple[str, Any]] = [
            ("类型", kind_row),
            ("", self._messages["类型"]),
            ("活动名称", self.title_edit),
            ("", self._messages["名称"]),
            ("日期", date_row),
            (self.end_date_label, end_row),
            ("", self._messages["日期"]),
            ("地点", self.place_edit),
            ("组织者", self.organiser_edit),
            ("每人时长", hours_row),
            ("活动内容", self.description_edit),
            ("其他参加人员", self.guests_edit),
            ("", self._messages["长度"]),  # a text over its length limit
        ]
        for row, (label, field) in enumerate(rows):
            if isinstance(label, QLabel):
                form.addWidget(label, row, 0)
            elif label:
                align = (
                    Qt.AlignmentFlag.AlignTop
                    if field is self.description_edit
                    else Qt.AlignmentFlag.AlignVCenter
                )
                form.addWidget(form_label(label), row, 0, align)
            if isinstance(field, QWidget):
                form.addWidget(field, row, 1)
            else:
                form.addLayout(field, row, 1)
        form.setRowStretch(10, 1)
        left = QWidget()
        left.setLayout(form)
        left.setMinimumWidth(400)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._participants_page(), "参加人员")
        self.tabs.addTab(self._attachments_page(), "照片和附件")

        self.save_action = QAction("保存", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)
        self.save_button = QPushButton("保存（Ctrl+S）")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setStyleSheet(theme.primary_button("6px 20px", bold=False))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.reject)
        for button in (self.save_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setMinimumHeight(36)
            button.setMinimumWidth(110)
        self.history_button = QPushButton("修改记录")
        self.history_button.setAutoDefault(False)
        self.history_button.setToolTip("查看这次活动的每次修改，可恢复旧的内容")
        self.history_button.setVisible(self._activity.id is not None)
        self.history_button.clicked.connect(self._on_history_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.history_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        body = QHBoxLayout()
        body.setSpacing(18)
        body.addWidget(left, 5)
        body.addWidget(self.tabs, 6)
        content = QWidget()  # scrolls on a small screen; the 保存 row stays in view
        content.setLayout(body)
        show_rows(self.participant_table, 5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(12)
        layout.addWidget(scrolling(content, horizontal=True), 1)
        layout.addLayout(buttons)

        if self.context.read_only:
            for widget in (self.save_button, self.kinds_button, self.add_attachment_button):
                widget.setEnabled(False)
                widget.setToolTip("数据为只读")
            self.save_action.setEnabled(False)

        for first, second in zip(self._tab_chain(), self._tab_chain()[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self.kind_combo.currentIndexChanged.connect(self._on_form_changed)
        self.kinds_button.clicked.connect(self._on_kinds_button_clicked)
        self.title_edit.textChanged.connect(self._on_form_changed)
        self.date_edit.dateChanged.connect(self._on_date_edit_changed)
        self.end_date_edit.dateChanged.connect(self._on_form_changed)
        self.multi_day_box.toggled.connect(self._on_multi_day_box_toggled)
        self.hours_spin.valueChanged.connect(self._on_hours_spin_changed)
        self.participants.participants_changed.connect(self._on_participants_changed)

    def _tab_chain(self) -> list[QWidget]:
        return [
            self.kind_combo,
            self.kinds_button,
            self.title_edit,
            self.date_edit,
            self.multi_day_box,
            self.end_date_edit,
            self.place_edit,
            self.organiser_edit,
            self.hours_spin,
            self.description_edit,
            self.guests_edit,
            self.tabs,
            self.search_edit,
            self.checked_only_box,
            self.select_all_button,
            self.clear_button,
            self.participant_table,
            self.record_button,
            self.save_button,
            self.cancel_button,
        ]

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy年M月d日 ddd")
        edit.setDateRange(_EARLIEST, _qdate(self.today).addYears(2))
        edit.setMinimumWidth(160)
        return edit

    def _completer(self, words: list[str]) -> QCompleter:
        completer = QCompleter(words, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        return completer

    def _participants_page(self) -> QWidget:
        self.participants = ParticipantModel(self)
        self.participant_filter = ParticipantFilter(self)
        self.participant_filter.setSourceModel(self.participants)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("查找姓名或党小组")
        self.search_edit.setClearButtonEnabled(True)
        self.checked_only_box = QCheckBox("只看已选")
        self.select_all_button = QPushButton("全选")
        self.select_all_button.setToolTip("勾选名单中显示的所有人")
        self.clear_button = QPushButton("清空")
        self.clear_button.setToolTip("取消名单中显示的所有人的勾选")
        tools = QHBoxLayout()
        tools.addWidget(self.search_edit, 1)
        tools.addWidget(self.checked_only_box)
        tools.addWidget(self.select_all_button)
        tools.addWidget(self.clear_button)

        table = participant_table(self.participant_filter)
        self.participant_table = table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._on_participant_table_menu_requested)

        self.participants_summary = QLabel()
        self.participants_summary.setStyleSheet(theme.COUNT_TEXT)
        self.record_button = QPushButton("查看党员档案")
        self.record_button.setToolTip("查看所选党员全年的会议出勤和活动情况")
        self.record_button.clicked.connect(self._on_record_button_clicked)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.participants_summary, 1)
        summary_row.addWidget(self.record_button)
        self.participant_message = FieldMessage()
        hint = QLabel("单击姓名即可勾选或取消；双击时长可单独修改某人的时长。")
        hint.setStyleSheet(theme.MUTED_TEXT)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(tools)
        layout.addWidget(table, 1)
        layout.addWidget(hint)
        layout.addLayout(summary_row)
        layout.addWidget(self.participant_message)
        for button in (self.select_all_button, self.clear_button, self.record_button):
            button.setAutoDefault(False)
        self.search_edit.textChanged.connect(self.participant_filter.set_text)
        self.checked_only_box.toggled.connect(self.participant_filter.set_checked_only)
        self.select_all_button.clicked.connect(self._on_select_all_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        return page

    def _attachments_page(self) -> QWidget:
        panel = AttachmentsPanel(
            self.context,
            thumb=_THUMB,
            add_text="添加照片或文件…",
            dialog_title="添加照片或文件",
            note="照片可不传。文件会复制到数据文件夹中保存，原文件删除也不受影响。",
            note_below=True,
            remove_tip="从这次活动中移除所选附件",
        )
        panel.attachments_changed.connect(self._on_attachments_panel_attachments_changed)
        return self._use_attachments_panel(panel)

    # -- loading and collecting --------------------------------------------------------------------

    def _reload_kinds(self, select: str) -> None:
        kinds = ActivityKindRepo(self.context.db).list()
        if select and select not in kinds:
            kinds.append(select)
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        self.kind_combo.addItems(kinds)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findText(select), 0))
        self.kind_combo.blockSignals(False)

    def _common_hours_of(self, activity: Activity) -> float:
        """The hours most participants share: what the 每人时长 box shows when editing."""
        if not activity.participants:
            return self._last_hours(activity.kind)
        counts: dict[float, int] = {}
        for person in activity.participants:
            counts[person.hours] = counts.get(person.hours, 0) + 1
        return max(counts, key=lambda hours: (counts[hours], hours))

    def _last_hours(self, kind: str) -> float:
        """A new activity starts from the hours of the last one of its kind."""
        for summary in self._summaries:
            if summary.kind == kind and summary.participants:
                return round(summary.hours / summary.participants * 2) / 2
        return DEFAULT_HOURS

    def _load(self, activity: Activity) -> None:
        self._reload_kinds(activity.kind)
        self.title_edit.setText(activity.title)
        for edit, day in (
            (self.date_edit, activity.day),
            (self.end_date_edit, activity.end_day or activity.day),
        ):
            shown = _qdate(day)  # a stored date outside the range is shown, not clamped
            edit.setDateRange(min(shown, edit.minimumDate()), max(shown, edit.maximumDate()))
            edit.setDate(shown)
        self.multi_day_box.setChecked(activity.end_day is not None)
        self._show_end_date(activity.end_day is not None)
        self.place_edit.setText(activity.place)
        self.organiser_edit.setText(activity.organiser)
        self.description_edit.setPlainText(activity.description)
        self.guests_edit.setText(activity.guests)
        common = self._common_hours_of(activity)
        self.hours_spin.setValue(common)
        self.participants.common_hours = common
        chosen = {p.member_id: p for p in activity.participants}
        self._fill_roster(
            {
                member_id: (p.name, None if abs(p.hours - common) < 1e-9 else p.hours)
                for member_id, p in chosen.items()
            }
        )
        for attachment in activity.attachments:
            self.attachments_panel.add_item(attachment)
        self._update_tabs()

    def _fill_roster(self, chosen: dict[int, tuple[str, float | None]]) -> None:
        """List the members in the roster on the activity's day, plus anyone already ticked."""
        day = qdate_to_date(self.date_edit.date())
        people = []
        for member in self._members:
            if member.id is None:
                continue
            picked = chosen.get(member.id)
            if picked is None and not member.in_roster_on(day):
                continue
            name, hours = picked if picked is not None else (member.name, None)
            people.append(
                PersonRow(member.id, name, member.group_name, checked=picked is not None, hours=hours)
            )
        known = {p.member_id for p in people}
        for member_id, (name, hours) in chosen.items():  # removed from the roster since
            if member_id not in known:
                people.append(PersonRow(member_id, name, "", checked=True, hours=hours))
        self.participants.set_people(people)

    def _current_choices(self) -> dict[int, tuple[str, float | None]]:
        return {p.member_id: (p.name, p.hours) for p in self.participants.people() if p.checked}

    def _collect(self) -> Activity:
        return Activity(
            id=self._activity.id,
            kind=self.kind_combo.currentText().strip(),
            title=self.title_edit.text().strip(),
            day=qdate_to_date(self.date_edit.date()),
            end_day=qdate_to_date(self.end_date_edit.date()) if self.multi_day_box.isChecked() else None,
            place=self.place_edit.text().strip(),
            organiser=self.organiser_edit.text().strip(),
            description=self.description_edit.toPlainText().strip(),
            participants=self.participants.participations(),
            guests=self.guests_edit.text().strip(),
            attachments=self.attachments_panel.attachments(),
        )

    def is_dirty(self) -> bool:
        return self._collect() != self._initial

    # -- validation ----------------------------------------------------------------------------

    def _validate(self) -> list[tuple[str, str]]:
        """Show each blocking problem next to its field (after the first save attempt)."""
        activity = self._collect()
        problems = check_activity(activity, today=self.today) + activity_text_problems(activity)
        by_field: dict[str, list[str]] = {}
        for field, message in problems:
            target = {"结束日期": "日期", "时长": "参加人员", "活动名称": "名称"}.get(field, field)
            if target not in self._messages and target != "参加人员":
                target = "长度"
            by_field.setdefault(target, []).append(message)
        for name, label in self._messages.items():
            texts = by_field.get(name, [])
            # Before the first save only show what is plainly wrong, not what is still empty.
            if texts and (self._tried_save or name in ("日期", "长度")):
                label.show_error("；".join(texts))
            else:
                label.clear_message()
        people = by_field.get("参加人员", [])
        if people:
            self.participant_message.show_error("；".join(people))
        elif not activity.participants and self._tried_save:
            self.participant_message.show_warning("还没有勾选参加人员：单击姓名即可勾选。")
        else:
            self.participant_message.clear_message()
        return problems

    # -- reacting ------------------------------------------------------------------------------

    def _update_title(self) -> None:
        title = self.title_edit.text().strip()
        if self._activity.id is None:
            self.setWindowTitle(f"添加活动 - {title}" if title else "添加活动")
        else:
            self.setWindowTitle(f"编辑活动 - {title}" if title else "编辑活动")

    def _update_tabs(self) -> None:
        chosen = self.participants.participations()
        self.tabs.setTabText(_TAB_PEOPLE, f"参加人员（{len(chosen)}）" if chosen else "参加人员")
        count = self.attachment_list.count()
        self.tabs.setTabText(_TAB_FILES, f"照片和附件（{count}）" if count else "照片和附件")
        hours = round(sum(p.hours for p in chosen), 2)
        self.participants_summary.setText(f"已选 {len(chosen)} 人，合计 {format_hours(hours)} 小时")

    @Slot()
    def _on_form_changed(self) -> None:
        if self._loading:
            return
        self._update_title()
        self._validate()

    @Slot(QDate)
    def _on_date_edit_changed(self, value: QDate) -> None:
        if self._loading:
            return
        if not self.multi_day_box.isChecked():
            self.end_date_edit.setDate(value)
        self._fill_roster(self._current_choices())
        self._validate()

    @Slot(bool)
    def _on_multi_day_box_toggled(self, checked: bool) -> None:
        self._show_end_date(checked)
        if checked and self.end_date_edit.date() <= self.date_edit.date():
            self.end_date_edit.setDate(self.date_edit.date().addDays(1))
        self._on_form_changed()

    def _show_end_date(self, shown: bool) -> None:
        self.end_date_label.setVisible(shown)
        self.end_date_edit.setVisible(shown)

    @Slot(float)
    def _on_hours_spin_changed(self, value: float) -> None:
        self.participants.set_common_hours(value)

    @Slot()
    def _on_participants_changed(self) -> None:
        self._update_tabs()
        if not self._loading:
            self._validate()

    def visible_rows(self) -> list[int]:
        """Source rows the search and 只看已选 leave on screen."""
        return [
            self.participant_filter.mapToSource(self.participant_filter.index(row, 0)).row()
            for row in range(self.participant_filter.rowCount())
        ]

    @Slot()
    def _on_select_all_button_clicked(self) -> None:
        self.participants.set_checked(self.visible_rows(), True)

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        self.participants.set_checked(self.visible_rows(), False)

    def selected_member_id(self) -> int | None:
        index = self.participant_table.currentIndex()
        if not index.isValid():
            return None
        return index.data(MEMBER_ID_ROLE)

    def open_member_record(self, member_id: int) -> None:
        from branchdesk.ui.pages.member_record_view import MemberRecordDialog

        MemberRecordDialog.open_for(
            self, self.context, member_id, year=self.date_edit.date().year()
        )

    @Slot()
    def _on_record_button_clicked(self) -> None:
        member_id = self.selected_member_id()
        if member_id is None:
            self.participant_message.show_info("请先在名单中点选一名党员。")
            return
        self.open_member_record(member_id)

    @Slot(QPoint)
    def _on_participant_table_menu_requested(self, position: QPoint) -> None:
        index = self.participant_table.indexAt(position)
        if not index.isValid():
            return
        source = self.participant_filter.mapToSource(index)
        person = self.participants.people()[source.row()]
        menu = QMenu(self)
        menu.addAction(
            f"查看{person.name}的党员档案", lambda: self.open_member_record(person.member_id)
        )
        if person.hours is not None:
            menu.addAction("恢复统一时长", lambda: self.participants.set_hours(source.row(), None))
        menu.popup(self.participant_table.viewport().mapToGlobal(position))

    @Slot()
    def _on_kinds_button_clicked(self) -> None:
        select = ActivityKindsDialog.ask(self, self.context)
        if select is not None:
            current = self.kind_combo.currentText()
            self._reload_kinds(select or current)
            self._on_form_changed()

    # -- saving --------------------------------------------------------------------------------

    @Slot()
    def save(self) -> bool:
        """Check the form and write the activity; True if saved.

        When the database refuses the write (disk full, locked, read-only) the editor
        stays open with everything typed.
        """
        if self.context.read_only:
            return False
        self._tried_save = True
        problems = self._validate()
        if problems:
            first = problems[0][0]
            focus: QWidget | None = {
                "类型": self.kind_combo,
                "名称": self.title_edit,
                "活动名称": self.title_edit,
                "日期": self.date_edit,
                "结束日期": self.end_date_edit,
                "地点": self.place_edit,
                "组织者": self.organiser_edit,
                "活动内容": self.description_edit,
                "其他参加人员": self.guests_edit,
            }.get(first)
            if focus is None:
                self.tabs.setCurrentIndex(_TAB_PEOPLE)
                focus = self.participant_table
            focus.setFocus()
            return False
        activity = self._collect()
        if not self._dates_confirmed(activity):
            return False
        if (
            not activity.participants
            and not activity.guests
            and not msgbox.confirm(
                self,
                "没有参加人员",
                "这次活动还没有勾选任何参加人员，它不会计入任何党员的活动次数和服务时长。\n\n"
                "仍要保存吗？",
                yes="仍然保存",
            )
        ):
            self.tabs.setCurrentIndex(_TAB_PEOPLE)
            self.participant_table.setFocus()
            return False
        write = ops.add_activity if activity.id is None else ops.update_activity
        if run_op(self, self.context, lambda s: write(s, activity), failed_title="保存失败") is None:
            return False  # told; the editor stays open with everything typed
        self.attachments_panel.added = []
        self.saved_activity = activity
        self._save_geometry()
        self.accept()
        return True

    def _dates_confirmed(self, activity: Activity) -> bool:
        """Ask before saving a date before 1921-07-01 or more than a year from today."""
        for label, day, edit in (
            ("活动日期", activity.day, self.date_edit),
            ("结束日期", activity.end_day, self.end_date_edit),
        ):
            if day is None:
                continue
            problem = record_date_problem(day, today=self.today, show=day_text)
            if problem and not msgbox.confirm(
                self, "日期可能有误", f"{label} {problem}。\n\n仍要保存吗？", yes="仍然保存"
            ):
                edit.setFocus()
                return False
        return True

    def _record_id(self) -> int | None:
        return self._activity.id

    def _took_restored(self, record_id: int) -> None:
        self.saved_activity = self.repo.get(record_id)

    # -- attachments -------------------------------------------------------------------------------

    @Slot()
    def _on_attachments_panel_attachments_changed(self) -> None:
        self._update_tabs()
