"""从备份恢复: preview a backup file, then swap the data folder's database for it.

Restoring needs every connection to the database closed (``store.backup.restore_backup``),
so the application, not a page, does it: the 设置 page emits ``restore_requested(path)`` and
the composition root connects it to ``restore_and_reopen``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.ops import Changes
from branchdesk.store.backup import BACKUP_SUFFIX, BackupInfo
from branchdesk.store.restore import restore_backup
from branchdesk.store.session import StorageError
from branchdesk.ui import msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.errors import user_message
from branchdesk.ui.ops import announce
from branchdesk.ui.screen_fit import fit_window
from branchdesk.ui.widgets import heading

log = logging.getLogger(__name__)


class RestoreDialog(QDialog):
    """Show what a backup holds and what restoring it does; 恢复 or 取消."""

    def __init__(self, parent: QWidget | None, info: BackupInfo, current_branch: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("从备份恢复")
        self.setMinimumWidth(520)
        when = QLocale().toString(info.created_at, "yyyy年M月d日 HH:mm")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(6)
        self.facts = {
            "备份文件": info.path.name,
            "支部": info.branch or "（未填写支部名称）",
            "备份时间": when,
            "党员": f"{info.members} 名（在册和流动）",
            "会议": f"{info.meetings} 次",
            "活动": f"{info.activities} 次",
            "附件": f"{info.attachments} 个",
        }
        for label, text in self.facts.items():
            value = QLabel(text)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            form.addRow(label, value)
        warning = (
            "恢复后，当前的全部数据（党员、会议、活动和附件）将被这份备份替换。"
            "恢复前会先把当前数据自动备份一份，如有需要可以再从那份备份恢复回来。"
        )
        if current_branch and info.branch and info.branch != current_branch:
            warning = (
                f"注意：这份备份属于“{info.branch}”，当前数据是“{current_branch}”。\n" + warning
            )
        self.warning_label = QLabel(warning)
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(theme.WARNING_TEXT)
        self.restore_button = QPushButton("恢复")
        self.restore_button.setAutoDefault(False)
        self.restore_button.setMinimumWidth(96)
        cancel = QPushButton("取消")
        cancel.setDefault(True)  # replacing everything is never the Enter-key answer
        cancel.setMinimumWidth(96)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(heading("从备份恢复"))
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addLayout(buttons)
        self.restore_button.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        fit_window(self)

    @classmethod
    def ask(cls, parent: QWidget | None, info: BackupInfo, current_branch: str = "") -> bool:
        """Preview ``info``; return True when the person chose 恢复."""
        dialog = cls(parent, info, current_branch)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()


def restore_and_reopen(window: QWidget | None, context: AppContext, path: Path) -> bool:
    """Close the database, restore the backup at ``path``, reopen it and refresh every page.

    The current data is backed up first (by ``restore_backup``). The session reopens the
    database into the same ``context.db`` object, so repositories that pages keep stay valid,
    and every page is told that everything changed. Runs on
    the UI thread on purpose: nothing may touch the database while it is being replaced.
    Return True when the backup was restored.
    """
    if context.read_only:
        msgbox.error(window, "无法恢复", "数据文件夹是只读的，不能从备份恢复。")
        return False
    session = context.session
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    restored = None
    reopened = False
    failure = ""
    try:
        session.close_database()
        try:
            restored = restore_backup(context.data_dir, Path(path))
        except Exception as exc:  # the environment is told; a bug goes on to the crash handler
            message = user_message(exc, path)
            if message is None:
                raise
            log.warning("restore from %s failed: %s", path, exc)
            failure = message
        finally:
            try:
                session.reopen()
                reopened = True
            except StorageError as exc:
                log.error("reopening after a restore failed: %s", exc.message)
                failure = f"{failure}\n\n{exc.message}\n请关闭 BranchDesk 后重新打开。".strip()
    finally:
        QApplication.restoreOverrideCursor()
    if reopened:
        announce(context, Changes.all())  # every page reads the database afresh
    if restored is None or failure:
        msgbox.error(window, "没有恢复", failure or "恢复没有完成。")
        return False
    when = QLocale().toString(restored.created_at, "yyyy年M月d日 HH:mm")
    msgbox.information(
        window,
        "已恢复",
        f"已从 {when} 的备份恢复：{restored.members} 名党员，{restored.meetings} 次会议，"
        f"{restored.activities} 次活动。\n{kept_text(restored)}",
    )
    return True


def kept_text(restored: BackupInfo) -> str:
    """Where the data the restore replaced was kept, for the message after it."""
    kept = restored.kept_as
    if kept is None:
        return "恢复前这里没有数据。"
    if kept.suffix == BACKUP_SUFFIX:
        return f"恢复前的数据已另存为一份备份（{kept.name}），可在“设置”的备份列表中找到，不会被自动清理。"
    return f"恢复前的数据文件无法读取，已原样保留为 {kept}（不会删除）。"
