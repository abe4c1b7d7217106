"""签到表: the sign-in sheet members sign at a meeting, drawn table-first with QPainter.

The table is drawn by hand rather than through QTextDocument so that every signing row
is exactly ``ROW_MM`` tall, the table header repeats on every page and no row is ever
split at a page edge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from PySide6.QtCore import QDate, QLocale, QRectF, Qt
from sqlite_utils import Database

from branchdesk.domain.meetings import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    expected_members,
)
from branchdesk.printing.paged import Page, PrintError
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo, NotFound

# Sizes in millimetres; tests derive page counts from these.
ROW_MM = 12.0  # a signing row: room to sign with a pen
COMPACT_ROW_MM = 10.0  # a row of the compact layout (two people a row, about 40 a page)
COMPACT_ABOVE = 40  # more people expected than this: the compact layout by default
HEAD_ROW_MM = 9.0  # the table header row, repeated on every page
GUEST_BAND_MM = 8.0  # the “列席人员” band above the guest rows
GUEST_ROWS = 4
RUNNING_HEAD_MM = 10.0  # top of pages 2..M: “…签到表（续）”
SUMMARY_MM = 26.0  # 应到/实到 and the recorder's signature below the table
INFO_ROW_MM = 9.0  # minimum height of a row of the header block
KEEP_WITH_TAIL = 2  # member rows that move over with the guest rows rather than leave them alone

TITLE_PT = 20.0
SUBTITLE_PT = 16.0
INFO_PT = 11.0
HEAD_PT = 11.0
NAME_PT = 12.0
SMALL_PT = 10.0

CENTER = Qt.AlignmentFlag.AlignCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
WRAP = Qt.TextFlag.TextWordWrap


@dataclass(frozen=True)
class SigninRow:
    name: str
    group_name: str = ""
    note: str = ""  # printed in 备注: a recorded 请假 with its reason, when asked for


@dataclass
class SigninSheet:
    """Everything a sign-in sheet prints; ``day`` is None on a blank sheet, dated by hand."""

    branch_name: str
    kind_text: str  # e.g. 主题党日, 支部党员大会、党课
    rows: list[SigninRow]
    group_name: str = ""  # for a 党小组会 or a sheet for one group
    day: dt.date | None = None
    start: dt.time | None = None
    end: dt.time | None = None
    place: str = ""
    topic: str = ""
    host: str = ""
    recorder: str = ""
    lecture: tuple[str, str] | None = None  # (授课人, 党课题目) for a 党课
    guest_rows: int = GUEST_ROWS
    blank: bool = False
    pairs: int = 1  # name/signature pairs on a row: 1, or 2 for the compact layout

    def __post_init__(self) -> None:
        if self.pairs not in (1, 2):
            raise ValueError(f"pairs must be 1 or 2, not {self.pairs}")

    @property
    def show_group_column(self) -> bool:
        return self.pairs == 1 and len({row.group_name for row in self.rows}) > 1

    @property
    def heading(self) -> str:
        """“XX党支部 第一党小组 主题党日 签到表”, the words printed as the title."""
        parts = [self.branch_name, self.group_name, self.kind_text, "签到表"]
        return " ".join(p for p in parts if p)

    @property
    def title(self) -> str:
        return self.heading if self.day is None else f"{self.heading} {self.day.isoformat()}"


def date_text(day: dt.date) -> str:
    """2026年11月10日 星期二, in Chinese whatever the machine's locale."""
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return locale.toString(QDate(day.year, day.month, day.day), "yyyy年M月d日 dddd")


def time_text(day: dt.date | None, start: dt.time | None, end: dt.time | None) -> str:
    if day is None:
        return ""
    text = date_text(day)
    if start and end:
        text += f" {start:%H:%M}—{end:%H:%M}"
    elif start:
        text += f" {start:%H:%M}"
    return text


def kinds_text(kinds: list[MeetingKind]) -> str:
    return "、".join(kind.label for kind in kinds) or "会议"


def meeting_topic(meeting: Meeting) -> str:
    if meeting.title:
        return meeting.title
    if len(meeting.topics) == 1:
        return meeting.topics[0]
    return "；".join(f"{i}. {t}" for i, t in enumerate(meeting.topics, 1))


def _branch_name(db: Database) -> str:
    branch = BranchRepo(db).get()
    return branch.name if branch and branch.name else "党支部"


def auto_pairs(people: int) -> int:
    """The layout chosen when none is asked for: two people a row above ``COMPACT_ABOVE``."""
    return 2 if people > COMPACT_ABOVE else 1


def leave_note(reason: str) -> str:
    return f"请假：{reason.strip()}" if reason.strip() else "请假"


def signin_for_meeting(
    db: Database,
    meeting: int | Meeting,
    *,
    pairs: int | None = None,
    leave_notes: bool = False,
) -> SigninSheet:
    """The sheet for a meeting (an id, or one being edited): its expected members.

    They come from the meeting's attendance, ordered by party group, then roster order.
    ``pairs`` is 1 or 2 people a row (None: chosen by the number expected);
    ``leave_notes`` fills 备注 with each recorded 请假 and its reason.
    """
    if not isinstance(meeting, Meeting):
        try:
            meeting = MeetingRepo(db).get(meeting)
        except NotFound as exc:
            raise PrintError(f"会议 {meeting} 不存在") from exc
    group_rank = {g.name: i for i, g in enumerate(GroupRepo(db).list())}
    roster_rank = {m.id: i for i, m in enumerate(MemberRepo(db).list())}
    late = len(group_rank) + 1

    def key(item: tuple[int, SigninRow, int]) -> tuple[int, str, int, int]:
        position, row, member_id = item
        group = group_rank.get(row.group_name, late if row.group_name else late + 1)
        return (group, row.group_name, roster_rank.get(member_id, len(roster_rank)), position)

    def note(a: Attendance) -> str:
        return leave_note(a.reason) if leave_notes and a.status is AttendanceStatus.LEAVE else ""

    items = [
        (i, SigninRow(a.name, a.group_name, note(a)), a.member_id)
        for i, a in enumerate(meeting.attendance)
    ]
    rows = [row for _, row, _ in sorted(items, key=key)]
    lecture = None
    if any(kind.spec.lecturer for kind in meeting.kinds):
        lecture = (meeting.lecturer.name, meeting.lecture_title)
    return SigninSheet(
        branch_name=_branch_name(db),
        kind_text=kinds_text(meeting.kinds),
        rows=rows,
        group_name=meeting.group_name if any(k.spec.group for k in meeting.kinds) else "",
        day=meeting.day,
        start=meeting.start,
        end=meeting.end,
        place=meeting.place,
        topic=meeting_topic(meeting),
        host=meeting.host.name,
        recorder=meeting.recorder.name,
        lecture=lecture,
        pairs=pairs or auto_pairs(len(rows)),
    )


def blank_signin(
    db: Database,
    kind: MeetingKind,
    group_id: int | None = None,
    today: dt.date | None = None,
    *,
    pairs: int | None = None,
) -> SigninSheet:
    """A sheet for a meeting not yet recorded: who is expected today, the rest by hand."""
    today = today or dt.date.today()
    group_name = ""
    if group_id is not None:
        try:
            group_name = GroupRepo(db).get(group_id).name
        except NotFound as exc:
            raise PrintError(f"党小组 {group_id} 不存在") from exc
    elif kind.spec.group:
        raise PrintError(f"{kind.label}的签到表请选择党小组")
    members = expected_members(MemberRepo(db).list(), [kind], today, group_id)
    if group_id is not None:  # a whole-branch kind held by one group
        members = [m for m in members if m.group_id == group_id]
    return SigninSheet(
        branch_name=_branch_name(db),
        kind_text=kind.label,
        rows=[SigninRow(m.name, m.group_name) for m in members],
        group_name=group_name,
        lecture=("", "") if kind.spec.lecturer else None,
        blank=True,
        pairs=pairs or auto_pairs(len(members)),
    )


# -- drawing ---------------------------------------------------------------------------------


@dataclass
class _Column:
    title: str
    share: float  # of the table width


@dataclass
class _Plan:
    """Where things go, worked out once per device by ``paginate``."""

    columns: list[tuple[str, float, float]] = field(default_factory=list)  # title, x, width
    title_lines: list[tuple[str, float, float]] = field(default_factory=list)  # text, pt, height
    info_rows: list[tuple[list[tuple[str, str]], float]] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)  # member rows [from, to)
    tail_on: int = 0  # the page with the guest rows and the summary


class SigninDocument:
    """A ``PagedDocument`` for one ``SigninSheet``."""

    def __init__(self, sheet: SigninSheet) -> None:
        self.sheet = sheet
        self.title = sheet.title
        self._plan = _Plan()

    # -- layout -------------------------------------------------------------------------------

    @property
    def row_mm(self) -> float:
        return COMPACT_ROW_MM if self.sheet.pairs == 2 else ROW_MM

    def _columns(self, page: Page) -> list[tuple[str, float, float]]:
        if self.sheet.pairs == 2:  # 序号 姓名 签到 备注 | 序号 姓名 签到 备注
            pair = [_Column("序号", 9), _Column("姓名", 26), _Column("签到", 33), _Column("备注", 22)]
            spec = pair + pair
        elif self.sheet.show_group_column:
            spec = [
                _Column("序号", 14),
                _Column("姓名", 38),
                _Column("党小组", 30),
                _Column("签到", 64),
                _Column("备注", 34),
            ]
        else:
            spec = [
                _Column("序号", 14),
                _Column("姓名", 44),
                _Column("签到", 84),
                _Column("备注", 38),
            ]
        total = sum(c.share for c in spec)
        x = page.rect.left()
        columns = []
        for column in spec:
            width = page.rect.width() * column.share / total
            columns.append((column.title, x, width))
            x += width
        return columns

    def _info_cells(self) -> list[list[tuple[str, str]]]:
        sheet = self.sheet
        if sheet.blank:
            when = "        年      月      日      时      分"
        else:
            when = time_text(sheet.day, sheet.start, sheet.end)
        rows = [
            [("时间", when), ("地点", sheet.place)],
            [("主题", sheet.topic)],
            [("主持人", sheet.host), ("记录人", sheet.recorder)],
        ]
        if sheet.lecture is not None:
            rows.insert(2, [("授课人", sheet.lecture[0]), ("党课题目", sheet.lecture[1])])
        return rows

    def _value_widths(self, page: Page, cells: list[tuple[str, str]]) -> tuple[float, list[float]]:
        """(label width, the value widths) of a row of the header block, in device pixels.

        The first value of a two-pair row gets more room: it holds the date and time.
        """
        label = page.mm(20)
        free = page.rect.width() - len(cells) * label
        if len(cells) == 2:
            return label, [free * 0.58, free * 0.42]
        return label, [free]

    def paginate(self, page: Page) -> int:
        plan = _Plan()
        plan.columns = self._columns(page)
        width = page.rect.width()
        sheet = self.sheet

        one_line = sheet.heading
        if page.text_width(one_line, TITLE_PT) <= 0.85 * width:
            plan.title_lines = [(one_line, TITLE_PT, page.mm(11))]
        else:
            rest = " ".join(p for p in (sheet.group_name, sheet.kind_text, "签到表") if p)
            plan.title_lines = [
                (sheet.branch_name, SUBTITLE_PT, page.mm(9)),
                (rest, TITLE_PT, page.mm(11)),
            ]
        padding = page.mm(2)
        for cells in self._info_cells():
            _, widths = self._value_widths(page, cells)
            flags = int(LEFT | WRAP)
            needed = max(
                page.text_height(value or " ", INFO_PT, cell_w - 2 * padding, flags)
                for (_, value), cell_w in zip(cells, widths, strict=True)
            )
            plan.info_rows.append((cells, max(page.mm(INFO_ROW_MM), needed + 2 * padding)))

        first_top = self._first_page_top(page, plan)
        rest_top = page.rect.top() + page.mm(RUNNING_HEAD_MM)
        head = page.mm(HEAD_ROW_MM)
        row = page.mm(self.row_mm)
        pairs = sheet.pairs
        tail = page.mm(GUEST_BAND_MM) + sheet.guest_rows * row + page.mm(SUMMARY_MM)
        bottom = page.rect.bottom()

        count = len(sheet.rows)
        start = 0
        top = first_top
        while True:
            fits = max(0, int((bottom - top - head + 1e-6) // row))
            end = min(count, start + fits * pairs)
            plan.pages.append((start, end))
            used = top + head + -(-(end - start) // pairs) * row
            if end == count:
                if used + tail > bottom + 1e-6:
                    # The guest rows and the summary go over; a few members go with them,
                    # so that no page holds nothing but blank rows.
                    keep = KEEP_WITH_TAIL * pairs
                    carry = min(keep, end - start - 1) if end > start else 0
                    plan.pages[-1] = (start, end - carry)
                    plan.pages.append((end - carry, count))
                plan.tail_on = len(plan.pages) - 1
                break
            if fits == 0 and end == start:  # page too small for one row: give up loudly
                raise PrintError("纸张太小，放不下签到表的一行")
            start = end
            top = rest_top
        self._plan = plan
        return len(plan.pages)

    def _first_page_top(self, page: Page, plan: _Plan) -> float:
        y = page.rect.top()
        y += sum(height for _, _, height in plan.title_lines) + page.mm(3)
        y += sum(height for _, height in plan.info_rows) + page.mm(5)
        return y

    # -- drawing ------------------------------------------------------------------------------

    def draw_page(self, page: Page, index: int) -> None:
        plan = self._plan
        if index == 0:
            y = self._draw_title_block(page)
        else:
            y = self._draw_running_head(page)
        y = self._draw_table_head(page, y)
        start, end = plan.pages[index]
        table_top = y - page.mm(HEAD_ROW_MM)
        # Two people a row: down the left half of the page, then down the right.
        lines = -(-(end - start) // self.sheet.pairs)
        for line in range(lines):
            numbers = [start + line + half * lines for half in range(self.sheet.pairs)]
            y = self._draw_member_row(page, y, [n for n in numbers if n < end])
        if index == plan.tail_on:
            y = self._draw_guest_rows(page, y)
        self._draw_grid_outline(page, table_top, y)
        if index == plan.tail_on:
            self._draw_summary(page, y + page.mm(8))

    def _draw_title_block(self, page: Page) -> float:
        plan = self._plan
        rect = page.rect
        y = rect.top()
        for text, size, height in plan.title_lines:
            page.draw_text(QRectF(rect.left(), y, rect.width(), height), text, size, CENTER)
            y += height
        y += page.mm(3)
        padding = page.mm(2)
        top = y
        for cells, height in plan.info_rows:
            x = rect.left()
            label_w, widths = self._value_widths(page, cells)
            for n, ((label, value), cell_w) in enumerate(zip(cells, widths, strict=True)):
                page.draw_text(QRectF(x, y, label_w, height), label, INFO_PT, CENTER)
                box = QRectF(x + label_w + padding, y, cell_w - 2 * padding, height)
                page.draw_text(box, value, INFO_PT, LEFT | WRAP)
                page.line(x + label_w, y, x + label_w, y + height)
                if n == 0 and len(cells) == 2:
                    page.line(x + label_w + cell_w, y, x + label_w + cell_w, y + height)
                x += label_w + cell_w
            page.line(rect.left(), y + height, rect.right(), y + height)
            y += height
        self._box(page, QRectF(rect.left(), top, rect.width(), y - top))
        return y + page.mm(5)

    def _draw_running_head(self, page: Page) -> float:
        rect = page.rect
        band = QRectF(rect.left(), rect.top(), rect.width(), page.mm(RUNNING_HEAD_MM - 3))
        page.draw_text(band, f"{self.sheet.heading}（续）", SMALL_PT, LEFT)
        if self.sheet.day is not None:
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            page.draw_text(band, date_text(self.sheet.day), SMALL_PT, right)
        page.line(rect.left(), band.bottom(), rect.right(), band.bottom(), 0.2)
        return rect.top() + page.mm(RUNNING_HEAD_MM)

    def _draw_table_head(self, page: Page, y: float) -> float:
        height = page.mm(HEAD_ROW_MM)
        for title, x, width in self._plan.columns:
            page.draw_text(QRectF(x, y, width, height), title, HEAD_PT, CENTER)
        self._row_lines(page, y, height, heavy=True)
        return y + height

    def _draw_member_row(self, page: Page, y: float, numbers: list[int]) -> float:
        height = page.mm(self.row_mm)
        per_pair = len(self._plan.columns) // self.sheet.pairs
        for pair, number in enumerate(numbers):
            row = self.sheet.rows[number]
            values = {
                "序号": str(number + 1),
                "姓名": row.name,
                "党小组": row.group_name,
                "备注": row.note,
            }
            for title, x, width in self._plan.columns[pair * per_pair : (pair + 1) * per_pair]:
                text = values.get(title, "")
                if not text:
                    continue
                size = NAME_PT if title == "姓名" else SMALL_PT
                self._fit_text(page, QRectF(x, y, width, height), text, size)
        self._row_lines(page, y, height)
        return y + height

    def _fit_text(self, page: Page, rect: QRectF, text: str, size: float) -> None:
        """Draw ``text`` centred, smaller or on two lines rather than cut off."""
        room = rect.width() - page.mm(2)
        while size > 8 and page.text_width(text, size) > room:
            size -= 0.5
        inner = QRectF(rect.left() + page.mm(1), rect.top(), room, rect.height())
        page.draw_text(inner, text, size, CENTER | WRAP)

    def _draw_guest_rows(self, page: Page, y: float) -> float:
        rect = page.rect
        band = page.mm(GUEST_BAND_MM)
        page.draw_text(
            QRectF(rect.left() + page.mm(3), y, rect.width(), band), "列席人员", SMALL_PT, LEFT
        )
        page.line(rect.left(), y + band, rect.right(), y + band)
        y += band
        height = page.mm(self.row_mm)
        for _ in range(self.sheet.guest_rows):
            self._row_lines(page, y, height)
            y += height
        return y

    def _row_lines(self, page: Page, y: float, height: float, *, heavy: bool = False) -> None:
        """The bottom rule of a row and the rules between its cells."""
        rect = page.rect
        page.line(rect.left(), y + height, rect.right(), y + height, 0.5 if heavy else 0.25)
        per_pair = len(self._plan.columns) // self.sheet.pairs
        for index, (_, x, _) in enumerate(self._plan.columns[1:], start=1):
            between_pairs = index % per_pair == 0  # the rule between two people: heavier
            page.line(x, y, x, y + height, 0.5 if between_pairs else 0.25)

    def _draw_grid_outline(self, page: Page, top: float, bottom: float) -> None:
        self._box(page, QRectF(page.rect.left(), top, page.rect.width(), bottom - top))

    def _box(self, page: Page, rect: QRectF) -> None:
        page.line(rect.left(), rect.top(), rect.right(), rect.top(), 0.5)
        page.line(rect.left(), rect.bottom(), rect.right(), rect.bottom(), 0.5)
        page.line(rect.left(), rect.top(), rect.left(), rect.bottom(), 0.5)
        page.line(rect.right(), rect.top(), rect.right(), rect.bottom(), 0.5)

    def _draw_summary(self, page: Page, y: float) -> None:
        """应到 ____ 人　实到 ____ 人, then the recorder's signature: filled in by hand."""
        x = page.rect.left() + page.mm(4)
        line_h = page.mm(8)
        x = self._label_blank(page, x, y, line_h, "应到", 18, "人")
        self._label_blank(page, x + page.mm(14), y, line_h, "实到", 18, "人")
        y += line_h + page.mm(4)
        self._label_blank(page, page.rect.left() + page.mm(4), y, line_h, "记录人签字：", 45, "")

    def _label_blank(
        self, page: Page, x: float, y: float, height: float, label: str, blank_mm: float, unit: str
    ) -> float:
        width = page.text_width(label, INFO_PT) + page.mm(1)
        page.draw_text(QRectF(x, y, width, height), label, INFO_PT, LEFT)
        x += width + page.mm(1)
        page.line(x, y + height - page.mm(1.5), x + page.mm(blank_mm), y + height - page.mm(1.5))
        x += page.mm(blank_mm) + page.mm(1)
        if unit:
            unit_w = page.text_width(unit, INFO_PT) + page.mm(1)
            page.draw_text(QRectF(x, y, unit_w, height), unit, INFO_PT, LEFT)
            x += unit_w
        return x
