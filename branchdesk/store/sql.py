"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from branchdesk.domain.members import Category, MemberStatus

# Ids per ``IN (...)`` list: well under the 999 parameters of the oldest SQLite builds.
ID_CHUNK = 500


def now_text() -> str:
    """The local time as stored in ``created_at``/``updated_at`` columns."""
    return dt.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def like_pattern(text: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching ``text`` anywhere, literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def id_chunks(ids: Sequence[int]) -> Iterator[tuple[list[int], str]]:
    """Split ``ids`` for ``IN (...)`` queries: each chunk with its ``?, ?, ?`` marks."""
    for start in range(0, len(ids), ID_CHUNK):
        chunk = list(ids[start : start + ID_CHUNK])
        yield chunk, ", ".join("?" * len(chunk))


def quote(value: str) -> str:
    """``value`` as an SQL string literal (for the domain's fixed codes, not user text)."""
    return "'" + value.replace("'", "''") + "'"


def in_roster(column: str = "status", *, extra: tuple[str, ...] = ()) -> str:
    """The predicate "``column`` is a status still in the roster" (MemberStatus.in_roster).

    ``extra`` adds more stored values meaning the same (an older file's labels).
    """
    values = dict.fromkeys((*MemberStatus.roster_codes(), *extra))
    return f"{column} IN ({', '.join(quote(v) for v in values)})"


def is_category(column: str, category: Category) -> str:
    """The predicate "``column`` holds ``category``"."""
    return f"{column} = {quote(category.value)}"


class Conditions:
    """A WHERE clause built from the filters that are set, with its parameters in order."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[object] = []

    def add(self, clause: str, *params: object) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def period(self, start: dt.date | None, end: dt.date | None, *, starts: str, ends: str) -> None:
        """The record overlaps ``start``..``end``: its ``ends`` column on or after ``start``,
        its ``starts`` column on or before ``end`` (either bound may be open)."""
        if start:
            self.add(f"{ends} >= ?", start.isoformat())
        if end:
            self.add(f"{starts} <= ?", end.isoformat())

    def search(self, text: str, *tests: str) -> None:
        """Any of ``tests`` contains ``text`` literally: each a column (``m.title``) or an
        SQL test ending where the pattern goes (``EXISTS (... AND t.text``)."""
        text = text.strip()
        if not text:
            return
        likes = []
        for test in tests:
            close = ")" * (test.count("(") - test.count(")"))
            likes.append(f"{test} LIKE ? ESCAPE '\\'{close}")
        self.add("(" + " OR ".join(likes) + ")", *[like_pattern(text)] * len(tests))

    @property
    def sql(self) -> str:
        """``WHERE a AND b``, or nothing when no filter is set."""
        return f"WHERE {' AND '.join(self.clauses)}" if self.clauses else ""
