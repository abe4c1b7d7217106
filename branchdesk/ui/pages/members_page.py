"""The 党员 page: the roster as a sortable, filterable table with the actions around it."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QTimer,
    Slot,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.members import Category, Member
from branchdesk.ops import Changes, Session
from branchdesk.ui import file_dialogs, msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.models.member_table_model import (
    MEMBER_ROLE,
    NO_GROUP,
    Column,
    MemberFilterProxy,
    MemberTableModel,
)
from branchdesk.ui.ops import BackgroundOp
from branchdesk.ui.page_kit import (
    EmptyState,
    PageActions,
    SearchBox,
    filter_row,
    focus_list,
    page_style,
    setup_list_table,
    title_row,
)
from branchdesk.ui.screen_fit import FlowLayout

if TYPE_CHECKING:  # openpyxl loads only when someone exports
    from branchdesk.reports.roster_export import ExportResult

log = logging.getLogger(__name__)

_PAGE_STYLE = page_style()

READ_ONLY_TIP = "数据为只读"
WRITE_ACTIONS = ("add", "status", "move", "groups", "import")  # refused in a read-only folder
EXPORT_CHOICES = ["隐藏身份证号和电话（推荐）", "包含完整身份证号和电话", "取消"]


def export_roster_file(
    session: Session, path: Path, *, include_left: bool = False, full: bool = False
) -> ExportResult:
    """Write the roster workbook to ``path`` from a connection of this (worker) thread.

    ``full=False`` masks ID numbers and phones, for copies that leave the branch.
    """
    from branchdesk.reports.roster_export import export_roster

    with session.worker_connection() as db:
        return export_roster(
            db, path, full=full, include_left=include_left, data_dir=session.data_dir
        )


class MembersPage(PageActions, QWidget):
    """The roster; it refreshes itself when an applied change touches members or groups."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("members_page")
        self.setStyleSheet(_PAGE_STYLE)
        self.model = MemberTableModel(self)
        self.proxy = MemberFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.actions_by_id: dict[str, QAction] = {}
        self._sized = False
        self._make_actions()
        self._build()
        if context.read_only:
            for action_id in WRITE_ACTIONS:
                self.actions_by_id[action_id].setToolTip(READ_ONLY_TIP)
            for button in (self.empty_add, self.empty_import):
                button.setEnabled(False)
                button.setToolTip(READ_ONLY_TIP)
        self.refresh()
        context.events.changes_applied.connect(self._on_events_changes_applied)

    # -- building -----------------------------------------------------------------------------

    def _make_actions(self) -> None:
        self._action("add", "添加党员", self._on_add_triggered, "Ctrl+N", "添加党员（Ctrl+N）")
        self._action("edit", "编辑", self._on_edit_triggered, "",
                     "编辑选中的党员（回车或双击）")  # fmt: skip
        self._action("status", "转出/离开…", self._on_status_triggered, "",
                     "记录转出、去世等，或恢复在册；党员记录不会删除")  # fmt: skip
        self._action("move", "调整党小组…", self._on_move_triggered, "",
                     "把选中的党员（可多选）调整到另一个党小组")  # fmt: skip
        self._action("record", "党员档案", self._on_record_triggered, "Ctrl+R",
                     "查看选中党员某一年参加会议、请假、缺席、补学和活动的情况（Ctrl+R）")  # fmt: skip
        self._action("groups", "党小组管理…", self._on_groups_triggered)
        self._action("import", "导入花名册…", self._on_import_triggered, "",
                     "从 Excel 花名册导入党员")  # fmt: skip
        self._action("export", "导出花名册…", self._on_export_triggered, "",
                     "把花名册导出为 Excel 文件")  # fmt: skip

    def _build(self) -> None:
        self.counts_label = QLabel()
        self.counts_label.setStyleSheet(theme.COUNT_TEXT)
        self.shown_label = QLabel()
        self.shown_label.setStyleSheet(theme.MUTED_COUNT_TEXT)

        toolbar = FlowLayout()  # wraps rather than widening the window
        toolbar.addWidget(self._button("add", primary=True))
        for action_id in ("edit", "record", "status", "move", "groups"):
            toolbar.addWidget(self._button(action_id))
        toolbar.add_break()
        toolbar.addWidget(self._button("import"))
        toolbar.addWidget(self._button("export"))

        self.search_edit = SearchBox("搜索姓名、身份证号、电话、工作单位", 280, debounce_ms=0)
        self.group_combo = QComboBox()
        self.group_combo.setMinimumWidth(150)
        self.category_combo = QComboBox()
        self.category_combo.addItem("全部", None)
        for category in Category:
            self.category_combo.addItem(f"{category.label}党员", category.value)
        self.include_left_box = QCheckBox("含已离开")
        self.include_left_box.setToolTip("同时显示已转出、去世、停止党籍、出党的党员")
        self.filters = QWidget()
        filters = FlowLayout(self.filters, spacing=12)
        filter_row(
            self.search_edit,
            ("党小组", self.group_combo),
            ("类别", self.category_combo),
            self.include_left_box,
            row=filters,
        )

        self.table = QTableView()
        header = setup_list_table(self.table, self.proxy, multi=True)  # roster order until clicked
        header.setStretchLastSection(True)
        self.table.activated.connect(self._on_table_activated)  # Enter or double-click
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self._empty_state())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(12)
        layout.addLayout(title_row("党员花名册", self.counts_label, self.shown_label))
        layout.addLayout(toolbar)
        layout.addWidget(self.filters)
        layout.addWidget(self.stack, 1)

        self.search_edit.search_changed.connect(self._on_search_edit_search_changed)
        self.group_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.category_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.include_left_box.toggled.connect(self._on_filters_changed)

    def _empty_state(self) -> QWidget:
        add = self.empty_add = QPushButton("添加党员")
        add.setObjectName("emptyAdd")
        add.clicked.connect(self.actions_by_id["add"].trigger)
        imp = self.empty_import = QPushButton("导入花名册…")
        imp.setObjectName("emptyImport")
        imp.clicked.connect(self.actions_by_id["import"].trigger)
        frame = EmptyState(
            add,
            imp,
            title="花名册里还没有党员",
            body="可以逐个添加，也可以把现有的 Excel 花名册一次导入。",
            spacing=18,
        )
        return frame

    # -- reading state ------------------------------------------------------------------------

    def focus_main(self) -> None:
        """Give the roster the keyboard (after Ctrl+2): Ctrl+N, Enter and Del act at once."""
        focus_list(self.table, self.empty_add)

    def refresh(self) -> None:
        """Reload members, groups and counts from the database, keeping the selection."""
        selected = {m.id for m in self.selected_members()}
        members = self.context.members.list(include_left=True)
        self._reload_groups()
        self.model.set_rows(members)
        self.stack.setCurrentIndex(0 if members else 1)
        self.filters.setVisible(bool(members))
        self.actions_by_id["export"].setEnabled(bool(members))
        if members and not self._sized:
            self._size_columns()  # once, so widths a person dragged are kept afterwards
        self._reselect(selected)
        self._update_counts()
        self._update_actions()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.FontChange and self._sized:
            # a new 字号: names and dates stay whole (once the table has the new font too)
            QTimer.singleShot(0, self, self._size_columns)
        super().changeEvent(event)

    def _size_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in Column:
            header.resizeSection(column, max(header.sectionSize(column) + 16, 64))
        self._sized = True

    def _reload_groups(self) -> None:
        current = self.group_combo.currentData()
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        self.group_combo.addItem("全部", None)
        for group in self.context.groups.list():
            self.group_combo.addItem(group.name, group.id)
        self.group_combo.addItem("（不分党小组）", NO_GROUP)
        index = self.group_combo.findData(current) if current is not None else 0
        self.group_combo.setCurrentIndex(max(index, 0))
        self.group_combo.blockSignals(False)
        if index < 0:  # the chosen group was merged or deleted
            self.proxy.set_group(None)

    def _reselect(self, member_ids: set[int | None]) -> None:
        if not member_ids:
            return
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            member = index.data(MEMBER_ROLE)
            if member is not None and member.id in member_ids:
                selection.select(index, flags)

    def _update_counts(self) -> None:
        counts = self.context.members.counts()
        self.counts_label.setText(
            f"共 {counts.total} 名党员，正式 {counts.full} 名，预备 {counts.probationary} 名"
        )
        shown = self.proxy.rowCount()
        if self.proxy.is_narrowed() or self.include_left_box.isChecked():
            self.shown_label.setText(f"当前显示 {shown} 人")
            self.shown_label.show()
        else:
            self.shown_label.hide()

    def selected_members(self) -> list[Member]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        members = [index.data(MEMBER_ROLE) for index in sorted(rows, key=QModelIndex.row)]
        return [m for m in members if isinstance(m, Member)]

    def visible_members(self) -> list[Member]:
        """Return the members in the rows shown, top to bottom."""
        return [self.proxy.index(row, 0).data(MEMBER_ROLE) for row in range(self.proxy.rowCount())]

    def _update_actions(self) -> None:
        count = len(self.selected_members())
        self.actions_by_id["edit"].setEnabled(count == 1)  # opens the form, read-only or not
        self.actions_by_id["record"].setEnabled(count == 1)
        self.actions_by_id["status"].setEnabled(count == 1)
        self.actions_by_id["move"].setEnabled(count >= 1)
        if self.context.read_only:
            for action_id in WRITE_ACTIONS:
                self.actions_by_id[action_id].setEnabled(False)

    # -- slots --------------------------------------------------------------------------------

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if changes.members or changes.groups:
            self.refresh()

    @Slot(str)
    def _on_search_edit_search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_counts()

    @Slot()
    def _on_filters_changed(self) -> None:
        self.proxy.set_group(self.group_combo.currentData())
        category = self.category_combo.currentData()
        self.proxy.set_category(Category(category) if category else None)
        self.proxy.set_include_left(self.include_left_box.isChecked())
        self._update_counts()
        self._update_actions()

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_actions()

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        member = index.data(MEMBER_ROLE)
        if isinstance(member, Member):
            self._edit(member)

    @Slot()
    def _on_add_triggered(self) -> None:
        from branchdesk.ui.editors.member_dialog import MemberDialog

        saved = MemberDialog.ask(self, self.context)
        if saved is not None:
            self._select_member(saved.id)

    @Slot()
    def _on_edit_triggered(self) -> None:
        members = self.selected_members()
        if len(members) == 1:
            self._edit(members[0])

    @Slot()
    def _on_record_triggered(self) -> None:
        from branchdesk.ui.pages.member_record_view import MemberRecordDialog

        members = self.selected_members()
        if len(members) == 1 and members[0].id is not None:
            MemberRecordDialog.open_for(self, self.context, members[0].id)

    def _edit(self, member: Member) -> None:
        from branchdesk.ui.editors.member_dialog import MemberDialog

        MemberDialog.ask(self, self.context, self.context.members.get(member.id or 0))

    @Slot()
    def _on_status_triggered(self) -> None:
        from branchdesk.ui.dialogs.status_dialog import StatusDialog

        members = self.selected_members()
        if len(members) == 1:
            StatusDialog.ask(self, self.context, self.context.members.get(members[0].id or 0))

    @Slot()
    def _on_move_triggered(self) -> None:
        from branchdesk.ui.dialogs.groups_dialog import MoveGroupDialog

        members = self.selected_members()
        if members:
            MoveGroupDialog.ask(self, self.context, members)

    @Slot()
    def _on_groups_triggered(self) -> None:
        from branchdesk.ui.dialogs.groups_dialog import GroupsDialog

        GroupsDialog.ask(self, self.context)

    @Slot()
    def _on_import_triggered(self) -> None:
        from branchdesk.ui.dialogs.import_dialog import ImportDialog

        if ImportDialog.ask(self, self.context) is not None:
            self.refresh()

    @Slot()
    def _on_export_triggered(self) -> None:
        full = self._ask_full_values()
        if full is None:
            return
        path = self._ask_export_path()
        if path is not None:
            self.export_roster(path, full=full)

    def _ask_full_values(self) -> bool | None:
        """Ask whether the file may carry full ID numbers and phones; None to cancel."""
        choice = msgbox.choose(
            self,
            "导出花名册",
            "导出的花名册中，身份证号和联系电话如何显示？\n\n"
            "隐藏后显示为 141002********0014、138****5678，适合发给他人或上报；"
            "包含完整号码的文件请妥善保管。",
            EXPORT_CHOICES,
            question=True,
        )
        if choice == 0:
            return False
        if choice == 1:
            return True
        return None

    def _ask_export_path(self) -> Path | None:
        branch = self.context.branch.get()
        name = f"{branch.name if branch else ''}党员花名册{dt.date.today():%Y%m%d}.xlsx"
        return file_dialogs.save_file(self, "导出花名册", name, file_dialogs.XLSX_FILTER)

    def export_roster(self, path: Path, *, full: bool = False) -> BackgroundOp:
        """Write the roster workbook off the UI thread and say where it went.

        With 含已离开 ticked the file also lists the members who left, as the table does;
        ID numbers and phones are masked unless ``full``.
        """
        action = self.actions_by_id["export"]
        action.setEnabled(False)
        session = self.context.session
        include_left = self.include_left_box.isChecked()

        def done(result: ExportResult) -> None:
            msgbox.information(
                self, "导出花名册", f"已导出 {result.members} 名党员到：\n{result.path}"
            )

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OSError):
                msgbox.error(
                    self, "导出失败", f"无法写入 {path}：文件可能正在 Excel 中打开，请关闭后重试。"
                )
                return
            message = getattr(exc, "message", "")
            if message:  # ExportError or StorageError: told in Chinese already
                msgbox.error(self, "导出失败", message)
                return
            raise exc

        op = BackgroundOp(
            self,
            lambda: export_roster_file(session, path, include_left=include_left, full=full),
        )
        op.finished.connect(lambda: action.setEnabled(True))
        return op.success(done).failure(failed).run()

    def _select_member(self, member_id: int | None) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            member = index.data(MEMBER_ROLE)
            if member is not None and member.id == member_id:
                self.table.selectRow(row)
                self.table.scrollTo(index)
                return
