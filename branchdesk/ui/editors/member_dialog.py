"""The form for adding or editing one member, with validation shown next to each field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Gender, JoinHow, Member, MemberStatus, Role
from branchdesk.domain.validation import (
    Issue,
    Severity,
    check_member,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_text,
    parse_id_number,
)
from branchdesk.ui import msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import run_op
from branchdesk.ui.screen_fit import fit_window, scrolling
from branchdesk.ui.widgets import DateEdit, FieldMessage, heading

log = logging.getLogger(__name__)

# 汉族 first, then the most populous of the 55 minorities; the combo stays editable.
ETHNICITIES = [
    "汉族", "壮族", "回族", "满族", "维吾尔族", "苗族", "彝族", "土家族", "藏族", "蒙古族",
    "侗族", "布依族", "瑶族", "白族", "朝鲜族", "哈尼族", "黎族", "哈萨克族", "傣族", "畲族",
]  # fmt: skip
EDUCATIONS = ["研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"]
NO_GROUP_TEXT = "（不分党小组）"


class MemberDialog(QDialog):
    """Add a member (``member=None``) or edit one; saving writes through ``MemberRepo``."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, member: Member | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.original = member
        self.saved_member: Member | None = None
        self._show_empty_name = False
        self.setWindowTitle("编辑党员信息" if member else "添加党员")
        self._messages: dict[str, FieldMessage] = {}
        self._inputs: dict[str, QWidget] = {}
        self._build()
        self._load(member)
        self._initial = self._snapshot()
        self._connect()
        self.name_edit.setFocus()
        fit_window(self, 900, 680)

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(60)
        self.id_edit = QLineEdit()
        self.id_edit.setMaxLength(24)
        self.id_edit.setPlaceholderText("18 位，填写后自动带出出生日期和性别")
        self.gender_combo = QComboBox()
        self.gender_combo.addItem("", None)
        for gender in Gender:
            self.gender_combo.addItem(gender.label, gender.value)
        self.birth_edit = DateEdit()
        self.ethnicity_combo = QComboBox()
        self.ethnicity_combo.setEditable(True)
        self.ethnicity_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.ethnicity_combo.addItems(ETHNICITIES)
        self.education_combo = QComboBox()
        self.education_combo.addItem("")
        self.education_combo.addItems(EDUCATIONS)
        self.phone_edit = QLineEdit()
        self.phone_edit.setMaxLength(30)
        self.phone_edit.setPlaceholderText("手机或座机，如 13812345678")
        self.join_edit = DateEdit()
        self.full_edit = DateEdit()
        self.full_edit.setPlaceholderText("预备党员不填")
        self.category_combo = QComboBox()
        for category in Category:
            self.category_combo.addItem(f"{category.label}党员", category.value)
        self.group_combo = QComboBox()
        self.group_combo.addItem(NO_GROUP_TEXT, None)
        for group in self.context.groups.list():
            self.group_combo.addItem(group.name, group.id)
        self.workplace_edit = QLineEdit()
        self.workplace_edit.setMaxLength(100)
        self.role_boxes: dict[Role, QCheckBox] = {role: QCheckBox(role.label) for role in Role}
        roles = QWidget()
        roles_layout = QGridLayout(roles)
        roles_layout.setContentsMargins(0, 2, 0, 2)
        roles_layout.setHorizontalSpacing(14)
        for i, box in enumerate(self.role_boxes.values()):
            roles_layout.addWidget(box, i // 3, i % 3)
        # 加入本支部: how and when the member came into the branch (what returns count)
        self.join_how_combo = QComboBox()
        self.join_how_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.join_how_combo.setMinimumContentsLength(5)
        self.join_how_combo.addItem("（未填）", None)
        for how in JoinHow:
            self.join_how_combo.addItem(how.label, how.value)
        self.branch_join_edit = DateEdit()
        self.branch_join_edit.setPlaceholderText("原有党员不填")
        branch_join = QWidget()
        branch_join_layout = QHBoxLayout(branch_join)
        branch_join_layout.setContentsMargins(0, 0, 0, 0)
        branch_join_layout.addWidget(self.join_how_combo)
        branch_join_layout.addWidget(self.branch_join_edit, 1)
        self.branch_join_row = branch_join
        # the day a change of group or roles holds from (an edited member only)
        self.effective_edit = DateEdit()
        self.effective_edit.set_value(PartialDate.of(dt.date.today()))
        self.effective_edit.setToolTip(
            "党小组、支委职务的变动自这一天起生效；此前的报表、签到名单不变"
        )
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)  # Tab leaves the box; Enter is a new line
        self.notes_edit.setFixedHeight(72)

        left = QGridLayout()
        right = QGridLayout()
        for grid in (left, right):
            grid.setHorizontalSpacing(10)
            grid.setVerticalSpacing(5)
            grid.setColumnStretch(1, 1)
        self._row = {id(left): 0, id(right): 0}
        self._field(left, "姓名", self.name_edit, required=True)
        self._field(left, "身份证号", self.id_edit)
        self._field(left, "性别", self.gender_combo)
        self._field(left, "出生日期", self.birth_edit)
        self._field(left, "民族", self.ethnicity_combo)
        self._field(left, "学历", self.education_combo)
        self._field(left, "联系电话", self.phone_edit)
        self._field(left, "加入本支部", branch_join)
        self._field(right, "入党时间", self.join_edit)
        self._field(right, "转正时间", self.full_edit)
        self._field(right, "党员类别", self.category_combo)
        self._field(right, "党小组", self.group_combo)
        self._field(right, "工作单位及职务", self.workplace_edit)
        self._field(right, "支委职务", roles)
        self._edits_stored = self.original is not None and self.original.id is not None
        if self._edits_stored:
            self._field(right, "变动生效日期", self.effective_edit)
        left.setRowStretch(self._row[id(left)], 1)
        right.setRowStretch(self._row[id(right)], 1)

        columns = QHBoxLayout()
        columns.setSpacing(28)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        notes_row = QGridLayout()
        notes_row.setHorizontalSpacing(10)
        notes_label = QLabel("备注")
        notes_label.setMinimumWidth(self._caption_width())
        notes_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        notes_row.addWidget(notes_label, 0, 0)
        notes_row.addWidget(self.notes_edit, 0, 1)
        notes_label.setBuddy(self.notes_edit)

        self.summary = QLabel()
        self.summary.setStyleSheet(theme.ERROR_TEXT)
        self.save_button = QPushButton("保存")
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.setMinimumWidth(96)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setMinimumWidth(96)
        self.history_button = QPushButton("修改记录")
        self.history_button.setToolTip("查看这名党员信息的每次修改，可恢复旧的内容")
        self.history_button.setVisible(self.original is not None and self.original.id is not None)
        for button in (self.save_button, self.cancel_button, self.history_button):
            button.setAutoDefault(False)  # Enter moves between fields; it never saves by accident
        buttons = QHBoxLayout()
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        title = "编辑党员信息" if self.original else "添加党员"
        self.status_note = QLabel()
        self.status_note.setStyleSheet(theme.MUTED_TEXT)
        self.status_note.hide()
        content = QWidget()  # scrolls on a small screen; the 保存 row stays in view
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 8, 0)
        content_layout.setSpacing(10)
        content_layout.addWidget(heading(title))
        content_layout.addWidget(self.status_note)
        content_layout.addLayout(columns)
        content_layout.addLayout(notes_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(14)
        layout.addWidget(scrolling(content, horizontal=True), 1)
        layout.addLayout(buttons)

        order = [
            self.name_edit, self.id_edit, self.gender_combo, self.birth_edit,
            self.ethnicity_combo, self.education_combo, self.phone_edit,
            self.join_how_combo, self.branch_join_edit, self.join_edit,
            self.full_edit, self.category_combo, self.group_combo, self.workplace_edit,
            *self.role_boxes.values(), self.effective_edit, self.notes_edit,
            self.save_button, self.cancel_button,
        ]  # fmt: skip
        if not self._edits_stored:  # a new member: nothing changes "from a day"
            order.remove(self.effective_edit)
            self.effective_edit.setParent(self)
            self.effective_edit.hide()
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

        save_action = QAction("保存", self)
        save_action.setShortcut(QKeySequence("Ctrl+S"))
        save_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        save_action.triggered.connect(self._on_save_triggered)
        self.addAction(save_action)
        self.save_action = save_action
        if self.context.read_only:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip("数据为只读")
            save_action.setEnabled(False)

    def _field(self, grid: QGridLayout, label: str, widget: QWidget, required: bool = False) -> None:
        row = self._row[id(grid)]
        caption = QLabel(f"{label}{'＊' if required else ''}")
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        caption.setMinimumWidth(self._caption_width())
        caption.setBuddy(widget)
        message = FieldMessage()
        grid.addWidget(caption, row, 0)
        grid.addWidget(widget, row, 1)
        grid.addWidget(message, row + 1, 1)
        grid.setRowMinimumHeight(row + 1, 8)
        self._row[id(grid)] = row + 2
        self._messages[label] = message
        self._inputs[label] = widget

    def _caption_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("身份证号＊") + 4

    def _connect(self) -> None:
        self.name_edit.editingFinished.connect(self._on_name_edit_editing_finished)
        self.id_edit.editingFinished.connect(self._on_id_edit_editing_finished)
        self.phone_edit.editingFinished.connect(self._on_phone_edit_editing_finished)
        for edit in (self.birth_edit, self.join_edit, self.full_edit, self.branch_join_edit,
                     self.effective_edit):  # fmt: skip
            edit.date_changed.connect(self._on_field_changed)
        for combo in (self.gender_combo, self.category_combo, self.education_combo,
                      self.join_how_combo):  # fmt: skip
            combo.currentIndexChanged.connect(self._on_field_changed)
        self.save_button.clicked.connect(self._on_save_triggered)
        self.cancel_button.clicked.connect(self.reject)
        self.history_button.clicked.connect(self._on_history_button_clicked)

    # -- loading and reading the form ---------------------------------------------------------

    def _load(self, member: Member | None) -> None:
        if member is None:
            self.ethnicity_combo.setCurrentIndex(0)
            # Someone added to a branch that has members joins it today (转入); the first
            # members typed in are the branch's own (原有), counted from their 入党时间.
            if self.context.members.list():
                self._set_join_how(JoinHow.TRANSFER_IN)
                self.branch_join_edit.set_value(PartialDate.of(dt.date.today()))
            else:
                self._set_join_how(JoinHow.ORIGINAL)
            return
        self.name_edit.setText(member.name)
        self.id_edit.setText(member.id_number)
        self.gender_combo.setCurrentIndex(
            max(self.gender_combo.findData(member.gender.value if member.gender else None), 0)
        )
        self.birth_edit.set_value(member.birth_date)
        self.ethnicity_combo.setCurrentText(member.ethnicity)
        if member.education and self.education_combo.findText(member.education) < 0:
            self.education_combo.addItem(member.education)  # keep an imported value as it was
        self.education_combo.setCurrentText(member.education)
        self.phone_edit.setText(member.phone)
        self.join_edit.set_value(member.join_date)
        self.full_edit.set_value(member.full_date)
        self.category_combo.setCurrentIndex(self.category_combo.findData(member.category.value))
        group_index = self.group_combo.findData(member.group_id)
        self.group_combo.setCurrentIndex(max(group_index, 0))
        self.workplace_edit.setText(member.workplace)
        self._set_join_how(member.branch_join_how)
        self.branch_join_edit.set_value(member.branch_join_date)
        for role, box in self.role_boxes.items():
            box.setChecked(role in member.roles)
        self.notes_edit.setPlainText(member.notes)
        if member.status is not MemberStatus.ACTIVE:
            when = f"（{member.status_date.display()}）" if member.status_date else ""
            self.status_note.setText(
                f"当前状态：{member.status.label}{when}。状态请在党员列表中用“转出/离开…”修改。"
            )
            self.status_note.show()

    def _set_join_how(self, how: JoinHow | None) -> None:
        index = self.join_how_combo.findData(how.value if how else None)
        self.join_how_combo.setCurrentIndex(max(index, 0))

    def _snapshot(self) -> tuple[object, ...]:
        return (
            self.name_edit.text(), self.id_edit.text(), self.gender_combo.currentIndex(),
            self.birth_edit.text(), self.ethnicity_combo.currentText(),
            self.education_combo.currentText(), self.phone_edit.text(), self.join_edit.text(),
            self.full_edit.text(), self.category_combo.currentIndex(),
            self.group_combo.currentIndex(), self.workplace_edit.text(),
            tuple(box.isChecked() for box in self.role_boxes.values()),
            self.notes_edit.toPlainText(), self.join_how_combo.currentIndex(),
            self.branch_join_edit.text(),
        )  # fmt: skip

    def is_dirty(self) -> bool:
        return self._snapshot() != self._initial

    def _collect(self) -> tuple[Member, list[Issue]]:
        """Read the form into a Member; unreadable dates come back as issues."""
        issues: list[Issue] = []

        def date(label: str, edit: DateEdit) -> PartialDate | None:
            try:
                return edit.value()
            except ValueError as exc:
                issues.append(Issue(label, str(exc)))
                return None

        base = dataclasses.replace(self.original) if self.original else Member(name="")
        group_id = self.group_combo.currentData()
        how = self.join_how_combo.currentData()
        member = dataclasses.replace(
            base,
            name=normalize_name(self.name_edit.text()),
            id_number=normalize_id_number(self.id_edit.text()),
            gender=Gender(gender) if (gender := self.gender_combo.currentData()) else None,
            birth_date=date("出生日期", self.birth_edit),
            ethnicity=normalize_text(self.ethnicity_combo.currentText()),
            education=self.education_combo.currentText(),
            phone=normalize_phone(self.phone_edit.text()),
            join_date=date("入党时间", self.join_edit),
            full_date=date("转正时间", self.full_edit),
            category=Category(self.category_combo.currentData()),
            group_id=group_id,
            group_name=self.group_combo.currentText() if group_id is not None else "",
            workplace=normalize_text(self.workplace_edit.text()),
            roles=[role for role, box in self.role_boxes.items() if box.isChecked()],
            notes=self.notes_edit.toPlainText().strip(),
            branch_join_how=JoinHow(how) if how else None,
            branch_join_date=date("加入本支部", self.branch_join_edit),
        )
        if member.branch_join_how not in (None, JoinHow.ORIGINAL) and not member.branch_join_date:
            issues.append(
                Issue("加入本支部", f"请填写{member.branch_join_how.label}本支部的日期"
                      "（在本支部建立记录前就已在的党员选“原有”）")  # fmt: skip
            )
        return member, issues

    def effective_day(self) -> dt.date:
        """The day a change of group or roles holds from; raise ValueError (Chinese)."""
        value = self.effective_edit.value()
        if value is None or value.month_only:
            raise ValueError("请填写到日，如 2026-12-02")
        if value.first_day() > dt.date.today():
            raise ValueError("生效日期不能晚于今天")
        return value.first_day()

    def issues(self) -> list[Issue]:
        """Return every problem with the form as it stands, errors first."""
        member, issues = self._collect()
        issues += check_member(member)
        if self._edits_stored:
            try:
                self.effective_day()
            except ValueError as exc:
                issues.append(Issue("变动生效日期", str(exc)))
        if member.id_number:
            other = self.context.members.by_id_number(member.id_number)
            if other is not None and other.id != member.id:
                where = "" if other.status.in_roster else f"（已{other.status.label}）"
                issues.append(
                    Issue("身份证号", f"与已登记的党员“{other.name}”{where}的身份证号相同")
                )
        issues.sort(key=lambda issue: not issue.is_error)
        return issues

    # -- validation display -------------------------------------------------------------------

    def _show_issues(self, issues: list[Issue]) -> None:
        by_field: dict[str, list[Issue]] = {}
        for issue in issues:
            if issue.field == "姓名" and not self._show_empty_name and not self.name_edit.text():
                continue  # do not scold before the person has had a chance to type
            by_field.setdefault(issue.field, []).append(issue)
        for label, message in self._messages.items():
            found = by_field.get(label, [])
            if not found:
                message.clear_message()
            elif any(issue.severity is Severity.ERROR for issue in found):
                message.show_error("\n".join(issue.message for issue in found))
            else:
                message.show_warning("\n".join(issue.message for issue in found))
        errors = [issue for issue in issues if issue.is_error and issue.field in by_field]
        if not errors:
            self.summary.clear()

    def refresh_messages(self) -> list[Issue]:
        issues = self.issues()
        self._show_issues(issues)
        return issues

    @Slot()
    def _on_field_changed(self) -> None:
        self.refresh_messages()

    @Slot()
    def _on_name_edit_editing_finished(self) -> None:
        self._normalise(self.name_edit, normalize_name)
        self._show_empty_name = True
        self.refresh_messages()

    @Slot()
    def _on_phone_edit_editing_finished(self) -> None:
        self._normalise(self.phone_edit, normalize_phone)
        self.refresh_messages()

    @Slot()
    def _on_id_edit_editing_finished(self) -> None:
        self._normalise(self.id_edit, normalize_id_number)
        try:
            facts = parse_id_number(self.id_edit.text())
        except ValueError:
            pass
        else:
            if not self.birth_edit.text().strip():
                self.birth_edit.set_value(PartialDate.of(facts.birth_date))
            if self.gender_combo.currentData() is None:
                self.gender_combo.setCurrentIndex(self.gender_combo.findData(facts.gender.value))
        self.refresh_messages()

    @staticmethod
    def _normalise(edit: QLineEdit, normalise: Callable[[str], str]) -> None:
        value = normalise(edit.text())
        if value != edit.text():
            edit.setText(value)

    # -- saving and leaving -------------------------------------------------------------------

    @Slot()
    def _on_save_triggered(self) -> None:
        self.save()

    def save(self) -> bool:
        """Validate, then write the member and close; return False when something blocks it.

        A storage failure (disk full, read-only) is told and the form stays open as typed.
        """
        if self.context.read_only:
            return False
        self._show_empty_name = True
        for edit, normalise in (
            (self.name_edit, normalize_name),
            (self.id_edit, normalize_id_number),
            (self.phone_edit, normalize_phone),
        ):
            self._normalise(edit, normalise)
        issues = self.refresh_messages()
        errors = [issue for issue in issues if issue.is_error]
        if errors:
            self.summary.setText(f"有 {len(errors)} 处需要改正（见标红的说明），改正后再保存。")
            widget = self._inputs.get(errors[0].field)
            if widget is not None:
                widget.setFocus()
            return False
        member, _ = self._collect()
        if member.id is None:
            done = run_op(self, self.context, lambda s: ops.add_member(s, member))
        else:
            on = self.effective_day()
            done = run_op(
                self, self.context, lambda s: ops.update_member(s, member, effective=on)
            )
        if done is None:
            return False  # told; the form stays open as typed
        self.saved_member = member
        self._initial = self._snapshot()
        self.accept()
        return True

    @Slot()
    def _on_history_button_clicked(self) -> None:
        from branchdesk.ui.dialogs.history_dialog import HistoryDialog

        if self.original is None or self.original.id is None:
            return
        if HistoryDialog.open_for(self, self.context, "member", self.original.id):
            # an older version was put back: show it, as stored, instead of the stale form
            self.original = self.context.members.get(self.original.id)
            self._load(self.original)
            self._initial = self._snapshot()
            self.refresh_messages()

    def reject(self) -> None:
        """Close without saving; ask first when something was typed."""
        if (
            not self.context.read_only
            and self.is_dirty()
            and not msgbox.confirm(
                self, "放弃修改", "填写的内容还没有保存，确定要放弃吗？", yes="放弃修改"
            )
        ):
            return
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
        ):
            if isinstance(self.focusWidget(), QPushButton):
                self.focusWidget().click()  # type: ignore[union-attr]
            else:
                self.focusNextChild()  # Enter moves on, as in a paper form; it does not save
            return
        super().keyPressEvent(event)

    @classmethod
    def ask(
        cls, parent: QWidget | None, context: AppContext, member: Member | None = None
    ) -> Member | None:
        """Show the form; return the saved member, or None when cancelled."""
        dialog = cls(parent, context, member)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.saved_member
            return None
        finally:
            dialog.deleteLater()
