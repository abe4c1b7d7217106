"""What every page is given: the open session (database, data folder) and the change signal."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo
from branchdesk.store.session import Session
from branchdesk.ui.events import RecordEvents

if TYPE_CHECKING:
    from branchdesk.store.session import Database


@dataclass
class AppContext:
    """``AppContext(db, data_dir)``; ``session`` is made from them unless given.

    Pages read through ``db``; every write goes through an operation on ``session``
    (``ui.ops.run_op``).
    """

    db: Database
    data_dir: Path
    events: RecordEvents = field(default_factory=RecordEvents)
    read_only: bool = False
    session: Session = None  # type: ignore[assignment]  # made in __post_init__ when not given

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = Session(self.db, self.data_dir, None, self.read_only)

    @classmethod
    def of(cls, session: Session) -> AppContext:
        """The context of an opened session (the window's start-up)."""
        return cls(db=session.db, data_dir=session.data_dir, read_only=session.read_only,
                   session=session)  # fmt: skip

    @property
    def db_path(self) -> Path:
        return self.session.db_path

    @property
    def members(self) -> MemberRepo:
        return MemberRepo(self.db)

    @property
    def groups(self) -> GroupRepo:
        return GroupRepo(self.db)

    @property
    def branch(self) -> BranchRepo:
        return BranchRepo(self.db)
