"""JSON written one value at a time, for listings too long to build whole in memory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

INDENT = 2


def write_json_array(out: TextIO, values: Iterable[Any]) -> int:
    """Write ``values`` to ``out`` as one JSON array, taking and writing one value at a time.

    The text is exactly ``json.dumps(list(values), ensure_ascii=False, indent=2) + "\\n"``:
    each value is dumped at the array's indentation (a newline inside a JSON string is
    always escaped, so every newline in a dump is layout). Returns how many were written.
    """
    count = 0
    pad = " " * INDENT
    for value in values:
        text = json.dumps(value, ensure_ascii=False, indent=INDENT).replace("\n", "\n" + pad)
        out.write(("[\n" if count == 0 else ",\n") + pad + text)
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count
