"""The roster as a table model, and the proxy that sorts and filters it for the 党员 page."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCollator,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from branchdesk.domain.members import Category, Member, MemberStatus, Role
from branchdesk.domain.privacy import mask_phone
from branchdesk.ui import theme
from branchdesk.ui.models.table_models import change_filter

Index = QModelIndex | QPersistentModelIndex

MEMBER_ROLE = Qt.ItemDataRole.UserRole + 1  # the Member behind the row
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a plain Python value that sorts sensibly


class Column(enum.IntEnum):
    NAME = 0
    GENDER = 1
    BIRTH_DATE = 2
    JOIN_DATE = 3
    CATEGORY = 4
    GROUP = 5
    ROLES = 6
    PHONE = 7
    STATUS = 8


HEADERS = {
    Column.NAME: QT_TRANSLATE_NOOP("MemberTableModel", "姓名"),
    Column.GENDER: QT_TRANSLATE_NOOP("MemberTableModel", "性别"),
    Column.BIRTH_DATE: QT_TRANSLATE_NOOP("MemberTableModel", "出生日期"),
    Column.JOIN_DATE: QT_TRANSLATE_NOOP("MemberTableModel", "入党时间"),
    Column.CATEGORY: QT_TRANSLATE_NOOP("MemberTableModel", "类别"),
    Column.GROUP: QT_TRANSLATE_NOOP("MemberTableModel", "党小组"),
    Column.ROLES: QT_TRANSLATE_NOOP("MemberTableModel", "支委职务"),
    Column.PHONE: QT_TRANSLATE_NOOP("MemberTableModel", "联系电话"),
    Column.STATUS: QT_TRANSLATE_NOOP("MemberTableModel", "状态"),
}

_LEFT_COLOR = QColor(theme.LEFT_GREY)
_PROBATIONARY_COLOR = QColor(theme.WARNING)
_CENTERED = {Column.GENDER, Column.CATEGORY, Column.STATUS}
_COLUMNS = tuple(Column)  # by index: a tuple lookup per data() call, not an Enum call
_SERVED_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        MEMBER_ROLE,
        SORT_ROLE,
    )
)


def _display(member: Member, column: Column) -> str:
    if column is Column.NAME:
        return member.name
    if column is Column.GENDER:
        return member.gender.label if member.gender else ""
    if column is Column.BIRTH_DATE:
        return member.birth_date.display() if member.birth_date else ""
    if column is Column.JOIN_DATE:
        return member.join_date.display() if member.join_date else ""
    if column is Column.CATEGORY:
        return member.category.label
    if column is Column.GROUP:
        return member.group_name
    if column is Column.ROLES:
        return "、".join(role.label for role in member.roles)
    if column is Column.PHONE:
        return mask_phone(member.phone)  # in full only in the member's form
    if member.status.in_roster or member.status_date is None:
        return member.status.label
    return f"{member.status.label}（{member.status_date.display()}）"


def _sort_key(member: Member, column: Column) -> Any:
    if column is Column.BIRTH_DATE:
        return member.birth_date.first_day().isoformat() if member.birth_date else "9999"
    if column is Column.JOIN_DATE:
        return member.join_date.first_day().isoformat() if member.join_date else "9999"
    if column is Column.ROLES:
        # committee members first, in the order of their highest role
        order = list(Role)
        return min((order.index(r) for r in member.roles), default=len(order))
    if column is Column.STATUS:
        return list(MemberStatus).index(member.status)
    return _display(member, column)


class MemberTableModel(QAbstractTableModel):
    """Members, one per row; fed with ``set_rows`` and never touching the database."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Member] = []

    def set_rows(self, rows: list[Member]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def member_at(self, row: int) -> Member:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _SERVED_ROLES:  # sizing a column asks each cell for a dozen roles
            return None
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        member = self._rows[index.row()]
        column = _COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(member, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.NAME:
            return member.workplace or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if not member.status.in_roster:
                return QBrush(_LEFT_COLOR)
            if column is Column.CATEGORY and member.category is Category.PROBATIONARY:
                return QBrush(_PROBATIONARY_COLOR)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in _CENTERED:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == MEMBER_ROLE:
            return member
        if role == SORT_ROLE:
            return _sort_key(member, column)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if Column(section) in _CENTERED:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None


NO_GROUP = -1  # the group filter value for members not in any 党小组


class MemberFilterProxy(QSortFilterProxyModel):
    """Filter by group, category, roster status and free text; sort names by pinyin."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._group: int | None = None
        self._category: Category | None = None
        self._include_left = False
        self._search = ""
        # Chinese collation orders names by pinyin where ICU provides it, else by code point.
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self._collator.setNumericMode(True)
        self.setSortRole(SORT_ROLE)

    def set_group(self, group_id: int | None) -> None:
        """Show one group's members (``NO_GROUP`` for those without), or all for None."""
        self._change_filter(group=group_id)

    def set_category(self, category: Category | None) -> None:
        self._change_filter(category=category)

    def set_include_left(self, include: bool) -> None:
        self._change_filter(include_left=include)

    def set_search(self, text: str) -> None:
        self._change_filter(search=text.strip().casefold())

    def is_narrowed(self) -> bool:
        """Tell whether a group, category or search hides some roster members."""
        return self._group is not None or self._category is not None or bool(self._search)

    def _change_filter(self, **values: Any) -> None:
        def apply() -> None:
            for name, value in values.items():
                setattr(self, f"_{name}", value)

        change_filter(self, apply)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        model = self.sourceModel()
        member = model.data(model.index(source_row, 0, source_parent), MEMBER_ROLE)
        if not isinstance(member, Member):
            return False
        if not self._include_left and not member.status.in_roster:
            return False
        if self._group is not None:
            wanted = None if self._group == NO_GROUP else self._group
            if member.group_id != wanted:
                return False
        if self._category is not None and member.category is not self._category:
            return False
        if self._search:  # the full values, though lists show them masked
            haystack = (member.name, member.id_number, member.phone, member.workplace)
            if not any(self._search in value.casefold() for value in haystack):
                return False
        return True

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        a = left.data(SORT_ROLE)
        b = right.data(SORT_ROLE)
        if isinstance(a, str) and isinstance(b, str):
            if a == b:
                return left.row() < right.row()
            if not a or not b:  # empty cells last in ascending order
                return bool(a)
            return self._collator.compare(a, b) < 0
        if a == b:
            return left.row() < right.row()
        return bool(a < b)
