"""What the repositories of dated records with participants share (会议, 活动 ...).

``RecordTable`` writes a record's row and its parts in one transaction, refuses a reported
(locked) period, records every write in the change log so that 修改记录 can restore it, and
reads records by chunks of ids. A repository says which table it writes (``table``, the
parts' foreign key ``key``, its Chinese ``label``) and fills in ``_row`` (the main row),
``_write_parts`` (participants, topics ...) and ``_load`` (whole records for some ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

from sqlite_utils import Database

from branchdesk.domain.meetings import Attachment
from branchdesk.store.changelog import record_change
from branchdesk.store.members import NotFound
from branchdesk.store.periods import ensure_unlocked
from branchdesk.store.sql import id_chunks, now_text

R = TypeVar("R", bound=Any)

# Whole records loaded at a time by ``iter_many``: a meeting of a 1,000-member branch carries
# a thousand attendance rows, so fifty of them are a few megabytes.
STREAM_BATCH = 50


class RecordTable(Generic[R]):
    """Add, update, delete (with history) and read whole records of one table."""

    table: ClassVar[str]  # "meetings"
    key: ClassVar[str]  # the parts' column naming the record: "meeting_id"
    label: ClassVar[str]  # the record in Chinese messages: "会议"
    record_name: ClassVar[str]  # the record in programming errors: "meeting"

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- what a repository fills in -------------------------------------------------------

    @staticmethod
    def _row(record: R) -> dict[str, Any]:
        raise NotImplementedError

    def _write_parts(self, record_id: int, record: R, *, replace: bool) -> None:
        raise NotImplementedError

    def _load(self, ids: list[int], marks: str) -> dict[int, R]:
        raise NotImplementedError

    # -- writing ---------------------------------------------------------------------------

    def add(self, record: R, *, action: str = "insert") -> int:
        """Insert a record with everything it holds, in one transaction; return its id."""
        with self.db.atomic():
            ensure_unlocked(self.db, record.day)
            row = self._row(record)
            if record.id is not None:  # re-inserting a deleted record (undo) keeps its id
                row["id"] = record.id
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            cursor = self.db.execute(
                f"INSERT INTO {self.table} ({columns}) VALUES ({marks})", list(row.values())
            )
            record_id = int(cursor.lastrowid or 0) if record.id is None else record.id
            self._write_parts(record_id, record, replace=False)
            record.id = record_id
            record_change(self.db, action, None, record)
        return record_id

    def add_many(self, records: Iterable[R]) -> list[int]:
        """Insert several records, all or nothing."""
        with self.db.atomic():
            return [self.add(record) for record in records]

    def update(self, record: R, *, action: str = "update") -> None:
        if record.id is None:
            raise ValueError(f"{self.record_name} has no id")
        with self.db.atomic():
            before = self.get(record.id)
            ensure_unlocked(self.db, before.day, record.day)
            row = self._row(record)
            row["updated_at"] = now_text()
            assignments = ", ".join(f"{column} = ?" for column in row)
            cursor = self.db.execute(
                f"UPDATE {self.table} SET {assignments} WHERE id = ?", [*row.values(), record.id]
            )
            if cursor.rowcount != 1:
                raise NotFound(f"{self.label} {record.id} 不存在")
            self._write_parts(record.id, record, replace=True)
            record_change(self.db, action, before, record)

    def delete(self, record_id: int) -> R:
        """Delete a record and return it whole, so that the deletion can be undone."""
        with self.db.atomic():
            record = self.get(record_id)
            ensure_unlocked(self.db, record.day)
            self.db.execute(f"DELETE FROM {self.table} WHERE id = ?", [record_id])
            record_change(self.db, "delete", record, None)
        return record

    def _write_attachments(self, record_id: int, attachments: list[Attachment]) -> None:
        """Keep the attachment list as ``attachments`` says: drop the removed, add the new."""
        table = self._attachments_table
        kept = {a.stored_name for a in attachments}
        existing = {
            r["stored_name"]
            for r in self.db.query(
                f"SELECT stored_name FROM {table} WHERE {self.key} = ?", [record_id]
            )
        }
        for name in existing - kept:
            self.db.execute(f"DELETE FROM {table} WHERE stored_name = ?", [name])
        for attachment in attachments:
            if attachment.stored_name in existing:
                continue
            inserted = self.db.table(table).insert(
                {
                    self.key: record_id,
                    "filename": attachment.filename,
                    "stored_name": attachment.stored_name,
                }
            )
            attachment.id = int(inserted.last_pk or 0)

    # -- reading ---------------------------------------------------------------------------

    @property
    def _attachments_table(self) -> str:
        return self.key.removesuffix("_id") + "_attachments"

    def get(self, record_id: int) -> R:
        found = self.get_many([record_id])
        if not found:
            raise NotFound(f"{self.label} {record_id} 不存在")
        return found[0]

    def get_many(self, record_ids: Iterable[int]) -> list[R]:
        """Whole records, in the order of ``record_ids``; ids not stored are left out.

        A few queries per chunk of ids rather than per record: a year's return loads some
        three hundred meetings with ten thousand attendance rows.
        """
        wanted = list(dict.fromkeys(record_ids))
        loaded: dict[int, R] = {}
        for chunk, marks in id_chunks(wanted):
            loaded.update(self._load(chunk, marks))
        return [loaded[i] for i in wanted if i in loaded]

    def iter_many(self, record_ids: Iterable[int], *, batch: int | None = None) -> Iterator[R]:
        """Whole records in the order of ``record_ids``, read ``batch`` (``STREAM_BATCH``) at a
        time as they are taken: a listing of twenty years holds one batch, not all of them."""
        wanted = list(dict.fromkeys(record_ids))
        batch = batch or STREAM_BATCH
        for start in range(0, len(wanted), batch):
            chunk = wanted[start : start + batch]
            loaded = self._load(chunk, ", ".join("?" * len(chunk)))
            yield from (loaded[i] for i in chunk if i in loaded)

    def _load_attachments(self, records: dict[int, R], ids: list[int], marks: str) -> None:
        """Append each record's attachments, in the order they were added."""
        for r in self.db.query(
            f"SELECT {self.key}, id, filename, stored_name, added_at FROM "
            f"{self._attachments_table} WHERE {self.key} IN ({marks}) ORDER BY id",
            ids,
        ):
            records[r.pop(self.key)].attachments.append(Attachment(**r))

    def count(self) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])
