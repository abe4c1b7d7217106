"""What every dated record with participants shares (会议, 活动; later 党费, 发展党员, 谈话):
the shape of a record and of its list row, and the repository the pages and editors use.

``MeetingRepo`` and ``ActivityRepo`` satisfy ``RecordRepo`` as they are; a new record type
gets a repository with the same seven methods and can then use the shared list page, table
model and undo of a deletion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar, runtime_checkable


class DatedRecord(Protocol):
    """A stored record: an id once saved, and the day it happened on."""

    id: int | None
    day: dt.date


class RecordSummary(Protocol):
    """A row of a record list: enough to show, sort and select, without the details."""

    @property
    def id(self) -> int: ...

    @property
    def day(self) -> dt.date: ...


Record = TypeVar("Record", bound=DatedRecord)
Summary_co = TypeVar("Summary_co", bound=RecordSummary, covariant=True)
Filter_contra = TypeVar("Filter_contra", contravariant=True)


@runtime_checkable
class RecordRepo(Protocol[Record, Summary_co, Filter_contra]):
    """The repository of one record type; every write is one transaction and is recorded in
    the change history. Ids are taken positionally (the repositories name them differently)."""

    def get(self, record_id: int, /) -> Record:
        """The whole record; ``NotFound`` if there is none with that id."""
        ...

    def get_many(self, record_ids: Iterable[int], /) -> list[Record]:
        """The whole records for ``record_ids``, in one read."""
        ...

    def summaries(self, where: Filter_contra | None = None, /) -> list[Summary_co]:
        """The list rows the filter lets through, newest first."""
        ...

    def count(self) -> int:
        """How many records are stored, whatever a filter says."""
        ...

    def add(self, record: Record, /, *, action: str = "insert") -> int:
        """Store a new record (an undone deletion keeps its id) and return its id."""
        ...

    def update(self, record: Record, /, *, action: str = "update") -> None:
        """Store a changed record under its id."""
        ...

    def delete(self, record_id: int, /) -> Record:
        """Delete a record and return it whole, so the deletion can be undone."""
        ...


class Participant(Protocol):
    @property
    def member_id(self) -> int: ...


P = TypeVar("P", bound=Participant)


def with_repeats(people: Iterable[P]) -> Iterator[tuple[P, bool]]:
    """Each person of a record's list, and whether their member was listed before them."""
    seen: set[int] = set()
    for person in people:
        yield person, person.member_id in seen
        seen.add(person.member_id)
