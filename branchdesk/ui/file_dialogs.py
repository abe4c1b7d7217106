"""Every file dialog of the window: one remembered export folder, Chinese throughout.

Exports (PDF, Excel returns, the roster, a member's record, a consolidation) start in one
folder: the last one an export went to, else the user's 文档 (Documents) folder, never the
folder the program happened to be started from.

Windows and macOS show their own (native) dialog, in the language of the system. Elsewhere
Qt draws the dialog itself; Qt's Chinese translation misses a few of its labels ("Look in:",
"Files of type:") and the file list formats sizes and dates with the system locale (``KiB``,
``2 12 2026 05:21``), so the labels are set here and the list goes through
``ChineseFileModel``: 4.9 KB, 文件夹, 2026年12月2日 05:21.
"""

from __future__ import annotations

import enum
import re
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QIdentityProxyModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    QStandardPaths,
    Qt,
)
from PySide6.QtWidgets import QDialog, QFileDialog, QFileSystemModel, QTreeView, QWidget

EXPORT_FOLDER_SETTING = "export/last_folder"
PDF_FILTER = "PDF 文件 (*.pdf)"
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"

_COLUMN_SIZE, _COLUMN_TYPE, _COLUMN_DATE = 1, 2, 3
_DATE_FORMAT = "yyyy年M月d日 HH:mm"


class Mode(enum.Enum):
    SAVE = "save"
    OPEN = "open"
    OPEN_MANY = "open_many"


# -- the export folder ----------------------------------------------------------------------------


def documents_folder() -> Path:
    """The user's 文档 folder (the home folder where a system has none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if found and Path(found).is_dir():
        return Path(found)
    return Path.home()


def pictures_folder() -> Path:
    """The user's 图片 folder, where photos of a meeting usually are; else 文档."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(found) if found and Path(found).is_dir() else documents_folder()


def export_folder() -> Path:
    """Where an export dialog opens: the last export's folder while it exists, else 文档."""
    saved = str(QSettings().value(EXPORT_FOLDER_SETTING, "") or "")
    if saved and Path(saved).is_dir():
        return Path(saved)
    return documents_folder()


def remember_export_folder(folder: Path) -> None:
    QSettings().setValue(EXPORT_FOLDER_SETTING, str(folder))


# -- asking ---------------------------------------------------------------------------------------


def save_file(
    parent: QWidget | None,
    caption: str,
    filename: str,
    file_filter: str,
    *,
    folder: Path | None = None,
    remember: bool = True,
) -> Path | None:
    """Ask where to save ``filename``; None if cancelled.

    The dialog opens in ``folder``, by default the export folder, which the chosen folder
    then becomes (``remember``). The filter's extension is added when the name lacks it.
    """
    start = (folder or export_folder()) / filename
    chosen = choose_paths(parent, caption, start, file_filter, Mode.SAVE)
    if not chosen:
        return None
    path = with_suffix(Path(chosen[0]), file_filter)
    if remember:
        remember_export_folder(path.parent)
    return path


def open_file(
    parent: QWidget | None,
    caption: str,
    file_filter: str,
    *,
    folder: Path | None = None,
) -> Path | None:
    """Ask for one existing file, starting in ``folder`` (by default the export folder)."""
    chosen = choose_paths(parent, caption, folder or export_folder(), file_filter, Mode.OPEN)
    return Path(chosen[0]) if chosen else None


def open_files(
    parent: QWidget | None,
    caption: str,
    file_filter: str,
    *,
    folder: Path | None = None,
) -> list[Path]:
    """Ask for any number of existing files; an empty list if cancelled."""
    chosen = choose_paths(parent, caption, folder or export_folder(), file_filter, Mode.OPEN_MANY)
    return [Path(name) for name in chosen]


def with_suffix(path: Path, file_filter: str) -> Path:
    """``path`` with the filter's first extension added unless it has one of the filter's."""
    suffixes = [s.lower() for s in re.findall(r"\*(\.[\w.]+)", file_filter)]
    if not suffixes or path.suffix.lower() in suffixes:
        return path
    return path.with_name(path.name + suffixes[0])


def choose_paths(
    parent: QWidget | None, caption: str, start: Path, file_filter: str, mode: Mode
) -> list[str]:
    """Show the dialog and return the chosen paths (tests replace this one function)."""
    dialog = make_dialog(parent, caption, start, file_filter, mode)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return []
        return dialog.selectedFiles()
    finally:
        dialog.deleteLater()


def uses_native_dialog() -> bool:
    """Windows and macOS always have their own file dialog; elsewhere Qt draws it."""
    return sys.platform in ("win32", "darwin")


def make_dialog(
    parent: QWidget | None, caption: str, start: Path, file_filter: str, mode: Mode
) -> QFileDialog:
    dialog = QFileDialog(parent, caption, str(start), file_filter)
    saving = mode is Mode.SAVE
    dialog.setAcceptMode(
        QFileDialog.AcceptMode.AcceptSave if saving else QFileDialog.AcceptMode.AcceptOpen
    )
    dialog.setFileMode(
        QFileDialog.FileMode.AnyFile
        if saving
        else QFileDialog.FileMode.ExistingFiles
        if mode is Mode.OPEN_MANY
        else QFileDialog.FileMode.ExistingFile
    )
    if start.suffix and saving:
        dialog.selectFile(str(start))
    if not uses_native_dialog():
        make_chinese(dialog)
    return dialog


def make_chinese(dialog: QFileDialog) -> None:
    """Qt's own dialog with every label in Chinese and the file list in Chinese formats."""
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    label = QFileDialog.DialogLabel
    saving = dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
    dialog.setLabelText(label.LookIn, "查找范围(&I)：")
    dialog.setLabelText(label.FileName, "文件名(&N)：")
    dialog.setLabelText(label.FileType, "文件类型(&T)：")
    dialog.setLabelText(label.Accept, "保存(&S)" if saving else "打开(&O)")
    dialog.setLabelText(label.Reject, "取消")
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.setProxyModel(ChineseFileModel(dialog))
    view = dialog.findChild(QTreeView)
    if view is not None:  # wide enough for 2026年12月22日 09:02 and XLSX 文件
        metrics = view.fontMetrics()
        header = view.header()
        header.resizeSection(_COLUMN_TYPE, metrics.horizontalAdvance("XLSX 文件") + 24)
        header.resizeSection(_COLUMN_DATE, metrics.horizontalAdvance("2026年12月22日 09:02") + 24)


def size_text(size: int) -> str:
    """``512 字节``, ``4.9 KB``, ``12.3 MB``: the units Chinese Windows shows."""
    locale = QLocale()
    if size < 1024:
        return f"{locale.toString(size)} 字节"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{locale.toString(value, 'f', 1)} {unit}"


def type_text(name: str, is_dir: bool) -> str:
    if is_dir:
        return "文件夹"
    suffix = Path(name).suffix.lstrip(".")
    return f"{suffix.upper()} 文件" if suffix else "文件"


class ChineseFileModel(QIdentityProxyModel):
    """The file dialog's list with sizes, types and dates written the Chinese way."""

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            section == _COLUMN_SIZE
            and orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return "大小"  # Qt's translation says 体积 (volume)
        return super().headerData(section, orientation, role)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        column = index.column()
        source = self.sourceModel()
        if (
            role != Qt.ItemDataRole.DisplayRole
            or column not in (_COLUMN_SIZE, _COLUMN_TYPE, _COLUMN_DATE)
            or not isinstance(source, QFileSystemModel)
        ):
            return super().data(index, role)
        inner = self.mapToSource(index)
        is_dir = source.isDir(inner)
        if column == _COLUMN_SIZE:
            return "" if is_dir else size_text(source.size(inner))
        if column == _COLUMN_TYPE:
            return type_text(source.fileName(inner), is_dir)
        modified = source.lastModified(inner)
        return QLocale().toString(modified, _DATE_FORMAT) if modified.isValid() else ""
