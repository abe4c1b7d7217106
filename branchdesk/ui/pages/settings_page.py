"""The 设置 page: the branch's name and superior committee, data and backups, the version.

Only settings that work are shown here. Restoring a backup replaces the database under
every page, so the page only asks for it (``restore_requested``); the application does it
(``restore_flow.restore_and_reopen``).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QLocale, QSettings, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk import APP_TITLE, __version__, ops
from branchdesk.domain.branch import Branch
from branchdesk.ops import Changes
from branchdesk.store.backup import (
    AUTOMATIC,
    BACKUP_SUFFIX,
    SAFETY,
    BackupFile,
    BackupInfo,
    auto_backup,
    backup_dir,
    backup_files,
    delete_backup,
    read_backup_info,
    write_backup,
)
from branchdesk.store.backup import (
    backup_kind as stored_kind,
)
from branchdesk.ui import file_dialogs, msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.errors import user_message
from branchdesk.ui.ops import BackgroundOp, run_op
from branchdesk.ui.text_size import TextSize, choose_text_size, saved_text_size
from branchdesk.ui.widgets import FieldMessage, heading

log = logging.getLogger(__name__)

BACKUP_FILTER = f"BranchDesk 备份 (*{BACKUP_SUFFIX})"
READ_ONLY_TIP = "数据为只读"


def handover_file_name(branch_name: str, today: dt.date) -> str:
    """The default name of a 备份到… file: ``城关街道幸福里社区党支部_交接备份_20261124.bdbackup``."""
    safe = "".join("_" if c in '\\/:*?"<>|' else c for c in branch_name).strip() or "BranchDesk"
    return f"{safe}_交接备份_{today:%Y%m%d}{BACKUP_SUFFIX}"


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


KIND_LABELS = {AUTOMATIC: "自动备份", SAFETY: "恢复前自动保存"}
KEEP_TIP = "自动备份按保留规则自动清理，不需要手动删除"


def backup_kind(path: Path) -> str:
    """Why a backup is in the folder, as the list shows it."""
    return KIND_LABELS.get(stored_kind(path), "其他备份")


def _when(moment: dt.datetime) -> str:
    return QLocale().toString(moment, "yyyy年M月d日 HH:mm")


class SettingsPage(QWidget):
    """Signals:
    restore_requested(Path): the person chose a backup file to restore and confirmed it;
        the application closes the database and calls ``restore_and_reopen``.
    """

    restore_requested = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("settings_page")
        self._infos: dict[Path, BackupInfo | str] = {}  # read lazily: a backup is verified
        self._last_target: Path | None = None
        self._busy = False

        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(80)
        self.name_edit.setPlaceholderText("如 中共××社区第一支部委员会")
        self.name_message = FieldMessage()
        self.superior_edit = QLineEdit()
        self.superior_edit.setMaxLength(80)
        self.superior_edit.setPlaceholderText("如 中共××街道工作委员会")
        self.save_button = QPushButton("保存")
        self.save_button.setMinimumWidth(96)
        self.saved_label = QLabel()
        self.saved_label.setStyleSheet(theme.MUTED_TEXT)
        name_box = QVBoxLayout()
        name_box.setSpacing(2)
        name_box.addWidget(self.name_edit)
        name_box.addWidget(self.name_message)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.saved_label, 1)
        branch_form = QFormLayout()
        branch_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        branch_form.setHorizontalSpacing(12)
        branch_form.setVerticalSpacing(10)
        branch_form.addRow("支部名称＊", name_box)
        branch_form.addRow("上级党组织", self.superior_edit)
        branch_form.addRow("", save_row)
        hint = QLabel("支部名称和上级党组织会印在签到表、会议记录和报表上。")
        hint.setStyleSheet(theme.MUTED_TEXT)
        hint.setWordWrap(True)
        branch_layout = QVBoxLayout()
        branch_layout.addLayout(branch_form)
        branch_layout.addWidget(hint)
        branch_group = QGroupBox("支部信息")
        branch_group.setLayout(branch_layout)

        rules_group = QGroupBox("会议要求与提醒")
        rules_group.setLayout(self._build_rules())

        data_group = QGroupBox("数据与备份")
        data_group.setLayout(self._build_data())

        display_group = QGroupBox("显示")
        display_group.setLayout(self._build_display())

        self.version_label = QLabel(f"{APP_TITLE}  版本 {__version__}")
        about_layout = QVBoxLayout()
        about_layout.addWidget(self.version_label)
        about_group = QGroupBox("关于")
        about_group.setLayout(about_layout)

        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 12, 0)
        column.setSpacing(16)
        column.addWidget(branch_group)
        column.addWidget(rules_group)
        column.addWidget(data_group)
        column.addWidget(display_group)
        column.addWidget(about_group)
        column.addStretch(1)
        content = QWidget()
        content.setObjectName("settingsContent")
        content.setLayout(column)
        content.setMaximumWidth(820)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 16, 18)
        layout.setSpacing(16)
        layout.addWidget(heading("设置"))
        layout.addWidget(scroll, 1)
        self.setStyleSheet(theme.SETTINGS_PAGE)

        self.save_button.clicked.connect(self.save)
        self.name_edit.returnPressed.connect(self.save)
        self.superior_edit.returnPressed.connect(self.save)
        self.name_edit.textEdited.connect(self._on_edit_text_edited)
        self.superior_edit.textEdited.connect(self._on_edit_text_edited)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.backup_now_button.clicked.connect(self._on_backup_now_button_clicked)
        self.backup_to_button.clicked.connect(self._on_backup_to_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.restore_selected_button.clicked.connect(self._on_restore_selected_button_clicked)
        self.delete_selected_button.clicked.connect(self._on_delete_selected_button_clicked)
        self.history_button.clicked.connect(self._on_history_button_clicked)
        self.result_open_button.clicked.connect(self._on_result_open_button_clicked)
        self.backup_table.itemSelectionChanged.connect(self._on_backup_table_selection_changed)
        context.events.changes_applied.connect(self._on_events_changes_applied)
        if context.read_only:
            for widget in (self.name_edit, self.superior_edit, self.save_button,
                           self.backup_now_button, self.restore_button,
                           self.restore_selected_button, self.delete_selected_button):  # fmt: skip
                widget.setEnabled(False)
                widget.setToolTip(READ_ONLY_TIP)
        self.load()
        self.reload_backups()

    def _build_display(self) -> QFormLayout:
        self.text_size_combo = QComboBox()
        for size in TextSize:
            self.text_size_combo.addItem(size.label, size.value)
        self.text_size_combo.setCurrentIndex(
            self.text_size_combo.findData(saved_text_size().value)
        )
        self.text_size_combo.setToolTip("整个界面的文字大小，立即生效，下次启动时保持")
        self.text_size_combo.currentIndexChanged.connect(self._on_text_size_combo_changed)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("字号", self.text_size_combo)
        return form

    @Slot(int)
    def _on_text_size_combo_changed(self, _index: int) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            choose_text_size(app, TextSize(self.text_size_combo.currentData()))

    def _build_rules(self) -> QVBoxLayout:
        from branchdesk.ui.pages.home_page import REMINDER_SETTING

        self.rules_label = QLabel()
        self.rules_label.setWordWrap(True)
        self.rules_button = QPushButton("会议要求…")
        self.rules_button.clicked.connect(self._on_rules_button_clicked)
        row = QHBoxLayout()
        row.addWidget(self.rules_label, 1)
        row.addWidget(self.rules_button)
        self.remind_check = QCheckBox("启动时提醒逾期未开的会议（每天最多一次）")
        self.remind_check.setChecked(QSettings().value(REMINDER_SETTING, True, type=bool))
        self.remind_check.toggled.connect(
            lambda on: QSettings().setValue(REMINDER_SETTING, bool(on))
        )
        layout = QVBoxLayout()
        layout.addLayout(row)
        layout.addWidget(self.remind_check)
        self._show_rules()
        return layout

    def _show_rules(self) -> None:
        from branchdesk.store.requirements import RequirementRepo

        rules = RequirementRepo(self.context.db).list()
        self.rules_label.setText(
            "；".join(f"{r.kind.short_label}{r.describe()}" for r in rules) or "未设定任何要求"
        )

    @Slot()
    def _on_rules_button_clicked(self) -> None:
        from branchdesk.ui.dialogs.requirements_dialog import RequirementsDialog

        if RequirementsDialog.ask(self, self.context):
            self._show_rules()

    def _build_data(self) -> QVBoxLayout:
        self.folder_label = QLabel(str(self.context.data_dir))
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        self.open_button = QPushButton("打开文件夹")
        self.open_button.setMinimumWidth(110)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("数据文件夹："))
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.open_button)

        self.last_backup_label = QLabel()
        self.backup_table = QTableWidget(0, 4)
        self.backup_table.setObjectName("backupTable")
        self.backup_table.setHorizontalHeaderLabels(["备份时间", "类型", "大小", "内容"])
        self.backup_table.verticalHeader().hide()
        self.backup_table.verticalHeader().setDefaultSectionSize(28)
        self.backup_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backup_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backup_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.backup_table.setAlternatingRowColors(True)
        self.backup_table.setWordWrap(False)
        header = self.backup_table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        for column, width in ((0, 160), (1, 132), (2, 76)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.backup_table.setFixedHeight(176)
        self.restore_selected_button = QPushButton("恢复所选备份…")
        self.restore_selected_button.setToolTip("用选中的这份备份替换当前数据（会先备份当前数据）")
        self.delete_selected_button = QPushButton("删除所选备份…")
        self.delete_selected_button.setToolTip(KEEP_TIP)
        list_row = QHBoxLayout()
        list_row.addWidget(self.last_backup_label, 1)
        list_row.addWidget(self.delete_selected_button)
        list_row.addWidget(self.restore_selected_button)

        self.backup_now_button = QPushButton("立即备份")
        self.backup_now_button.setToolTip("在数据文件夹的 backups 中马上做一份备份")
        self.backup_to_button = QPushButton("备份到…")
        self.backup_to_button.setToolTip("把全部数据存成一个文件（如存到U盘），用于交接或换电脑")
        self.restore_button = QPushButton("从备份恢复…")
        self.restore_button.setToolTip("打开一个备份文件，查看内容后用它替换当前数据")
        self.history_button = QPushButton("修改记录…")
        self.history_button.setToolTip("查看最近的新增、修改和删除，恢复误删的党员、会议和活动")
        buttons = QHBoxLayout()
        for button in (self.backup_now_button, self.backup_to_button, self.restore_button):
            button.setMinimumWidth(104)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.history_button)

        self.result_line = QWidget()
        self.result_line.setObjectName("resultLine")
        self.result_line.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_open_button = QPushButton("打开文件夹")
        result = QHBoxLayout(self.result_line)
        result.setContentsMargins(10, 6, 6, 6)
        result.addWidget(self.result_label, 1)
        result.addWidget(self.result_open_button)
        self.result_line.hide()

        hint = QLabel(
            "每天第一次打开和修改后退出时会自动备份，保留最近 7 天、4 周和 12 个月的备份。"
            "恢复前自动保存的备份不会被自动清理，确认不再需要时可以选中后删除。"
            "交接给新书记或换电脑时，用“备份到…”存一个文件到U盘，在新电脑上用“从备份恢复…”打开。"
        )
        hint.setStyleSheet(theme.MUTED_TEXT)
        hint.setWordWrap(True)

        layout = QVBoxLayout()
        layout.setSpacing(8)
        layout.addLayout(folder_row)
        layout.addLayout(list_row)
        layout.addWidget(self.backup_table)
        layout.addLayout(buttons)
        layout.addWidget(self.result_line)
        layout.addWidget(hint)
        return layout

    # -- branch --------------------------------------------------------------------------------

    def load(self) -> None:
        branch = self.context.branch.get()
        self.name_edit.setText(branch.name if branch else "")
        self.superior_edit.setText(branch.superior if branch else "")

    @Slot()
    def save(self) -> bool:
        """Save the branch details; return False when the name is missing or not written."""
        if self.context.read_only:
            return False
        name = self.name_edit.text().strip()
        if not name:
            self.name_message.show_error("请填写支部名称")
            self.name_edit.setFocus()
            return False
        self.name_message.clear_message()
        branch = Branch(name=name, superior=self.superior_edit.text().strip())
        if run_op(self, self.context, lambda s: ops.save_branch(s, branch)) is None:
            return False
        self.saved_label.setText("已保存")
        return True

    # -- backups -------------------------------------------------------------------------------

    def reload_backups(self) -> None:
        """List the backups in the data folder, newest first (their content is read on demand)."""
        backups = backup_files(self.context.data_dir)
        self._files: list[BackupFile] = backups
        self._backups = [found.path for found in backups]
        self.backup_table.setRowCount(len(backups))
        for row, found in enumerate(backups):
            try:
                size = size_text(found.path.stat().st_size)
            except OSError:
                size = ""
            info = self._infos.get(found.path)
            content = self._content_text(info) if info is not None else "选中后显示"
            label = backup_kind(found.path)
            for column, text in enumerate((_when(found.created), label, size, content)):
                item = QTableWidgetItem(text)
                if column == 3 and info is None:
                    item.setForeground(Qt.GlobalColor.gray)
                if column == 1 and not found.automatic:
                    item.setToolTip("不会被自动清理，不再需要时可以删除")
                self.backup_table.setItem(row, column, item)
        if backups:
            self.last_backup_label.setText(
                f"上次备份：{_when(backups[0].created)}　共 {len(backups)} 份"
            )
        else:
            self.last_backup_label.setText("还没有备份。点“立即备份”做第一份。")
        self._on_backup_table_selection_changed()

    @staticmethod
    def _content_text(info: BackupInfo | str) -> str:
        if isinstance(info, str):
            return info  # why it cannot be read
        return f"{info.members} 名党员，{info.meetings} 次会议，{info.activities} 次活动"

    def backup_info(self, path: Path) -> BackupInfo | str:
        """What a backup holds, read once (it is verified, which takes a moment)."""
        if path not in self._infos:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._infos[path] = read_backup_info(path, data_dir=self.context.data_dir)
            except Exception as exc:
                message = user_message(exc, path)
                if message is None:
                    raise
                self._infos[path] = f"无法读取：{message}"
            finally:
                QApplication.restoreOverrideCursor()
        return self._infos[path]

    def selected_backup(self) -> Path | None:
        rows = self.backup_table.selectionModel().selectedRows()
        return self._backups[rows[0].row()] if rows else None

    def selected_file(self) -> BackupFile | None:
        rows = self.backup_table.selectionModel().selectedRows()
        return self._files[rows[0].row()] if rows else None

    def _update_list_buttons(self) -> None:
        found = self.selected_file()
        writable = not self.context.read_only
        self.restore_selected_button.setEnabled(found is not None and writable)
        deletable = found is not None and not found.automatic and writable and not self._busy
        self.delete_selected_button.setEnabled(deletable)
        if not writable:
            tip = READ_ONLY_TIP
        elif found is not None and found.automatic:
            tip = KEEP_TIP
        elif found is None:
            tip = "选中一份恢复前自动保存的备份后可以删除它"
        else:
            tip = "删除选中的这份备份（会先请您确认）"
        self.delete_selected_button.setToolTip(tip)

    @Slot()
    def _on_backup_table_selection_changed(self) -> None:
        self._update_list_buttons()
        path = self.selected_backup()
        if path is None:
            return
        row = self._backups.index(path)
        info = self.backup_info(path)
        item = QTableWidgetItem(self._content_text(info))
        item.setToolTip(info.describe() if isinstance(info, BackupInfo) else info)
        self.backup_table.setItem(row, 3, item)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        writable = not self.context.read_only
        self.backup_now_button.setEnabled(not busy and writable)
        self.backup_to_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and writable)
        self._update_list_buttons()

    def _show_result(self, text: str, folder: Path | None) -> None:
        self.result_label.setText(text)
        self._last_target = folder
        self.result_open_button.setVisible(folder is not None)
        self.result_line.show()

    def _backup_failed(self, exc: BaseException) -> None:
        message = user_message(exc)
        if message is None:
            raise exc
        log.warning("backup failed: %s", exc)
        self.result_line.hide()
        msgbox.error(self, "备份失败", message)

    def backup_now(self) -> BackgroundOp:
        """Write a backup into the data folder off the UI thread."""
        data_dir = self.context.data_dir
        self._set_busy(True)

        def done(info: BackupInfo) -> None:
            self._infos[info.path] = info
            self.reload_backups()
            self._show_result(
                f"已备份（{_when(info.created_at)}）：{self._content_text(info)}。",
                info.path.parent,
            )

        op = BackgroundOp(self, lambda: auto_backup(data_dir))
        op.finished.connect(lambda: self._set_busy(False))
        return op.success(done).failure(self._backup_failed).run()

    def backup_to(self, target: Path) -> BackgroundOp:
        """Write one backup file to ``target`` (a USB stick) off the UI thread."""
        data_dir = self.context.data_dir
        self._set_busy(True)

        def done(info: BackupInfo) -> None:
            self._show_result(
                f"已备份到 {info.path}\n{self._content_text(info)}。"
                "请把这个文件妥善保管，它含有党员的个人信息。",
                info.path.parent,
            )

        op = BackgroundOp(self, lambda: write_backup(data_dir, target))
        op.finished.connect(lambda: self._set_busy(False))
        return op.success(done).failure(self._backup_failed).run()

    def _ask_backup_target(self) -> Path | None:
        branch = self.context.branch.get()
        name = handover_file_name(branch.name if branch else "", dt.date.today())
        # A hand-over copy usually goes to a USB stick: start in 文档, do not move the
        # export folder there.
        path = file_dialogs.save_file(
            self, "备份到", name, BACKUP_FILTER, folder=file_dialogs.documents_folder(),
            remember=False,
        )  # fmt: skip
        return path  # with .bdbackup added when left out

    def offer_restore(self, path: Path) -> bool:
        """Preview the backup at ``path``; on 恢复 emit ``restore_requested``. True if asked."""
        from branchdesk.ui.dialogs.restore_flow import RestoreDialog

        self._infos.pop(path, None)  # a file chosen now is checked now
        info = self.backup_info(path)
        if isinstance(info, str):
            msgbox.error(self, "无法恢复", info.removeprefix("无法读取："))
            return False
        branch = self.context.branch.get()
        if not RestoreDialog.ask(self, info, branch.name if branch else ""):
            return False
        self.restore_requested.emit(path)
        return True

    # -- slots ---------------------------------------------------------------------------------

    @Slot()
    def _on_edit_text_edited(self) -> None:
        self.saved_label.clear()

    @Slot()
    def _on_open_button_clicked(self) -> None:
        self._open_folder(self.context.data_dir)

    @Slot()
    def _on_result_open_button_clicked(self) -> None:
        if self._last_target is not None:
            self._open_folder(self._last_target)

    def _open_folder(self, folder: Path) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            msgbox.warning(self, "打开文件夹", f"无法打开文件夹：\n{folder}")

    @Slot()
    def _on_backup_now_button_clicked(self) -> None:
        if not self._busy:
            self.backup_now()

    @Slot()
    def _on_backup_to_button_clicked(self) -> None:
        if self._busy:
            return
        target = self._ask_backup_target()
        if target is not None:
            self.backup_to(target)

    @Slot()
    def _on_restore_button_clicked(self) -> None:
        start = backup_dir(self.context.data_dir)
        chosen = file_dialogs.open_file(
            self, "从备份恢复", BACKUP_FILTER,
            folder=start if start.is_dir() else self.context.data_dir,
        )  # fmt: skip
        if chosen:
            self.offer_restore(chosen)

    @Slot()
    def _on_restore_selected_button_clicked(self) -> None:
        path = self.selected_backup()
        if path is not None:
            self.offer_restore(path)

    def delete_selected(self) -> bool:
        """Ask, then delete the selected copy (never an automatic one). True when deleted."""
        found = self.selected_file()
        if found is None or found.automatic or self.context.read_only:
            return False
        label = backup_kind(found.path)
        why = (
            f"这份备份保存的是 {_when(found.created)} 从备份恢复之前的数据。"
            if found.kind == SAFETY
            else ""
        )
        if not msgbox.confirm(
            self,
            "删除备份",
            f"确定删除这份“{label}”的备份吗？\n\n{_when(found.created)}　{found.path.name}\n\n"
            f"{why}删除后无法找回。",
            yes="删除",
        ):
            return False
        try:
            delete_backup(self.context.data_dir, found.path)
        except Exception as exc:  # the environment is told; a bug goes on to the crash handler
            message = user_message(exc, found.path)
            if message is None:
                raise
            msgbox.error(self, "没有删除", message)
            return False
        self._infos.pop(found.path, None)
        self.reload_backups()
        return True

    @Slot()
    def _on_delete_selected_button_clicked(self) -> None:
        self.delete_selected()

    @Slot()
    def _on_history_button_clicked(self) -> None:
        from branchdesk.ui.dialogs.history_dialog import HistoryDialog

        HistoryDialog.open_all(self, self.context)

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if changes.branch:
            self.load()
        if changes.everything:
            self.reload_backups()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        self.reload_backups()  # the automatic backup at start may have finished meanwhile
        super().showEvent(event)
