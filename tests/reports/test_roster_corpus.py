"""Every roster layout of the corpus comes in exactly right, and nothing is silently wrong."""

from __future__ import annotations

import pytest
from reports.roster_corpus import LAYOUTS, TODAY, Expected, monthly_return

from branchdesk.domain import roster_vocabulary as vocab
from branchdesk.domain.members import Category
from branchdesk.reports.roster_import import ParsedRoster, RosterFileError, read_roster
from branchdesk.reports.xlsx_safety import read_workbook_rows


def _read(tmp_path, key: str) -> tuple[ParsedRoster, Expected]:
    name, build, expected = LAYOUTS[key]
    path = build(tmp_path / name)
    return read_roster(path, today=TODAY, password=expected.password), expected


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_layout_comes_in_exactly(tmp_path, key):
    parsed, expected = _read(tmp_path, key)
    members = {row.member.name: row.member for row in parsed.rows}
    assert set(members) == set(expected.members)
    for name, attributes in expected.members.items():
        for attribute, value in attributes.items():
            assert getattr(members[name], attribute) == value, (name, attribute)
    assert {(n.name, n.stage) for n in parsed.non_members} == expected.non_members
    assert {s.row: s.reason for s in parsed.skipped}.keys() == expected.skipped.keys()
    for skipped in parsed.skipped:
        assert expected.skipped[skipped.row] in skipped.reason
    unused = {c.header: c.reason for c in parsed.unused_columns}
    assert unused.keys() == expected.unused_columns.keys()
    for header, words in expected.unused_columns.items():
        assert words in unused[header], header
    for row, words in expected.ignored.items():
        assert any(i.row == row and words in i.reason for i in parsed.ignored), (row, words)
    if expected.sheets is not None:
        assert [(s.title, s.read) for s in parsed.sheets] == expected.sheets
    if expected.warnings is not None:
        assert {(w.row, w.field) for w in parsed.warnings} == expected.warnings


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_nothing_is_silently_wrong(tmp_path, key):
    """Whatever the layout: every column and row is accounted for, 预备 is never 正式,
    a non-member or a note never becomes a member."""
    name, build, expected = LAYOUTS[key]
    path = build(tmp_path / name)
    parsed = read_roster(path, today=TODAY, password=expected.password)
    raw = read_workbook_rows(path, password=expected.password)
    by_row = {r.row: r for r in parsed.rows}
    accounted_rows = (
        {r.row for r in parsed.rows}
        | {s.row for s in parsed.skipped}
        | {n.row for n in parsed.non_members}
    )
    for ignored in parsed.ignored:
        accounted_rows |= set(range(ignored.row, (ignored.last_row or ignored.row) + 1))
    for sheet in raw.sheets:
        report = next(s for s in parsed.sheets if s.title == sheet.title)
        if not report.read:
            assert report.reason
            continue
        columns = {c.column for c in parsed.columns if c.sheet == sheet.title}
        for number, values in sheet.rows:
            if number >= report.header_row:
                assert {i for i, v in enumerate(values) if v is not None} <= columns
            texts = [str(v) for v in values if v is not None]
            if not report.header_row <= number <= (report.header_end or 0):
                assert number in accounted_rows, (sheet.title, number)
            row = by_row.get(number)
            if row is None or row.sheet != sheet.title:
                continue
            if any("预备" in t for t in texts) or "预备" in sheet.title:
                assert row.member.category is Category.PROBATIONARY, row.member.name
            assert not any(vocab.stage_of(t) and not vocab.stage_of(t).is_member for t in texts)
            assert not any(t.startswith(("注", "填表人", "合计")) for t in texts)


def test_an_encrypted_roster_asks_for_its_password(tmp_path):
    from branchdesk.reports.roster_import import RosterPasswordRequired

    name, build, _expected = LAYOUTS["encrypted"]
    path = build(tmp_path / name)
    with pytest.raises(RosterPasswordRequired) as asked:
        read_roster(path)
    assert not asked.value.wrong_password and "密码" in asked.value.message
    with pytest.raises(RosterPasswordRequired) as wrong:
        read_roster(path, password="1234")
    assert wrong.value.wrong_password


def test_a_monthly_return_is_not_a_roster(tmp_path):
    with pytest.raises(RosterFileError, match="这不像花名册.*参会情况"):
        read_roster(monthly_return(tmp_path / "11月月报.xlsx"))


def test_our_own_return_workbook_is_refused(tmp_path):
    """The real 月报 BranchDesk writes (with its 党员 sheet): refused, not offered as members."""
    from demo_cache import write_demo_branch

    from branchdesk.domain.requirements import Period, Unit
    from branchdesk.reports.return_figures import compute_return
    from branchdesk.reports.return_workbook import write_return
    from branchdesk.store.db import DB_FILENAME, open_database

    write_demo_branch(tmp_path / "data", members=12, today=TODAY)
    db = open_database(tmp_path / "data" / DB_FILENAME)
    path = tmp_path / "月报.xlsx"
    write_return(compute_return(db, Period(Unit.MONTH, 2026, 11), today=TODAY), path)
    db.close()
    with pytest.raises(RosterFileError, match="这不像花名册"):
        read_roster(path)


def test_a_file_without_a_standing_column_says_how_it_decided(tmp_path):
    """The national 汇总表 has no 正式/预备 column: the preview says the dates decided."""
    parsed, _expected = _read(tmp_path, "national")
    assert any("没有写明正式或预备党员的列" in notice for notice in parsed.notices)
    with_column, _expected = _read(tmp_path, "political")
    assert with_column.notices == []
