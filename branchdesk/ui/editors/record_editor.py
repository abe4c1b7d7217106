"""What the meeting and activity editors share: 修改记录, asking before discarding, geometry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from branchdesk.ui import msgbox
from branchdesk.ui.screen_fit import fit_window, save_geometry

if TYPE_CHECKING:
    from branchdesk.ui.context import AppContext
    from branchdesk.ui.editors.attachments_panel import AttachmentsPanel


class RecordEditor:
    """Mixin for an editor dialog of one stored record (placed before ``QDialog``).

    The editor sets the class attributes and implements ``_record_id`` and
    ``_took_restored``; it must also have ``context``, ``attachments_panel`` and ``is_dirty``.
    """

    history_entity: str  # "meeting" | "activity", as the change history names it
    record_noun: str  # 会议 / 活动, in the question before discarding
    geometry_key: str
    default_size: tuple[int, int]
    context: AppContext
    attachments_panel: AttachmentsPanel

    def _record_id(self) -> int | None:
        raise NotImplementedError

    def _took_restored(self, record_id: int) -> None:
        """Keep the version the history put back as the editor's result."""
        raise NotImplementedError

    def is_dirty(self) -> bool:
        raise NotImplementedError

    def _on_history_button_clicked(self) -> None:
        from branchdesk.ui.dialogs.history_dialog import HistoryDialog

        record_id = self._record_id()
        if record_id is None:
            return
        if HistoryDialog.open_for(self, self.context, self.history_entity, record_id):  # type: ignore[arg-type]
            # an older version was put back and is stored: close on it rather than save over it
            self.attachments_panel.discard_added()
            self._took_restored(record_id)
            self._save_geometry()
            self.accept()  # type: ignore[attr-defined]

    def reject(self) -> None:
        if (
            not self.context.read_only
            and self.is_dirty()
            and not msgbox.confirm(
                self,  # type: ignore[arg-type]
                "放弃修改",
                f"这次{self.record_noun}还没有保存。要放弃已填写的内容吗？",
                yes="放弃",
            )
        ):
            return
        self.attachments_panel.discard_added()
        self._save_geometry()
        super().reject()  # type: ignore[misc]

    def _restore_geometry(self) -> None:
        fit_window(self, *self.default_size, key=self.geometry_key)  # type: ignore[arg-type]

    def _save_geometry(self) -> None:
        save_geometry(self, self.geometry_key)  # type: ignore[arg-type]
