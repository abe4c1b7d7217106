"""签到表 PDFs checked as a secretary would: pages, size, title and header, every name once."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from demo_cache import write_demo_branch
from pdf_checks import (
    RARE_NAMES,
    assert_a4,
    assert_clean_text,
    base_fonts,
    member_names,
    page_lines,
    pdf_pages,
)

from branchdesk.domain.meetings import MeetingKind, MeetingStatus
from branchdesk.printing import signin
from branchdesk.printing.paged import FOOTER_MM, MARGIN_MM, PrintError
from branchdesk.printing.pdf import write_pdf
from branchdesk.printing.signin import (
    SigninDocument,
    SigninRow,
    SigninSheet,
    blank_signin,
    signin_for_meeting,
)
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo

GROUPS = ["第一党小组", "第二党小组", "第三党小组"]
# Rows on a page after the first: A4 minus margins, footer, running head and table header.
ROWS_PER_PAGE = math.floor(
    (297 - 2 * MARGIN_MM - FOOTER_MM - signin.RUNNING_HEAD_MM - signin.HEAD_ROW_MM) / signin.ROW_MM
)


def sheet_of(count: int) -> SigninSheet:
    names = member_names(count)
    return SigninSheet(
        branch_name="城关街道幸福里社区党支部",
        kind_text="主题党日",
        rows=[SigninRow(name, GROUPS[i * len(GROUPS) // count]) for i, name in enumerate(names)],
        day=dt.date(2026, 11, 10),
        start=dt.time(14, 30),
        end=dt.time(16, 30),
        place="社区党群服务中心二楼会议室",
        topic="重温入党誓词，过政治生日",
        host="钱晓东",  # not in the member list, so each member name prints once
        recorder="钱丽",
    )


def names_on(lines: list[str], names: list[str]) -> list[str]:
    wanted = set(names)
    return [line for line in lines if line in wanted]


@pytest.mark.parametrize(("count", "pages"), [(10, 1), (45, 3), (200, 11)])
def test_sheet_pages_for_10_45_200_members(qapp, tmp_path, count, pages):
    path = tmp_path / "签到表.pdf"
    sheet = sheet_of(count)
    assert write_pdf(SigninDocument(sheet), path) == pages
    texts = pdf_pages(path)
    assert len(texts) == pages
    assert_a4(path)
    assert_clean_text(texts)
    names = [row.name for row in sheet.rows]
    per_page = [names_on(page_lines(text), names) for text in texts]
    # Every expected name exactly once, in order, across the pages.
    assert [name for page in per_page for name in page] == names
    # Full pages in the middle hold exactly what the row height allows; the first page
    # has the title and header block, and the last also the guest rows and summary.
    for page in per_page[1:-1]:
        assert len(page) == ROWS_PER_PAGE
    assert pages == 1 + math.ceil(max(0, count - len(per_page[0])) / ROWS_PER_PAGE) or (
        len(per_page[-1]) <= signin.KEEP_WITH_TAIL
    )
    for number, text in enumerate(texts, 1):
        lines = page_lines(text)
        assert "签到表" in text, number
        for header in ("序号", "姓名", "党小组", "签到", "备注"):
            assert header in lines, (number, header)
        assert lines[-1].split() == ["第", str(number), "页", "共", str(pages), "页"]
    first = texts[0]
    assert "城关街道幸福里社区党支部" in first and "主题党日" in first
    for label in ("时间", "地点", "主题", "主持人", "记录人"):
        assert label in page_lines(first)
    assert "2026年11月10日" in first and "14:30—16:30" in first
    assert "社区党群服务中心二楼会议室" in first
    last = page_lines(texts[-1])
    assert "列席人员" in last and "应到" in last and "实到" in last
    assert "记录人签字：" in last


def test_rare_names_print_as_text_in_the_bundled_font(qapp, tmp_path):
    path = tmp_path / "s.pdf"
    write_pdf(SigninDocument(sheet_of(12)), path)
    text = "".join(pdf_pages(path))
    for name in RARE_NAMES:
        assert text.count(name) == 1, name
    fonts = base_fonts(path)
    assert fonts and all("WenQuanYi" in font for font in fonts), fonts
    # No synthetic bold: it draws each glyph twice and text copies out doubled.
    assert "签到表签到表" not in text and "签签" not in text


def test_group_column_only_when_more_than_one_group(qapp, tmp_path):
    sheet = sheet_of(5)
    sheet.rows = [SigninRow(row.name, "第一党小组") for row in sheet.rows]
    path = tmp_path / "s.pdf"
    write_pdf(SigninDocument(sheet), path)
    lines = page_lines(pdf_pages(path)[0])
    assert "党小组" not in lines and "第一党小组" not in lines


def test_a_long_branch_name_wraps_the_title_instead_of_running_off(qapp, tmp_path):
    sheet = sheet_of(3)
    sheet.branch_name = "中共某某省某某市某某区某某街道某某社区第一网格第二居民小组联合党支部"
    path = tmp_path / "s.pdf"
    write_pdf(SigninDocument(sheet), path)
    lines = page_lines(pdf_pages(path)[0])
    assert lines[0] == sheet.branch_name
    assert lines[1].split() == ["主题党日", "签到表"]


def test_a_full_first_page_moves_names_over_with_the_guest_rows(qapp, tmp_path):
    """The guest rows and summary never stand alone on a page of blank rows."""
    path = tmp_path / "s.pdf"
    for count in range(10, 25):
        sheet = sheet_of(count)
        pages = write_pdf(SigninDocument(sheet), path)
        texts = pdf_pages(path)
        last = names_on(page_lines(texts[-1]), [row.name for row in sheet.rows])
        assert pages == 1 or last, count


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo45")
    write_demo_branch(folder, members=45, seed=3, today=dt.date(2026, 11, 1))
    return folder


def test_sheet_for_a_planned_meeting_lists_its_expected_members(qapp, demo_dir, tmp_path):
    db = open_database(demo_dir / DB_FILENAME)
    repo = MeetingRepo(db)
    planned = repo.summaries(MeetingFilter(status=MeetingStatus.PLANNED))[0]
    meeting = repo.get(planned.id)
    sheet = signin_for_meeting(db, planned.id)
    assert sorted(r.name for r in sheet.rows) == sorted(a.name for a in meeting.attendance)
    # By party group, then roster order.
    group_order = [g.name for g in GroupRepo(db).list()]
    roster = [m.name for m in MemberRepo(db).list()]
    keys = [(group_order.index(r.group_name), roster.index(r.name)) for r in sheet.rows]
    assert keys == sorted(keys)
    path = tmp_path / "planned.pdf"
    write_pdf(SigninDocument(sheet), path)
    text = "\n".join(pdf_pages(path))
    for row in sheet.rows:
        assert page_lines(text).count(row.name) == 1 + (
            row.name in (meeting.host.name, meeting.recorder.name)
        )
    assert meeting.kinds[0].label in text
    db.close()


def test_blank_sheet_for_one_group_is_dated_by_hand(qapp, demo_dir, tmp_path):
    db = open_database(demo_dir / DB_FILENAME)
    group = GroupRepo(db).list()[1]
    sheet = blank_signin(db, MeetingKind.GROUP, group.id, today=dt.date(2026, 11, 1))
    members = [m for m in MemberRepo(db).list() if m.group_id == group.id]
    assert {r.name for r in sheet.rows} == {m.name for m in members if m.status.in_roster}
    path = tmp_path / "blank.pdf"
    write_pdf(SigninDocument(sheet), path)
    text = pdf_pages(path)[0]
    assert f"{group.name}" in text and "党小组会" in text and "签到表" in text
    assert "年" in text and "2026年" not in text  # the date is written by hand
    assert "党小组\n" not in text  # one group: no group column
    with pytest.raises(PrintError):
        blank_signin(db, MeetingKind.GROUP, None)
    db.close()


def test_blank_sheet_for_a_branch_kind_and_a_group_lists_that_group_only(qapp, demo_dir):
    db = open_database(demo_dir / DB_FILENAME)
    group = GroupRepo(db).list()[0]
    sheet = blank_signin(db, MeetingKind.THEME_DAY, group.id)
    assert sheet.rows and {r.group_name for r in sheet.rows} == {group.name}
    whole = blank_signin(db, MeetingKind.THEME_DAY)
    assert len(whole.rows) > len(sheet.rows)
    db.close()


# -- the compact layout: two people a row for big branches ------------------------------------


def test_198_members_print_two_a_row_on_at_most_6_pages(qapp, tmp_path):
    sheet = sheet_of(198)
    sheet.pairs = 2
    path = tmp_path / "签到表.pdf"
    pages = write_pdf(SigninDocument(sheet), path)
    assert pages <= 6
    texts = pdf_pages(path)
    assert_a4(path)
    assert_clean_text(texts)
    names = [row.name for row in sheet.rows]
    per_page = [names_on(page_lines(text), names) for text in texts]
    # Every name exactly once; on each page down the left half, then down the right.
    assert sorted(n for page in per_page for n in page) == sorted(names)
    assert len(set().union(*map(set, per_page))) == len(names)
    for number, text in enumerate(texts, 1):
        lines = page_lines(text)
        assert lines.count("姓名") == 2 and lines.count("签到") == 2, number  # header repeated
        assert lines[-1].split() == ["第", str(number), "页", "共", str(pages), "页"]
    assert all(len(page) >= 36 for page in per_page[:-1])  # about 40 people a page
    assert "列席人员" in texts[-1] and "记录人签字：" in texts[-1]
    # The same people one to a row take twice the paper.
    assert write_pdf(SigninDocument(sheet_of(198)), tmp_path / "一列.pdf") > 2 * pages - 2


def test_layout_is_chosen_by_size_unless_asked(qapp, demo_dir):
    db = open_database(demo_dir / DB_FILENAME)
    meeting = MeetingRepo(db).summaries()[0].id
    expected = len(MeetingRepo(db).get(meeting).attendance)
    assert signin.auto_pairs(40) == 1 and signin.auto_pairs(41) == 2
    assert signin_for_meeting(db, meeting).pairs == signin.auto_pairs(expected)
    assert signin_for_meeting(db, meeting, pairs=2).pairs == 2
    blank = blank_signin(db, MeetingKind.THEME_DAY, pairs=2)
    assert blank.pairs == 2
    db.close()


@pytest.mark.parametrize("pairs", [1, 2])
def test_recorded_leave_is_prefilled_in_notes_only_when_asked(qapp, demo_dir, tmp_path, pairs):
    db = open_database(demo_dir / DB_FILENAME)
    repo = MeetingRepo(db)
    meeting = next(
        m
        for m in (repo.get(s.id) for s in repo.summaries())
        if any(a.status.value == "leave" and a.reason for a in m.attendance)
    )
    on_leave = next(a for a in meeting.attendance if a.status.value == "leave" and a.reason)
    plain = signin_for_meeting(db, meeting, pairs=pairs)
    assert all(row.note == "" for row in plain.rows)  # off by default
    sheet = signin_for_meeting(db, meeting, pairs=pairs, leave_notes=True)
    db.close()
    row = next(r for r in sheet.rows if r.name == on_leave.name)
    assert row.note == f"请假：{on_leave.reason}"
    path = tmp_path / "签到表.pdf"
    write_pdf(SigninDocument(sheet), path)
    text = "".join(pdf_pages(path)).replace("\n", "")
    assert f"请假：{on_leave.reason}"[:6] in text
