"""Importing rosters as branches really keep them."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from roster_samples import (
    LI_HUA_ID,
    MESSY_ADDED_NAMES,
    MESSY_ADDED_ROWS,
    MESSY_SKIPPED,
    MESSY_WARNINGS,
    WANG_FANG_ID,
    make_id,
    write_messy_roster,
    write_roster,
)

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Member, MemberStatus, Role
from branchdesk.reports import roster_import
from branchdesk.reports.roster_import import (
    RosterFileError,
    apply_import,
    plan_import,
    read_roster,
)
from branchdesk.store.members import GroupRepo, MemberRepo


def _import(db, path):
    return apply_import(db, plan_import(db, read_roster(path)))


def test_messy_roster_rows_are_added_skipped_and_warned_exactly(db, tmp_path):
    parsed = read_roster(write_messy_roster(tmp_path / "花名册.xlsx"))
    assert parsed.header_row == 3
    preview = plan_import(db, parsed)

    assert [p.row for p in preview.to_add] == MESSY_ADDED_ROWS
    assert [p.member.name for p in preview.to_add] == MESSY_ADDED_NAMES
    assert {s.row: s.name for s in preview.skipped} == {r: n for r, (n, _) in MESSY_SKIPPED.items()}
    for skipped in preview.skipped:
        assert MESSY_SKIPPED[skipped.row][1] in skipped.reason
    assert {(w.row, w.field) for w in preview.warnings} == MESSY_WARNINGS
    ambiguous = next(w for w in preview.warnings if w.row == 8)
    assert "2019.1" in ambiguous.message and "留空" in ambiguous.message


def test_messy_roster_values_are_normalised(db, tmp_path):
    result = _import(db, write_messy_roster(tmp_path / "花名册.xlsx"))
    assert (result.added, result.updated, result.unchanged) == (6, 0, 0)
    members = {m.name: m for m in MemberRepo(db).list()}

    wang = members["王芳"]
    assert wang.id_number == WANG_FANG_ID
    assert wang.birth_date == PartialDate(1990, 1, 1)  # 1990.01 agrees; the ID gives the day
    assert wang.join_date == PartialDate(2015, 7, 1)  # a real Excel date cell
    assert wang.full_date == PartialDate(2016, 7, 1)  # 2016年7月1日
    assert wang.phone == "13812345678"
    assert wang.workplace == "社区居委会主任"  # BOM inside the text removed
    assert wang.group_name == "第一党小组"

    maimaiti = members["买买提·艾力"]
    assert maimaiti.birth_date == PartialDate(1985, 3, 15)
    assert maimaiti.full_date == PartialDate(2011, 7, 1)
    assert maimaiti.phone == "13912345678"  # a phone stored as a number is fine

    li = members["李华"]
    assert li.id_number == LI_HUA_ID  # typed with full-width digits
    assert li.birth_date == PartialDate(1949, 12, 31)  # 19491231 as a number
    assert li.join_date == PartialDate(2019, 7, 1)  # "20190701"
    assert li.full_date == PartialDate(2020, 7)

    zhao = members["赵磊"]
    assert zhao.join_date is None  # 2019.1 is never guessed
    assert zhao.full_date == PartialDate(2019, 7, 1)  # Excel serial 43647 in a General cell
    assert zhao.birth_date == PartialDate(1980, 8, 8)  # taken from the ID number for a new member

    wu = members["吴十"]
    assert wu.id_number == ""
    assert wu.notes == "=1+1"  # formula-looking text stays text
    assert wu.birth_date == PartialDate(1970, 5)

    zheng = members["郑一"]
    assert zheng.category is Category.PROBATIONARY
    assert zheng.group_name == "第三党小组"
    assert [g.name for g in GroupRepo(db).list()] == ["第一党小组", "第二党小组", "第三党小组"]


def test_importing_the_same_file_twice_changes_nothing(db, tmp_path):
    path = write_messy_roster(tmp_path / "花名册.xlsx")
    _import(db, path)
    before = MemberRepo(db).list()
    again = _import(db, path)
    assert again.to_json()["added"] == 0
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)
    assert MemberRepo(db).list() == before


def test_updated_roster_updates_matched_members_and_keeps_stored_values(db, tmp_path):
    wang = make_id("19900101", "124")
    zhang = make_id("19820202", "033")
    write_roster(
        tmp_path / "v1.xlsx",
        [
            (
                "王芳",
                "女",
                wang,
                "1990-01-01",
                "2015-07-01",
                "2016-07-01",
                "正式",
                "一组",
                "13812345678",
                "居委会",
                None,
            ),
        ],
    )
    _import(db, tmp_path / "v1.xlsx")
    write_roster(
        tmp_path / "v2.xlsx",
        [
            (
                "王芳",
                "女",
                wang,
                "1990-01-01",
                "2015-07-01",
                "2016-07-01",
                "正式",
                "二组",
                "13999998888",
                None,
                "已调整党小组",
            ),
            (
                "张强",
                "男",
                zhang,
                "1982-02-02",
                "2020-07-01",
                None,
                "预备",
                "二组",
                None,
                None,
                None,
            ),
        ],
    )
    preview = plan_import(db, read_roster(tmp_path / "v2.xlsx"))
    assert [p.member.name for p in preview.to_update] == ["王芳"]
    changes = {c.field: (c.old, c.new) for c in preview.to_update[0].changes}
    assert changes == {
        "党小组": ("一组", "二组"),
        "联系电话": ("13812345678", "13999998888"),
        "备注": ("", "已调整党小组"),
    }
    assert [p.member.name for p in preview.to_add] == ["张强"]

    result = apply_import(db, preview)
    assert (result.added, result.updated, result.unchanged) == (1, 1, 0)
    stored = MemberRepo(db).by_id_number(wang)
    assert stored is not None
    assert stored.workplace == "居委会"  # the empty cell did not erase it
    assert stored.group_name == "二组" and stored.phone == "13999998888"
    assert MemberRepo(db).by_id_number(zhang).category is Category.PROBATIONARY


def test_row_without_id_matches_member_by_name_and_birth(db, tmp_path):
    member_id = MemberRepo(db).add(Member(name="吴十", birth_date=PartialDate(1970, 5)))
    write_roster(
        tmp_path / "r.xlsx",
        [
            ("吴十", "男", None, "1970.05", None, None, "正式", None, "13700001111", None, None),
            ("吴十", "男", None, "1971.05", None, None, "正式", None, None, None, None),
        ],
    )
    preview = plan_import(db, read_roster(tmp_path / "r.xlsx"))
    assert [p.member.id for p in preview.to_update] == [member_id]
    assert [p.member.birth_date for p in preview.to_add] == [PartialDate(1971, 5)]


def test_existing_member_without_id_gets_the_id_from_the_file(db, tmp_path):
    member_id = MemberRepo(db).add(Member(name="王芳", birth_date=PartialDate(1990, 1, 1)))
    write_roster(
        tmp_path / "r.xlsx",
        [
            ("王芳", "女", WANG_FANG_ID, "1990-01-01", None, None, "正式", None, None, None, None),
        ],
    )
    result = _import(db, tmp_path / "r.xlsx")
    assert (result.added, result.updated) == (0, 1)
    assert MemberRepo(db).get(member_id).id_number == WANG_FANG_ID


DATE_CASES = [
    (dt.datetime(2019, 7, 1), PartialDate(2019, 7, 1)),
    ("2019-07-01", PartialDate(2019, 7, 1)),
    ("2019/7/1", PartialDate(2019, 7, 1)),
    ("2019.07.01", PartialDate(2019, 7, 1)),
    ("2019年7月1日", PartialDate(2019, 7, 1)),
    ("20190701", PartialDate(2019, 7, 1)),
    (20190701, PartialDate(2019, 7, 1)),
    ("2019.07", PartialDate(2019, 7)),
    (2019.07, PartialDate(2019, 7)),
    ("2019年7月", PartialDate(2019, 7)),
    (2019.12, PartialDate(2019, 12)),
    (43647, PartialDate(2019, 7, 1)),
    (2019.1, None),
    (2019, None),
    ("去年七月", None),
]


def test_dates_as_people_type_them(db, tmp_path):
    header = ("序号", "姓名", "入党时间")
    rows = [(i, f"党员{i}", value) for i, (value, _expected) in enumerate(DATE_CASES, start=1)]
    parsed = read_roster(write_roster(tmp_path / "d.xlsx", rows, header))
    got = {r.member.name: r.member.join_date for r in parsed.rows}
    for i, (_value, expected) in enumerate(DATE_CASES, start=1):
        assert got[f"党员{i}"] == expected, DATE_CASES[i - 1]
    warned = {w.row for w in parsed.warnings if w.field == "入党时间"}
    assert warned == {i + 1 for i, (_v, e) in enumerate(DATE_CASES, start=1) if e is None}


def test_formula_cell_is_never_evaluated(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "民族", "备注"])
    ws.append(["王芳", "女", "汉族", "=1+1"])  # a real formula without a cached value
    ws.append(["李华", "女", "汉族", "=2+2"])
    ws["D3"].data_type = "s"  # text that only looks like a formula
    wb.save(tmp_path / "f.xlsx")
    rows = {r.member.name: r.member.notes for r in read_roster(tmp_path / "f.xlsx").rows}
    assert rows == {"王芳": "", "李华": "=2+2"}


def test_status_roles_and_header_in_a_later_sheet(db, tmp_path):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本表由支部填写"
    ws = wb.create_sheet("党员")
    ws.append(["党员姓名", "身份证号码(18位)", "状态", "支委职务", "类别"])
    ws.append(["王芳", WANG_FANG_ID, "流动党员", "书记、组织委员", "正式"])
    ws.append(["李华", LI_HUA_ID, "已转出", None, "预备党员"])
    ws.append(["张三", None, "请假", "站长", "积极分子"])
    wb.save(tmp_path / "s.xlsx")
    parsed = read_roster(tmp_path / "s.xlsx")
    assert parsed.sheet == "党员"
    members = {r.member.name: r.member for r in parsed.rows}
    assert members["王芳"].status is MemberStatus.FLOWING
    assert members["王芳"].roles == [Role.SECRETARY, Role.ORGANISATION]
    assert members["李华"].status is MemberStatus.TRANSFERRED_OUT
    assert {(w.row, w.field) for w in parsed.warnings} == {(3, "状态")}  # 转出 without its date
    assert set(members) == {"王芳", "李华"}  # 积极分子 is not a member
    assert [(n.row, n.name, n.stage) for n in parsed.non_members] == [(4, "张三", "入党积极分子")]
    assert [(s.title, s.read) for s in parsed.sheets] == [("说明", False), ("党员", True)]


def test_file_without_a_roster_header_is_refused(tmp_path):
    wb = Workbook()
    wb.active.append(["会议记录", "日期"])
    wb.active.append(["支委会", "2024-03-01"])
    wb.save(tmp_path / "会议.xlsx")
    with pytest.raises(RosterFileError, match="这不像花名册.*没有找到表头"):
        read_roster(tmp_path / "会议.xlsx")


def test_plan_writes_nothing(db, tmp_path):
    parsed = read_roster(write_messy_roster(tmp_path / "花名册.xlsx"))
    plan_import(db, parsed)
    plan_import(db, parsed)
    assert MemberRepo(db).list() == [] and GroupRepo(db).list() == []


def test_apply_is_all_or_nothing(db, tmp_path, monkeypatch):
    parsed = read_roster(write_messy_roster(tmp_path / "花名册.xlsx"))
    original_insert = roster_import.MemberRepo._insert
    calls = []

    def failing_insert(self, member, *args):
        calls.append(member.name)
        if len(calls) == 4:
            raise RuntimeError("simulated crash half way")
        return original_insert(self, member, *args)

    monkeypatch.setattr(roster_import.MemberRepo, "_insert", failing_insert)
    with pytest.raises(RuntimeError):
        apply_import(db, plan_import(db, parsed))
    assert MemberRepo(db).list() == [] and GroupRepo(db).list() == []


def test_notes_are_told_from_people_with_a_stray_mark(tmp_path):
    rows = [
        ("1.", "王芳，", "女", WANG_FANG_ID),  # a stray comma: still a person, warned about
        ("2.", "李华", "女", LI_HUA_ID),
        (None, "1、出生年月按 1990.01 的格式填写", None, None),  # a numbered instruction
        (None, "说明：本表由组织委员填写，每年核对一次", None, None),
    ]
    parsed = read_roster(write_roster(tmp_path / "n.xlsx", rows, (None, "姓名", "性别", "身份证号")))
    assert [r.member.name[:2] for r in parsed.rows] == ["王芳", "李华"]
    assert [(w.row, w.field) for w in parsed.warnings] == [(2, "姓名")]
    assert [(i.row, i.reason) for i in parsed.ignored] == [
        (4, "说明文字，不是党员"),
        (5, "说明文字，不是党员"),
    ]
    # The unnamed first column (1., 2.) is accounted for, not silently dropped.
    assert [(c.letter, c.reason) for c in parsed.columns if not c.used] == [("A", "没有表头，未导入")]


def test_a_category_guessed_from_dates_never_overwrites_a_stored_one(db, tmp_path):
    """预备 from a recent join date is a hint for new members, not a change to stored ones."""
    from branchdesk.domain.members import Category, Member
    from branchdesk.store.members import MemberRepo

    recent = (dt.date.today() - dt.timedelta(days=200)).isoformat()
    MemberRepo(db).add(Member("王芳", id_number=WANG_FANG_ID, category=Category.FULL))
    header = ("姓名", "身份证号", "入党时间")
    path = write_roster(tmp_path / "r.xlsx", [("王芳", WANG_FANG_ID, recent),
                                              ("李华", LI_HUA_ID, recent)], header)  # fmt: skip
    preview = plan_import(db, read_roster(path))
    assert [p.member.category for p in preview.to_add] == [Category.PROBATIONARY]
    assert all(c.field != "党员类别" for p in preview.to_update for c in p.changes)


def test_nobody_is_put_into_a_dissolved_group(db, tmp_path):
    """A file still naming a group that was dissolved: the people come in, the group does not
    take them, and the preview says so."""
    from branchdesk.store.members import GroupRepo, MemberRepo

    groups = GroupRepo(db)
    old = groups.create("第三党小组", start=dt.date(2020, 1, 1))
    groups.dissolve(old.id, on=dt.date(2025, 6, 30))
    header = ("姓名", "身份证号", "性别", "党小组")
    path = write_roster(tmp_path / "旧表.xlsx", [("王芳", WANG_FANG_ID, "女", "第三党小组"),
                                                 ("李华", LI_HUA_ID, "女", "第一党小组")], header)  # fmt: skip
    preview = plan_import(db, read_roster(path))
    planned = {p.member.name: p.member.group_name for p in preview.to_add}
    assert planned == {"王芳": "", "李华": "第一党小组"}
    assert any("第三党小组" in n and "2025年6月29日" in n and "王芳" in n for n in preview.notices)
    assert preview.to_json()["notices"][-1] == preview.notices[-1]
    result = apply_import(db, preview)
    assert result.added == 2 and result.notices == preview.notices
    stored = {m.name: m.group_name for m in MemberRepo(db).list()}
    assert stored == {"王芳": "", "李华": "第一党小组"}


def test_a_column_of_occupations_is_never_read_as_standing(tmp_path):
    """人员身份 holding 在职/退休 says nothing about 正式/预备: listed as not imported."""
    header = ("姓名", "性别", "人员身份", "党员类别")
    path = write_roster(tmp_path / "o.xlsx", [("王芳", "女", "在职", "预备党员"),
                                              ("李华", "女", "退休", "正式党员")], header)  # fmt: skip
    parsed = read_roster(path)
    unused = {c.header: c.reason for c in parsed.columns if not c.used}
    assert "人员类别" in unused["人员身份"]
    assert {r.member.name: r.member.category.label for r in parsed.rows} == {"王芳": "预备", "李华": "正式"}
    assert parsed.warnings == []
