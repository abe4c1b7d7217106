"""What every page is given: the open database, the data folder and the change signal."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo
from branchdesk.ui.events import RecordEvents


@dataclass
class AppContext:
    db: Database
    data_dir: Path
    events: RecordEvents = field(default_factory=RecordEvents)
    read_only: bool = False

    @property
    def db_path(self) -> Path:
        from branchdesk.store.db import DB_FILENAME

        return self.data_dir / DB_FILENAME

    @property
    def members(self) -> MemberRepo:
        return MemberRepo(self.db)

    @property
    def groups(self) -> GroupRepo:
        return GroupRepo(self.db)

    @property
    def branch(self) -> BranchRepo:
        return BranchRepo(self.db)

    def changed(self, kind: str) -> None:
        self.events.records_changed.emit(kind)
