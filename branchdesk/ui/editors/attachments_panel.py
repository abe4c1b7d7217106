"""The 附件 tab the meeting and activity editors share: thumbnails, add, open, remove."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileInfo, QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QIcon, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileIconProvider,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.meetings import Attachment
from branchdesk.ops import NOTHING
from branchdesk.store.attachments import (
    AttachmentError,
    attachment_path,
)
from branchdesk.store.session import StorageError
from branchdesk.ui import file_dialogs, theme
from branchdesk.ui.ops import announce
from branchdesk.ui.widgets import FieldMessage

if TYPE_CHECKING:
    from branchdesk.ui.context import AppContext

ATTACHMENT_ROLE = Qt.ItemDataRole.UserRole + 1
FILE_FILTER = (
    "照片和文档 (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.pdf *.doc *.docx *.wps"
    " *.xls *.xlsx *.et);;所有文件 (*)"
)


class AttachmentsPanel(QWidget):
    """Attachments as thumbnails; files added here are copied into the data folder at once.

    ``added`` holds the copies made in this session and not yet saved with the record, so the
    editor can discard them when it is cancelled.
    """

    attachments_changed = Signal()  # an item was added or removed

    def __init__(
        self, context: AppContext, *, thumb: QSize, add_text: str, dialog_title: str,
        note: str, note_below: bool = False, remove_tip: str = "",
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.context = context
        self._thumb = thumb
        self._dialog_title = dialog_title
        self.added: list[Attachment] = []
        self.list = QListWidget()
        self.list.setObjectName("attachmentList")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(thumb)
        self.list.setGridSize(QSize(thumb.width() + 44, thumb.height() + 52))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.message = FieldMessage()
        self.add_button = QPushButton(add_text)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        open_button = QPushButton("打开")
        open_button.clicked.connect(self._on_open_button_clicked)
        remove = QPushButton("移除")
        if remove_tip:
            remove.setToolTip(remove_tip)
        remove.clicked.connect(self._on_remove_button_clicked)
        buttons = QHBoxLayout()
        for button in (self.add_button, open_button, remove):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        note_label = QLabel(note)
        note_label.setStyleSheet(theme.MUTED_TEXT)
        if note_below:
            buttons.addStretch(1)
            note_label.setWordWrap(True)
        else:
            buttons.addSpacing(12)
            buttons.addWidget(note_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(buttons)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        if note_below:
            layout.addWidget(note_label)

    # -- contents ---------------------------------------------------------------------------------

    def attachments(self) -> list[Attachment]:
        return [self.list.item(i).data(ATTACHMENT_ROLE) for i in range(self.list.count())]

    def count(self) -> int:
        return self.list.count()

    def add_item(self, attachment: Attachment) -> QListWidgetItem:
        """List an attachment already in the data folder."""
        path = attachment_path(self.context.data_dir, attachment)
        item = QListWidgetItem(self._thumbnail(path, attachment), attachment.filename)
        item.setData(ATTACHMENT_ROLE, attachment)
        item.setToolTip(
            attachment.filename
            if path.is_file()
            else f"{attachment.filename}（文件已不在数据文件夹中）"
        )
        self.list.addItem(item)
        return item

    def choose_files(self) -> None:
        """Ask for files and add them."""
        paths = file_dialogs.open_files(
            self.window(), self._dialog_title, FILE_FILTER, folder=file_dialogs.pictures_folder()
        )
        if paths:
            self.add_files([str(path) for path in paths])

    def add_files(self, paths: list[str]) -> None:
        """Copy the files into the data folder and list them; problems show under the list."""
        problems = []
        changes = NOTHING
        for name in paths:
            try:
                result = ops.add_attachment(self.context.session, Path(name))
            except (AttachmentError, StorageError) as exc:
                problems.append(exc.message)
                continue
            changes |= result.changes
            self.added.append(result.value)
            self.add_item(result.value)
        announce(self.context, changes)
        if problems:
            self.message.show_error("\n".join(problems))
        else:
            self.message.clear_message()
        self.attachments_changed.emit()

    def open_item(self, item: QListWidgetItem) -> None:
        attachment: Attachment = item.data(ATTACHMENT_ROLE)
        path = attachment_path(self.context.data_dir, attachment)
        if not path.is_file():
            self.message.show_error(
                f"找不到“{attachment.filename}”的文件，它可能在数据文件夹中被删除了。"
            )
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.message.show_error(f"没有可以打开“{attachment.filename}”的程序。")

    def discard_added(self) -> None:
        """Delete the copies made in this session (the record was not saved)."""
        for attachment in self.added:
            ops.remove_attachment(self.context.session, attachment)
        self.added = []

    def _thumbnail(self, path: Path, attachment: Attachment) -> QIcon:
        if attachment.is_image and path.is_file():
            reader = QImageReader(str(path))
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid():
                reader.setScaledSize(size.scaled(self._thumb, Qt.AspectRatioMode.KeepAspectRatio))
            image = reader.read()
            if not image.isNull():
                return QIcon(QPixmap.fromImage(image))
        return QFileIconProvider().icon(QFileInfo(str(path)))

    # -- reacting ---------------------------------------------------------------------------------

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.choose_files()

    @Slot(QListWidgetItem)
    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        self.open_item(item)

    @Slot()
    def _on_open_button_clicked(self) -> None:
        for item in self.list.selectedItems()[:5]:
            self.open_item(item)

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        for item in self.list.selectedItems():
            attachment = item.data(ATTACHMENT_ROLE)
            if attachment in self.added:  # never saved: its copy can go now
                self.added.remove(attachment)
                ops.remove_attachment(self.context.session, attachment)
            self.list.takeItem(self.list.row(item))
        self.attachments_changed.emit()


class EditorAttachments:
    """Mixin for an editor dialog with an AttachmentsPanel: the names tests and callers use."""

    attachments_panel: AttachmentsPanel

    def _use_attachments_panel(self, panel: AttachmentsPanel) -> AttachmentsPanel:
        self.attachments_panel = panel
        self.attachment_list = panel.list
        self.attachment_message = panel.message
        self.add_attachment_button = panel.add_button
        return panel

    @property
    def _added(self) -> list[Attachment]:
        """Attachments copied in during this session, not yet saved."""
        return self.attachments_panel.added

    def add_attachments(self, paths: list[str]) -> None:
        """Copy the files into the data folder and list them; problems show under the list."""
        self.attachments_panel.add_files(paths)

    def open_attachment(self, item: QListWidgetItem) -> None:
        self.attachments_panel.open_item(item)

    @Slot()
    def _on_add_attachment_clicked(self) -> None:
        self.attachments_panel.choose_files()
