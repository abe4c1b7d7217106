"""The meeting editor: record a held meeting (or plan one) in about two minutes, from the keyboard.

Glossary: 主持人 host; 记录人 recorder; 授课人 lecturer; 议题 topics; 会议记录 minutes;
决议 resolutions; 列席 attending without a vote; 应到/实到 expected/present.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import replace

from PySide6.QtCore import (
    QDate,
    QMimeData,
    QSize,
    Qt,
    QTime,
    QTimer,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QKeySequence,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.editing import next_usual_day, planned_copy, tidy_paragraphs
from branchdesk.domain.meeting_kinds import DEFAULT_KIND, primary_kind
from branchdesk.domain.meeting_rules import Quorum, QuorumKind, quorum_of, vote_problems
from branchdesk.domain.meetings import (
    Attendance,
    Audience,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingSummary,
    Person,
    audience_for,
    build_attendance,
    check_meeting,
    expected_members,
)
from branchdesk.domain.members import Member, Role
from branchdesk.domain.requirements import plan_to_record
from branchdesk.domain.validation import meeting_text_problems, record_date_problem
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.requirements import RequirementRepo
from branchdesk.ui import msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.attachments_panel import (
    ATTACHMENT_ROLE as ATTACHMENT_ROLE,  # re-exported
)
from branchdesk.ui.editors.attachments_panel import AttachmentsPanel, EditorAttachments
from branchdesk.ui.editors.attendance_grid import AttendancePanel
from branchdesk.ui.editors.record_editor import RecordEditor
from branchdesk.ui.editors.votes_panel import VotesPanel
from branchdesk.ui.models.meeting_table_model import day_text
from branchdesk.ui.ops import run_op
from branchdesk.ui.print_actions import print_menu
from branchdesk.ui.screen_fit import scrolling, show_rows
from branchdesk.ui.widgets import FieldMessage, form_label

log = logging.getLogger(__name__)

_THUMB = QSize(120, 90)
_TABS = ["出勤名单", "议题", "会议记录", "决议", "列席人员", "附件"]
# The earliest date the form takes: a date before 1921-07-01 is asked about when saving,
# so a mistyped year can be seen and kept or corrected, never silently moved.
_EARLIEST = QDate(1900, 1, 1)


# -- pasting ----------------------------------------------------------------------------------


def pasted_text(source: QMimeData) -> str:
    """The text of a paste, turning Word/WPS rich text into paragraphs of plain text."""
    if source.hasHtml() and source.html().strip():
        document = QTextDocument()
        document.setHtml(source.html())
        return tidy_paragraphs(document.toPlainText())
    return tidy_paragraphs(source.text()) if source.hasText() else ""


class MinutesEdit(QPlainTextEdit):
    """Plain text whose paste from Word or WPS keeps the paragraphs and drops the formatting."""

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802
        text = pasted_text(source)
        if text:
            self.insertPlainText(text)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802
        return source.hasText() or source.hasHtml()


class PersonCombo(QComboBox):
    """A member chosen from the roster, or a guest's name typed in."""

    def __init__(self, members: list[Member], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(16)
        for member in members:
            self.addItem(member.name, member.id)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.lineEdit().setPlaceholderText("选择党员或输入姓名")
        self._kept: Person = Person()

    def set_person(self, person: Person) -> None:
        self._kept = person
        row = self.findData(person.member_id) if person.member_id is not None else -1
        if row >= 0 and self.itemText(row) == person.name:
            self.setCurrentIndex(row)
        else:
            self.setCurrentIndex(-1)
            self.setEditText(person.name)

    def person(self) -> Person:
        name = re.sub(r"\s+", "", self.currentText())
        if not name:
            return Person()
        row = self.currentIndex()
        if row < 0 or self.itemText(row) != name:
            row = self.findText(name, Qt.MatchFlag.MatchExactly)
        if row >= 0:
            return Person(name, self.itemData(row))
        if name == self._kept.name:  # e.g. a host who has since left the roster
            return self._kept
        return Person(name)



# -- the dialog --------------------------------------------------------------------------------


class MeetingEditor(EditorAttachments, RecordEditor, QDialog):
    """Add, plan or edit one meeting; saving writes it through MeetingRepo."""

    history_entity = "meeting"
    record_noun = "会议"
    geometry_key = "meeting_editor"
    default_size = (1120, 740)

    def __init__(
        self,
        parent: QWidget | None,
        context: AppContext,
        meeting: Meeting | None = None,
        *,
        planned: bool = False,
        today: dt.date | None = None,
        plan_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MeetingEditor")
        self.context = context
        self.repo = MeetingRepo(context.db)
        self.today = today or dt.date.today()
        self.saved_meeting: Meeting | None = None
        self._members = context.members.list(include_left=True)
        self._groups = context.groups.list(include_ended=True)  # a past meeting of a merged group
        self._summaries = self.repo.summaries()
        self._stored_held = (
            meeting is not None and meeting.id is not None and meeting.status is MeetingStatus.HELD
        )
        self._keep_snapshot = False  # the user chose to keep a held meeting's stored list
        self._requirements = RequirementRepo(context.db).list()
        self.plan_id: int | None = None  # the plan (计划) this new record carries out
        self._offered: MeetingSummary | None = None  # the plan the bar offers
        self._declined: set[int] = set()  # plans the user said this is not
        self._tried_save = False
        self._loading = True
        self._date_timer = QTimer(self)
        self._date_timer.setSingleShot(True)
        self._date_timer.setInterval(350)
        self._date_timer.timeout.connect(self._on_audience_changed)

        if meeting is None:
            meeting = self._new_meeting(planned)
        elif meeting.id is None and planned:
            meeting = replace(meeting, status=MeetingStatus.PLANNED)
        self._meeting = meeting
        self._build()
        self._load(meeting)
        self._loading = False
        self._initial = self._collect()
        self._update_title()
        self._validate()
        if plan_id is not None:  # recording a plan that was held (工作台's 计划已过期)
            self.use_plan(plan_id)
            self._initial = self._collect()
        self.kind_combo.setFocus()
        self._restore_geometry()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        context: AppContext,
        meeting: Meeting | None = None,
        *,
        planned: bool = False,
        plan_id: int | None = None,
    ) -> Meeting | None:
        """Open the editor; return the saved meeting, or None if the user cancelled.

        ``meeting`` with an id edits it; without an id it is a template for a new one.
        ``plan_id`` records that plan (计划) as held: saving turns it into the record.
        """
        dialog = cls(parent, context, meeting, planned=planned, plan_id=plan_id)
        try:
            dialog.exec()
            return dialog.saved_meeting
        finally:
            dialog.deleteLater()

    # -- defaults ------------------------------------------------------------------------------

    def _role_holder(self, *roles: Role) -> Person:
        for role in roles:
            for member in self._members:
                if role in member.roles and member.status.in_roster:
                    return Person(member.name, member.id)
        return Person()

    def _new_meeting(self, planned: bool) -> Meeting:
        kind = DEFAULT_KIND
        same_kind = [s for s in self._summaries if kind in s.kinds]
        held = [s for s in self._summaries if s.status is MeetingStatus.HELD]
        # Place and time as last time: the same kind of meeting if any, else any meeting.
        last = next((s for s in held if kind in s.kinds), held[0] if held else None)
        day = self.today
        if planned:
            day = next_usual_day(same_kind[0].day if same_kind else None, self.today)
        meeting = Meeting(
            kinds=[kind],
            day=day,
            status=MeetingStatus.PLANNED if planned else MeetingStatus.HELD,
            host=self._role_holder(Role.SECRETARY, Role.DEPUTY_SECRETARY),
            recorder=self._role_holder(Role.ORGANISATION, Role.SECRETARY),
        )
        if last is not None:
            meeting.place = last.place
            previous = self.repo.get(last.id)
            meeting.start, meeting.end = previous.start, previous.end
        return meeting

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        roster_now = [m for m in self._members if m.in_roster_on(self.today)]
        roster_now.sort(key=lambda m: (0 if m.roles else 1, m.sort_order))

        self.kind_combo = QComboBox()
        for kind in MeetingKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.kind_combo.setMinimumWidth(150)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("会议主题，如：重温入党誓词，过政治生日")
        self.also_boxes: dict[MeetingKind, QCheckBox] = {}
        also_row = QHBoxLayout()
        also_row.setSpacing(14)
        for kind in MeetingKind:
            box = QCheckBox(kind.short_label)
            box.setToolTip(f"这次会议同时计为一次{kind.label}")
            self.also_boxes[kind] = box
            also_row.addWidget(box)
        also_row.addStretch(1)

        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy年M月d日 ddd")
        self.date_edit.setDateRange(_EARLIEST, QDate(self.today).addYears(3))
        self.date_edit.setMinimumWidth(170)
        self.start_edit = self._time_edit()
        self.end_edit = self._time_edit()
        times = QHBoxLayout()
        times.setSpacing(6)
        times.addWidget(self.start_edit)
        times.addWidget(QLabel("至"))
        times.addWidget(self.end_edit)
        times.addStretch(1)
        self.status_combo = QComboBox()
        for status in MeetingStatus:
            self.status_combo.addItem(status.label, status.value)
        self.status_combo.setMinimumWidth(120)

        self.place_combo = QComboBox()
        self.place_combo.setEditable(True)
        self.place_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for place in dict.fromkeys(s.place for s in self._summaries if s.place):
            self.place_combo.addItem(place)
        self.place_combo.lineEdit().setPlaceholderText("会议地点")
        self.group_label = form_label("党小组")
        self.group_combo = QComboBox()
        self.group_combo.setPlaceholderText("请选择党小组")
        for group in self._groups:
            self.group_combo.addItem(group.name, group.id)
        self.group_combo.setMinimumWidth(150)

        self.host_combo = PersonCombo(roster_now)
        self.recorder_combo = PersonCombo(roster_now)
        self.lecturer_label = form_label("授课人")
        self.lecturer_combo = PersonCombo(roster_now)
        self.lecture_title_label = form_label("党课题目")
        self.lecture_title_edit = QLineEdit()
        self.lecture_title_edit.setPlaceholderText("党课题目")

        self._messages = {
            name: FieldMessage() for name in ("类型", "党小组", "日期", "时间", "长度")
        }

        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        form.addWidget(form_label("类型"), 0, 0)
        form.addWidget(self.kind_combo, 0, 1)
        form.addWidget(form_label("主题"), 0, 2)
        form.addWidget(self.title_edit, 0, 3, 1, 3)
        form.addWidget(form_label("同时计为"), 1, 0)
        form.addLayout(also_row, 1, 1, 1, 5)
        form.addWidget(self._messages["类型"], 2, 1, 1, 5)
        form.addWidget(form_label("日期"), 3, 0)
        form.addWidget(self.date_edit, 3, 1)
        form.addWidget(form_label("时间"), 3, 2)
        form.addLayout(times, 3, 3)
        form.addWidget(form_label("状态"), 3, 4)
        form.addWidget(self.status_combo, 3, 5)
        self.duplicate_message = FieldMessage()
        form.addWidget(self._messages["日期"], 4, 1, 1, 5)
        form.addWidget(self._messages["时间"], 5, 1, 1, 5)
        form.addWidget(self.duplicate_message, 6, 1, 1, 5)
        form.addWidget(form_label("地点"), 7, 0)
        form.addWidget(self.place_combo, 7, 1, 1, 3)
        form.addWidget(self.group_label, 7, 4)
        form.addWidget(self.group_combo, 7, 5)
        form.addWidget(self._messages["党小组"], 8, 1, 1, 5)
        form.addWidget(form_label("主持人"), 9, 0)
        form.addWidget(self.host_combo, 9, 1)
        form.addWidget(form_label("记录人"), 9, 2)
        form.addWidget(self.recorder_combo, 9, 3)
        form.addWidget(self.lecturer_label, 10, 0)
        form.addWidget(self.lecturer_combo, 10, 1)
        form.addWidget(self.lecture_title_label, 10, 2)
        form.addWidget(self.lecture_title_edit, 10, 3, 1, 3)
        form.addWidget(self._messages["长度"], 11, 1, 1, 5)  # a text over its length limit

        self.tabs = QTabWidget()
        self.attendance = AttendancePanel()
        self.attendance.member_record_requested.connect(self._on_member_record_requested)
        self.attendance_messages = {name: FieldMessage() for name in ("出勤", "补学")}
        attendance_page = QWidget()
        attendance_layout = QVBoxLayout(attendance_page)
        attendance_layout.setContentsMargins(0, 0, 0, 0)
        attendance_layout.setSpacing(2)
        self.planned_note = QLabel(
            "这是计划召开的会议：开完会后把状态改为“已召开”，再登记请假、缺席。"
        )
        self.planned_note.setStyleSheet(theme.PLANNED_NOTE)
        self.planned_note.hide()
        attendance_layout.addWidget(self.planned_note)
        # Beside the counts, not on a line of its own: the editor must fit 1366x768 at 150%.
        self.quorum_label = QLabel()
        self.quorum_label.setObjectName("quorumLine")
        self.quorum_label.setContentsMargins(18, 0, 0, 0)
        self.quorum_label.setWordWrap(True)  # the longer 无效 line wraps rather than widen
        self.quorum_label.hide()
        self.attendance.counts_row.insertWidget(1, self.quorum_label, 10)
        attendance_layout.addWidget(self.attendance, 1)
        for message in self.attendance_messages.values():
            attendance_layout.addWidget(message)
        self.topics_edit = MinutesEdit()
        self.topics_edit.setPlaceholderText(
            "每行一个议题，如：\n学习《中国共产党章程》第一章\n研究本月志愿服务安排"
        )
        self.minutes_edit = MinutesEdit()
        self.minutes_edit.setPlaceholderText(
            "会议过程和发言要点。可以从 Word 或 WPS 中复制后直接粘贴（Ctrl+V），分段会保留。"
        )
        self.resolutions_edit = MinutesEdit()
        self.resolutions_edit.setPlaceholderText("会议议定的事项；没有可不填")
        self.nonvoting_edit = MinutesEdit()
        self.nonvoting_edit.setPlaceholderText("列席会议、不参加表决的人员，如：街道联络员 王某某")
        self.tabs.addTab(attendance_page, _TABS[0])
        self.tabs.addTab(self._text_page(self.topics_edit), _TABS[1])
        self.tabs.addTab(self._text_page(self.minutes_edit), _TABS[2])
        self.votes_panel = VotesPanel()
        self.votes_panel.votes_changed.connect(self._on_votes_panel_votes_changed)
        self.vote_message = FieldMessage()
        resolutions_page = self._text_page(self.resolutions_edit)
        resolutions_layout = resolutions_page.layout()
        assert isinstance(resolutions_layout, QVBoxLayout)
        resolutions_layout.addWidget(self.votes_panel)
        resolutions_layout.addWidget(self.vote_message)
        self.tabs.addTab(resolutions_page, _TABS[3])
        self.tabs.addTab(self._text_page(self.nonvoting_edit), _TABS[4])
        self.tabs.addTab(self._attachments_page(), _TABS[5])
        self._tab_focus: list[QWidget] = [
            self.attendance.grid,
            self.topics_edit,
            self.minutes_edit,
            self.resolutions_edit,
            self.nonvoting_edit,
            self.attachment_list,
        ]
        for index in range(self.tabs.count()):
            self.tabs.setTabToolTip(index, f"{_TABS[index]}（Ctrl+{index + 1}）")
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _c=False, i=index: self.show_tab(i))
            self.addAction(action)

        self.summary = QLabel()
        self.summary.setStyleSheet(theme.ERROR_TEXT)
        self.summary.setWordWrap(True)
        keys = QLabel("Ctrl+S 保存　Ctrl+1～7 切换到下方各页")
        keys.setStyleSheet(theme.MUTED_TEXT)
        self.cancel_button = QPushButton("取消")
        self.save_button = QPushButton("保存")
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setStyleSheet(theme.primary_button("6px 22px", bold=True))
        for button in (self.cancel_button, self.save_button):
            button.setAutoDefault(False)  # Enter in a field must never save half a meeting
            button.setDefault(False)
            button.setMinimumWidth(96)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        save_action = QAction("保存", self)
        save_action.setShortcut(QKeySequence.StandardKey.Save)
        save_action.triggered.connect(self.save)
        self.addAction(save_action)
        if self.context.read_only:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip("数据为只读")
            save_action.setEnabled(False)
            self.add_attachment_button.setEnabled(False)
            self.add_attachment_button.setToolTip("数据为只读")
        self.history_button = QPushButton("修改记录")
        self.history_button.setAutoDefault(False)
        self.history_button.setToolTip("查看这次会议的每次修改，可恢复旧的内容")
        self.history_button.setVisible(self._meeting.id is not None)
        self.history_button.clicked.connect(self._on_history_button_clicked)
        self.print_button = QToolButton()
        self.print_button.setText("打印…")
        self.print_button.setToolTip("签到表、会议记录：预览、打印或另存为 PDF（含尚未保存的修改）")
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_button.setMenu(print_menu(self, self.context, self._collect))
        bottom = QHBoxLayout()
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.history_button)
        bottom.addWidget(keys)
        bottom.addSpacing(12)
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.save_button)

        # On a small screen the form and the tabs scroll; the 保存 row stays in view, and
        # the attendance list keeps room for several members.
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 8, 0)
        content_layout.setSpacing(10)
        content_layout.addWidget(self._plan_bar())
        content_layout.addLayout(form)
        content_layout.addWidget(self.tabs, 1)
        show_rows(self.attendance.grid, 5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(scrolling(content, horizontal=True), 1)
        layout.addLayout(bottom)

        chain: list[QWidget] = [
            self.kind_combo,
            self.title_edit,
            *self.also_boxes.values(),
            self.date_edit,
            self.start_edit,
            self.end_edit,
            self.status_combo,
            self.place_combo,
            self.group_combo,
            self.host_combo,
            self.recorder_combo,
            self.lecturer_combo,
            self.lecture_title_edit,
            self.tabs,
            self.attendance.grid,
            self.cancel_button,
            self.save_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        for box in self.also_boxes.values():
            box.toggled.connect(self._on_kinds_changed)
        self.group_combo.currentIndexChanged.connect(self._on_kinds_changed)
        self.date_edit.dateChanged.connect(self._on_date_edit_changed)
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_changed)
        self.start_edit.timeChanged.connect(self._validate)
        self.end_edit.timeChanged.connect(self._validate)
        self.attendance.model.counts_changed.connect(self._on_attendance_counts_changed)

    def _plan_bar(self) -> QFrame:
        """The offer to record a plan (计划) of this kind and period instead of a new meeting."""
        bar = self.plan_bar = QFrame()
        bar.setObjectName("undoBar")  # the same quiet notice bar as the lists' 撤销
        bar.setStyleSheet(theme.UNDO_BAR)
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        self.use_plan_button = QPushButton("按计划填写")
        self.use_plan_button.setToolTip("填入计划的日期、地点、议题等；保存后计划即成为这次会议的记录")
        self.use_plan_button.clicked.connect(self._on_use_plan_button_clicked)
        self.decline_plan_button = QPushButton("不是这次")
        self.decline_plan_button.setToolTip("另记一次会议，计划保留")
        self.decline_plan_button.clicked.connect(self._on_decline_plan_button_clicked)
        for button in (self.use_plan_button, self.decline_plan_button):
            button.setAutoDefault(False)
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 4, 6, 4)
        row.addWidget(self.plan_label, 1)
        row.addWidget(self.use_plan_button)
        row.addWidget(self.decline_plan_button)
        bar.hide()
        return bar

    def _offer_plan(self, meeting: Meeting) -> None:
        """Offer the plan this new held meeting may carry out (same kind, group and period)."""
        plan = None
        if (
            self._meeting.id is None
            and self.plan_id is None
            and meeting.status is MeetingStatus.HELD
            and not self.context.read_only
        ):
            plan = plan_to_record(
                [s for s in self._summaries if s.id not in self._declined],
                self._primary(),
                meeting.group_id,
                meeting.day,
                self._requirements,
            )
        self._offered = plan
        if plan is not None:
            title = f"“{plan.title}”" if plan.title else ""
            self.plan_label.setText(
                f"已有计划：{day_text(plan.day)}的{plan.kind_label}{title}。"
                "如果就是这次会议，可按计划填写，保存后计划即成为这次的记录。"
            )
        self.plan_bar.setVisible(plan is not None)

    def use_plan(self, plan_id: int) -> None:
        """Fill the form from the plan (date, time, place, topics ...) and record it as held.

        A plan dated later than today keeps the date chosen here: it was held earlier.
        """
        plan = self.repo.get(plan_id)
        day = plan.day if plan.day <= self.today else self._day()
        self._loading = True
        self._load(replace(plan, id=None, status=MeetingStatus.HELD, day=day))
        self._loading = False
        self.plan_id = plan_id
        self._offered = None
        self.plan_bar.hide()
        self._update_title()
        self._validate()

    @Slot()
    def _on_use_plan_button_clicked(self) -> None:
        if self._offered is not None:
            self.use_plan(self._offered.id)

    @Slot()
    def _on_decline_plan_button_clicked(self) -> None:
        if self._offered is not None:
            self._declined.add(self._offered.id)
        self._validate()

    @staticmethod
    def _time_edit() -> QTimeEdit:
        edit = QTimeEdit()
        edit.setDisplayFormat("HH:mm")
        edit.setMinimumTime(QTime(0, 0))
        edit.setSpecialValueText("未填")  # 00:00 stands for "no time given"
        edit.setMinimumWidth(84)
        return edit

    @staticmethod
    def _text_page(editor: QPlainTextEdit) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        editor.setTabChangesFocus(True)
        layout.addWidget(editor)
        return page

    def _attachments_page(self) -> QWidget:
        panel = AttachmentsPanel(
            self.context,
            thumb=_THUMB,
            add_text="添加附件…",
            dialog_title="添加附件",
            note="照片和文件会复制到数据文件夹中保存；双击用系统程序打开。照片不是必需的。",
        )
        panel.attachments_changed.connect(self._on_attachments_panel_attachments_changed)
        return self._use_attachments_panel(panel)

    # -- loading and reading the form -------------------------------------------------------

    def _load(self, meeting: Meeting) -> None:
        primary = primary_kind(meeting.kinds)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(primary.value))
        for kind, box in self.also_boxes.items():
            box.setChecked(kind in meeting.kinds and kind is not primary)
        self._show_kind_fields()
        self.title_edit.setText(meeting.title)
        day = QDate(meeting.day)  # a stored date outside the range is shown, not clamped
        edit = self.date_edit
        edit.setDateRange(min(day, edit.minimumDate()), max(day, edit.maximumDate()))
        edit.setDate(day)
        self.start_edit.setTime(QTime(meeting.start) if meeting.start else QTime(0, 0))
        self.end_edit.setTime(QTime(meeting.end) if meeting.end else QTime(0, 0))
        self.status_combo.setCurrentIndex(self.status_combo.findData(meeting.status.value))
        self.place_combo.setEditText(meeting.place)
        row = self.group_combo.findData(meeting.group_id) if meeting.group_id is not None else -1
        self.group_combo.setCurrentIndex(row)
        self.host_combo.set_person(meeting.host)
        self.recorder_combo.set_person(meeting.recorder)
        self.lecturer_combo.set_person(meeting.lecturer)
        self.lecture_title_edit.setText(meeting.lecture_title)
        self.topics_edit.setPlainText("\n".join(meeting.topics))
        self.minutes_edit.setPlainText(meeting.minutes)
        self.resolutions_edit.setPlainText(meeting.resolutions)
        self.nonvoting_edit.setPlainText(meeting.nonvoting)
        self.votes_panel.set_votes(meeting.votes)
        for attachment in meeting.attachments:
            self.attachments_panel.add_item(attachment)
        if self._stored_held:
            # What was recorded stays as recorded, whatever happened to the roster since.
            self.attendance.set_rows(meeting.attendance)
        else:
            self.attendance.set_rows(self._expected_rows(meeting.attendance))
        self._update_attachment_tab()
        self._update_status_note()

    def _primary(self) -> MeetingKind:
        return MeetingKind(self.kind_combo.currentData())

    def _status(self) -> MeetingStatus:
        return MeetingStatus(self.status_combo.currentData())

    def _kinds(self) -> list[MeetingKind]:
        primary = self._primary()
        return [primary] + [
            kind for kind, box in self.also_boxes.items() if box.isChecked() and kind is not primary
        ]

    def _day(self) -> dt.date:
        date = self.date_edit.date()
        return dt.date(date.year(), date.month(), date.day())

    @staticmethod
    def _time(edit: QTimeEdit) -> dt.time | None:
        value = edit.time()
        return None if value == edit.minimumTime() else dt.time(value.hour(), value.minute())

    def _group_id(self) -> int | None:
        if not any(k.spec.group for k in self._kinds()) or self.group_combo.currentIndex() < 0:
            return None
        return self.group_combo.currentData()

    def _collect(self) -> Meeting:
        kinds = self._kinds()
        lecture = any(k.spec.lecturer for k in kinds)
        group_id = self._group_id()
        return Meeting(
            kinds=kinds,
            day=self._day(),
            id=self._meeting.id,
            status=self._status(),
            start=self._time(self.start_edit),
            end=self._time(self.end_edit),
            place=self.place_combo.currentText().strip(),
            title=self.title_edit.text().strip(),
            host=self.host_combo.person(),
            recorder=self.recorder_combo.person(),
            lecturer=self.lecturer_combo.person() if lecture else Person(),
            lecture_title=self.lecture_title_edit.text().strip() if lecture else "",
            group_id=group_id,
            group_name=self.group_combo.currentText() if group_id is not None else "",
            topics=[t.strip() for t in self.topics_edit.toPlainText().splitlines() if t.strip()],
            minutes=self.minutes_edit.toPlainText().strip(),
            resolutions=self.resolutions_edit.toPlainText().strip(),
            nonvoting=self.nonvoting_edit.toPlainText().strip(),
            attendance=self.attendance.rows(),
            attachments=self.attachments_panel.attachments(),
            votes=self.votes_panel.votes() if MeetingKind.GENERAL in kinds else [],
        )

    def is_dirty(self) -> bool:
        return self._collect() != self._initial

    # -- the expected list -------------------------------------------------------------------

    def _expected_rows(self, previous: list[Attendance]) -> list[Attendance]:
        kinds = self._kinds()
        group_id = self._group_id()
        if audience_for(kinds) is Audience.GROUP and group_id is None:
            return []  # nobody is expected until the group is chosen
        expected = expected_members(self._members, kinds, self._day(), group_id)
        return build_attendance(expected, previous)

    def _refresh_expected(self) -> None:
        current = self.attendance.rows()
        rows = self._expected_rows(current)
        if [r.member_id for r in rows] == [r.member_id for r in current]:
            return
        if self._stored_held:
            if self._keep_snapshot:
                return
            if not msgbox.confirm(
                self,
                "重新生成应到名单",
                "这次会议已召开，出勤名单是当时登记的。\n"
                f"按新的类型、党小组或日期，应到人数将从 {len(current)} 人变为 {len(rows)} 人；"
                "已标记的请假、缺席会保留。\n\n要重新生成应到名单吗？",
                yes="重新生成",
            ):
                self._keep_snapshot = True
                return
        self.attendance.set_rows(rows)

    # -- reacting to the form --------------------------------------------------------------------

    def _show_kind_fields(self) -> None:
        primary = self._primary()
        for kind, box in self.also_boxes.items():
            box.setVisible(kind is not primary)
        kinds = self._kinds()
        lecture = any(k.spec.lecturer for k in kinds)
        for widget in (
            self.lecturer_label,
            self.lecturer_combo,
            self.lecture_title_label,
            self.lecture_title_edit,
        ):
            widget.setVisible(lecture)
        group = any(k.spec.group for k in kinds)
        self.group_label.setVisible(group)
        self.group_combo.setVisible(group)
        self.votes_panel.setVisible(MeetingKind.GENERAL in kinds)

    @Slot(int)
    def _on_kind_combo_changed(self, _index: int) -> None:
        primary = self._primary()
        self.also_boxes[primary].blockSignals(True)
        self.also_boxes[primary].setChecked(False)
        self.also_boxes[primary].blockSignals(False)
        self._on_kinds_changed()

    @Slot()
    def _on_kinds_changed(self) -> None:
        if self._loading:
            return
        self._show_kind_fields()
        self._refresh_expected()
        self._update_title()
        self._validate()

    @Slot()
    def _on_audience_changed(self) -> None:
        if self._loading:
            return
        self._refresh_expected()
        self._validate()

    @Slot(QDate)
    def _on_date_edit_changed(self, _date: QDate) -> None:
        if self._loading:
            return
        self._date_timer.start()  # typing 2025年3月10日 changes the date at every digit
        self._validate()

    @Slot(int)
    def _on_status_combo_changed(self, _index: int) -> None:
        if self._loading:
            return
        self._update_status_note()
        self._validate()

    def _update_status_note(self) -> None:
        planned = self._status() is MeetingStatus.PLANNED
        self.planned_note.setVisible(planned)

    def _update_title(self) -> None:
        kinds = "、".join(k.short_label for k in self._kinds())
        if self._meeting.id is not None:
            self.setWindowTitle(f"编辑会议 — {kinds}")
        elif self._status() is MeetingStatus.PLANNED:
            self.setWindowTitle(f"计划会议 — {kinds}")
        else:
            self.setWindowTitle(f"记录会议 — {kinds}")

    @Slot()
    def _validate(self) -> list[tuple[str, str]]:
        """Show problems next to their fields; before the first save only the date and time."""
        if self._loading:
            return []
        meeting = self._collect()
        quorum = self.quorum(meeting)
        self._show_quorum(meeting, quorum)
        problems = (
            check_meeting(meeting, today=self.today)
            + meeting_text_problems(meeting)
            + vote_problems(meeting, quorum)
        )
        messages = {**self._messages, **self.attendance_messages, "表决": self.vote_message}
        by_field: dict[str, list[str]] = {}
        for name, text in problems:
            place = name if name in messages else "长度"
            # Before the first save only what is plainly wrong, not what is still empty.
            if self._tried_save or place in ("日期", "时间", "长度"):
                by_field.setdefault(place, []).append(text)
        for name, message in messages.items():
            if name in by_field:
                message.show_error("；".join(by_field[name]))
            else:
                message.clear_message()
        if self._tried_save and problems:
            self.summary.setText(f"有 {len(problems)} 处需要改正，见标红的说明")
        else:
            self.summary.clear()
        self._show_duplicates(meeting)
        self._offer_plan(meeting)
        return problems

    def quorum(self, meeting: Meeting | None = None) -> Quorum | None:
        """The quorum of the meeting as the form stands (None: no such rule applies)."""
        meeting = meeting or self._collect()
        by_id = {m.id: m for m in self._members if m.id is not None}
        size = sum(m.in_roster_on(meeting.day) for m in self._members)
        return quorum_of(meeting, by_id, branch_size=size)

    def _show_quorum(self, meeting: Meeting, quorum: Quorum | None) -> None:
        """The quorum line above the attendance: 应到 / 实到 of those who count, 有效/无效."""
        self.votes_panel.set_due(
            quorum.due if quorum and quorum.kind is QuorumKind.GENERAL else None
        )
        if quorum is None:
            self.quorum_label.hide()
            return
        if meeting.status is MeetingStatus.PLANNED:
            who = "有表决权党员" if quorum.kind is QuorumKind.GENERAL else "支委"
            self.quorum_label.setText(
                f"应到{who} {quorum.due} 人：开会时须有 {quorum.needed} 人以上出席，会议方为有效"
            )
            self.quorum_label.setStyleSheet(theme.MUTED_TEXT)
        else:
            self.quorum_label.setText(quorum.describe())
            self.quorum_label.setStyleSheet(
                theme.QUORUM_VALID if quorum.valid else theme.QUORUM_INVALID
            )
        self.quorum_label.show()

    @Slot()
    def _on_attendance_counts_changed(self) -> None:
        self._validate()

    @Slot()
    def _on_votes_panel_votes_changed(self) -> None:
        self._validate()

    def _show_duplicates(self, meeting: Meeting) -> None:
        others = [
            s
            for s in self._summaries
            if s.day == meeting.day
            and s.id not in (meeting.id, self.plan_id)
            and set(s.kinds) & set(meeting.kinds)
            and s.group_id == meeting.group_id
        ]
        if others:
            other = others[0]
            self.duplicate_message.show_warning(
                f"同一天已有一次{other.kind_label}“{other.title or '（无主题）'}”，请确认不是重复登记"
            )
        else:
            self.duplicate_message.clear_message()

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self._tab_focus[index].setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- saving ------------------------------------------------------------------------------------

    @Slot()
    def save(self) -> bool:
        """Check the form, warn about a same-day duplicate, write the meeting; True if saved.

        A storage failure (disk full, read-only, a reported period) is told and the editor
        stays open with everything typed.
        """
        if self.context.read_only:
            return False
        if self._date_timer.isActive():
            self._date_timer.stop()
            self._on_audience_changed()
        self._tried_save = True
        problems = self._validate()
        if problems:
            first = problems[0][0]
            focus = {
                "类型": self.kind_combo,
                "党小组": self.group_combo,
                "日期": self.date_edit,
                "时间": self.start_edit,
                "主题": self.title_edit,
                "地点": self.place_combo,
                "主持人": self.host_combo,
                "记录人": self.recorder_combo,
                "授课人": self.lecturer_combo,
                "党课题目": self.lecture_title_edit,
            }.get(first)
            if first == "表决":
                self.show_tab(_TABS.index("决议"))
            elif focus is None:
                self.show_tab(_TABS.index(first) if first in _TABS else 0)
            else:
                focus.setFocus()
            return False
        meeting = self._collect()
        if not self._dates_confirmed(meeting):
            return False
        if not self._plan_decided(meeting):
            return False
        if not self._quorum_confirmed(meeting):
            return False
        duplicates = [
            d for d in self.repo.same_day_duplicates(meeting) if d.id != self.plan_id
        ]
        if duplicates:
            other = duplicates[0]
            if not msgbox.confirm(
                self,
                "同一天已有同类会议",
                f"{day_text(meeting.day, 'yyyy年M月d日')}已经登记了一次{other.kind_label}"
                f"“{other.title or '（无主题）'}”。\n\n确定这不是重复登记，仍要保存吗？",
                yes="仍然保存",
            ):
                return False
        plan_id = self.plan_id
        if plan_id is not None:  # the plan becomes this record: one meeting, not two
            result = run_op(self, self.context,
                            lambda s: ops.record_planned_meeting(s, plan_id, meeting),
                            failed_title="保存失败")  # fmt: skip
            if result is not None:
                meeting = replace(meeting, id=plan_id)
        else:
            write = ops.add_meeting if meeting.id is None else ops.update_meeting
            result = run_op(self, self.context, lambda s: write(s, meeting),
                            failed_title="保存失败")  # fmt: skip
        if result is None:
            return False  # told; the editor stays open with everything typed
        self.attachments_panel.added = []
        self.saved_meeting = meeting
        self._save_geometry()
        self.accept()
        return True

    def _quorum_confirmed(self, meeting: Meeting) -> bool:
        """Ask before saving a held meeting without a quorum: its decisions do not stand."""
        quorum = self.quorum(meeting)
        if quorum is None or quorum.valid or meeting.status is MeetingStatus.PLANNED:
            return True
        kind = "支部党员大会" if quorum.kind is QuorumKind.GENERAL else "支部委员会会议"
        if msgbox.confirm(
            self,
            "会议无效",
            f"{quorum.describe()}。\n\n到会人数未超过半数的{kind}不能作出决定。"
            "请核对出勤名单；确实如此的，仍可保存这次会议的记录，记录上会注明“会议无效”。"
            "\n\n仍要保存吗？",
            yes="仍然保存",
        ):
            return True
        self.show_tab(0)
        return False

    def _plan_decided(self, meeting: Meeting) -> bool:
        """With a plan still offered, ask whether this record replaces it; False to go back."""
        plan = self._offered
        if plan is None or not self.plan_bar.isVisible():
            return True
        answer = msgbox.choose(
            self,
            "已有计划",
            f"{day_text(plan.day)}计划召开的{plan.kind_label}“{plan.title or '（无主题）'}”"
            "就是这次会议吗？\n\n是：计划成为这次会议的记录，不再单独列出。\n"
            "否：另记一次会议，计划保留。",
            ["是，代替计划", "否，另记一次", "返回修改"],
        )
        if answer == 0:
            self.plan_id = plan.id
        elif answer == 1:
            self._declined.add(plan.id)
        return answer in (0, 1)

    def _dates_confirmed(self, meeting: Meeting) -> bool:
        """Ask before saving a date before 1921-07-01 or more than a year from today."""
        days = [("会议日期", meeting.day)] + [
            (f"{row.name}的补学日期", row.makeup.day)
            for row in meeting.attendance
            if row.makeup.day is not None
        ]
        for index, (label, day) in enumerate(days):
            problem = record_date_problem(
                day, today=self.today, show=lambda d: day_text(d, "yyyy年M月d日")
            )
            if problem and not msgbox.confirm(
                self, "日期可能有误", f"{label} {problem}。\n\n仍要保存吗？", yes="仍然保存"
            ):
                if index == 0:
                    self.date_edit.setFocus()
                else:
                    self.show_tab(0)
                return False
        return True

    @Slot(int)
    def _on_member_record_requested(self, member_id: int) -> None:
        from branchdesk.ui.pages.member_record_view import MemberRecordDialog

        MemberRecordDialog.open_for(self, self.context, member_id, year=self._day().year)

    def _record_id(self) -> int | None:
        return self._meeting.id

    def _took_restored(self, record_id: int) -> None:
        self.saved_meeting = self.repo.get(record_id)

    # -- attachments -------------------------------------------------------------------------------

    def _update_attachment_tab(self) -> None:
        count = self.attachment_list.count()
        self.tabs.setTabText(5, f"附件（{count}）" if count else "附件")

    @Slot()
    def _on_attachments_panel_attachments_changed(self) -> None:
        self._update_attachment_tab()


def meeting_for_duplicate(context: AppContext, meeting_id: int, today: dt.date) -> Meeting:
    """The template of 复制为新计划: the meeting's settings on its next usual day."""
    repo = MeetingRepo(context.db)
    meeting = repo.get(meeting_id)
    same_kind = repo.summaries(MeetingFilter(kind=primary_kind(meeting.kinds)))
    usual = same_kind[0].day if same_kind else meeting.day
    return planned_copy(meeting, next_usual_day(usual, today))
