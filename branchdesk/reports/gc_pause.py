"""Pause Python's automatic cycle collection while a report builds many objects at once."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def collection_paused() -> Iterator[None]:
    """Run the block with automatic collection off, then restore what it was.

    A year's return makes some hundred thousand objects (members, rows, cells); each 700
    allocations start a collection, and the full ones walk every live object of the
    process: about a fifth of the time of a 1,000-member return. Nearly all of these
    objects are freed by reference counting; what forms cycles (the workbook) is collected
    later as usual. The window already runs with automatic collection off (``qtsetup``):
    there the block changes nothing, and it never turns collection on where it was off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def without_collection(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate ``fn`` to run inside ``collection_paused()``."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with collection_paused():
            return fn(*args, **kwargs)

    return wrapper
