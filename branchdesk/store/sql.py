"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

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
