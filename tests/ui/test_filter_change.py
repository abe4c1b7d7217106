"""Filtering works on every PySide6 the project supports: 6.8/6.9 lack endFilterChange."""

from branchdesk.ui.models.table_models import change_filter


class _OldProxy:  # what a Qt 6.9 QSortFilterProxyModel offers
    def __init__(self) -> None:
        self.calls: list[str] = []

    def invalidateFilter(self) -> None:  # noqa: N802 - Qt's name
        self.calls.append("invalidate")


def test_without_end_filter_change_the_filter_is_invalidated_after_the_change():
    proxy = _OldProxy()
    change_filter(proxy, lambda: proxy.calls.append("apply"))  # type: ignore[arg-type]
    assert proxy.calls == ["apply", "invalidate"]


def test_with_it_the_change_is_bracketed(qapp):
    from PySide6.QtCore import QSortFilterProxyModel

    calls: list[str] = []

    class Proxy(QSortFilterProxyModel):
        def filterAcceptsRow(self, row, parent):  # noqa: N802
            calls.append("filter")
            return True

    proxy = Proxy()
    if not hasattr(proxy, "endFilterChange"):
        import pytest

        pytest.skip("this PySide6 has no endFilterChange")
    change_filter(proxy, lambda: calls.append("apply"))
    assert calls[0] == "apply"
