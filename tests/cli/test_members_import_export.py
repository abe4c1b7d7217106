"""``branchdesk members import/export`` end to end, through ``main``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from reports.ole_samples import encrypted_workbook
from reports.roster_samples import write_messy_roster

from branchdesk.cli import main
from branchdesk.domain.branch import Branch
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.members import BranchRepo, MemberRepo


@pytest.fixture
def branch_dir(data_dir):
    db = open_database(data_dir / DB_FILENAME)
    BranchRepo(db).save(Branch("城关社区第一党支部"))
    db.close()
    return data_dir


def _members(data_dir):
    db = open_database(data_dir / DB_FILENAME)
    try:
        return MemberRepo(db).list()
    finally:
        db.close()


def _run_json(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_import_json_then_again_unchanged(branch_dir, tmp_path, capsys):
    roster = write_messy_roster(tmp_path / "花名册.xlsx")
    first = _run_json(
        capsys, "members", "import", str(roster), "--json", "--data-dir", str(branch_dir)
    )
    assert set(first) == {
        "added", "updated", "unchanged", "skipped", "warnings", "joined_on", "new_groups",
        "columns", "sheets", "non_members", "ignored_rows", "notices",
    }  # fmt: skip
    assert (first["added"], first["updated"], first["unchanged"]) == (6, 0, 0)
    assert first["joined_on"] == "original"  # a first import: the branch's own members
    assert [s["row"] for s in first["skipped"]] == [9, 10, 11, 12]
    assert first["skipped"][0] == {
        "sheet": "花名册",
        "row": 9,
        "name": "钱七",
        "reason": "身份证号被保存成了数字，后几位已丢失，请把该列设为文本后重新填写",
    }
    assert {(w["row"], w["field"]) for w in first["warnings"]} == {
        (8, "入党时间"),
        (14, "性别"),
        (14, "入党时间"),
    }
    assert len(_members(branch_dir)) == 6

    second = _run_json(
        capsys, "members", "import", str(roster), "--json", "--data-dir", str(branch_dir)
    )
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 6)


def test_dry_run_writes_nothing_and_summary_is_chinese(branch_dir, tmp_path, capsys):
    roster = write_messy_roster(tmp_path / "花名册.xlsx")
    code = main(["members", "import", str(roster), "--dry-run", "--data-dir", str(branch_dir)])
    out = capsys.readouterr().out
    assert code == 0
    assert "新增 6 人" in out and "跳过 4 行" in out and "未写入" in out
    assert "第 9 行 钱七" in out
    assert _members(branch_dir) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("旧表.xls", b"\xd0\xcf\x11\xe0"),
        ("名单.csv", "姓名\n王芳\n".encode()),
        ("假的.xlsx", b"hello"),
    ],
)
def test_refused_file_exits_non_zero_and_leaves_db_alone(
    branch_dir, tmp_path, capsys, name, content
):
    main(
        [
            "members",
            "import",
            str(write_messy_roster(tmp_path / "先导入.xlsx")),
            "--data-dir",
            str(branch_dir),
        ]
    )
    before = _members(branch_dir)
    capsys.readouterr()
    path = tmp_path / name
    path.write_bytes(content)
    code = main(["members", "import", str(path), "--json", "--data-dir", str(branch_dir)])
    captured = capsys.readouterr()
    assert code != 0
    assert captured.out == ""
    assert name in captured.err
    assert _members(branch_dir) == before


def test_export_then_reimport_changes_nothing(branch_dir, tmp_path, capsys):
    main(
        [
            "members",
            "import",
            str(write_messy_roster(tmp_path / "in.xlsx")),
            "--data-dir",
            str(branch_dir),
        ]
    )
    out_path = tmp_path / "导出.xlsx"
    code = main(["members", "export", str(out_path), "--full", "--data-dir", str(branch_dir)])
    assert code == 0
    assert "6 名党员" in capsys.readouterr().out
    again = _run_json(
        capsys, "members", "import", str(out_path), "--json", "--data-dir", str(branch_dir)
    )
    assert (again["added"], again["updated"], again["unchanged"], again["skipped"]) == (0, 0, 6, [])
    # Every column of our own export is read back as the field it was written from.
    assert [c["header"] for c in again["columns"] if c["field"] is None] == ["序号"]
    assert (again["joined_on"], again["new_groups"]) == (dt.date.today().isoformat(), [])


def test_export_to_missing_folder_fails_clearly(branch_dir, tmp_path, capsys):
    code = main(
        [
            "members",
            "export",
            str(tmp_path / "无" / "x.xlsx"),
            "--full",
            "--data-dir",
            str(branch_dir),
        ]
    )
    assert code == 1
    assert "不存在" in capsys.readouterr().err


def test_export_masks_personal_data_unless_asked(branch_dir, tmp_path, capsys):
    import re

    from openpyxl import load_workbook

    main(["members", "import", str(write_messy_roster(tmp_path / "in.xlsx")),
          "--data-dir", str(branch_dir)])  # fmt: skip
    out_path = tmp_path / "打码.xlsx"
    assert main(["members", "export", str(out_path), "--data-dir", str(branch_dir)]) == 0
    capsys.readouterr()
    values = [str(c.value) for row in load_workbook(out_path).active.iter_rows() for c in row if c.value]
    ids = [v for v in values if re.fullmatch(r"\d{6}\*{8}[\dX]{4}", v)]
    assert len(ids) >= 5
    assert not any(re.fullmatch(r"\d{17}[\dX]", v) for v in values)  # no full ID anywhere
    again = _run_json(capsys, "members", "import", str(out_path), "--json", "--data-dir", str(branch_dir))
    assert (again["added"], again["updated"]) == (0, 0)  # a masked file never overwrites IDs


@pytest.mark.parametrize("name", ["加密名册.xlsx", "加密名册.xls"])
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_a_password_protected_roster_is_told_so(branch_dir, tmp_path, capsys, name, dry_run):
    path = tmp_path / name
    path.write_bytes(encrypted_workbook())
    code = main(["members", "import", str(path), *dry_run, "--data-dir", str(branch_dir)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"“{name}”有密码保护，请输入打开密码" in captured.err
    assert "损坏" not in captured.err and captured.out == ""
    assert _members(branch_dir) == []


def test_import_joined_on_a_day_and_a_bad_day(branch_dir, tmp_path, capsys):
    from reports.roster_samples import make_id, write_roster

    first = write_roster(
        tmp_path / "原有.xlsx",
        [("王芳", "女", make_id("19900101", "124"), "1990-01-01", "2015-07-01", "2016-07-01",
          "正式", "一组", "13812345678", "居委会", None)],
    )  # fmt: skip
    assert main(["members", "import", str(first), "--data-dir", str(branch_dir)]) == 0
    assert "本支部原有党员" in capsys.readouterr().out
    later = write_roster(
        tmp_path / "转入.xlsx",
        [("钱七", "男", make_id("19900101", "125"), "1990-01-01", "2015-07-01", "2016-07-01",
          "正式", "二组", "13812345679", "居委会", None)],
    )  # fmt: skip
    code = main(
        ["members", "import", str(later), "--joined-on", "2026-13-01", "--data-dir",
         str(branch_dir)]
    )  # fmt: skip
    assert code == 2 and "--joined-on" in capsys.readouterr().err
    code = main(
        ["members", "import", str(later), "--joined-on", "2025-06-15", "--data-dir",
         str(branch_dir)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "2025年6月15日加入本支部" in out and "将新建党小组：二组（自2025年6月15日起）" in out
    db = open_database(branch_dir / DB_FILENAME)
    qian = next(m for m in MemberRepo(db).list() if m.name == "钱七")
    assert qian.branch_join_date is not None and qian.branch_join_date.iso() == "2025-06-15"
    db.close()


def test_init_creates_a_branch_then_a_roster_comes_in(tmp_path, capsys):
    from reports.roster_corpus import mixed_stages

    folder = tmp_path / "新支部"
    code = main(["init", "--name", "某大学研究生党支部", "--superior", "某学院党委",
                 "--data-dir", str(folder)])  # fmt: skip
    assert code == 0
    assert "已在" in capsys.readouterr().out
    db = open_database(folder / DB_FILENAME)
    branch = BranchRepo(db).get()
    db.close()
    assert (branch.name, branch.superior) == ("某大学研究生党支部", "某学院党委")

    assert main(["init", "--name", "另一个", "--data-dir", str(folder)]) == 1
    assert "已有支部“某大学研究生党支部”" in capsys.readouterr().err

    roster = mixed_stages(tmp_path / "名单.xlsx")
    assert main(["members", "import", str(roster), "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "新增 2 人" in out and "非党员 3 人未导入" in out
    assert "非党员，未导入 第 5 行 郭燕（入党积极分子）" in out
    assert "未导入的列 D“学号”：未识别的列" in out
    assert "不是党员的行 第 1 行“学院党员及入党积极分子名单”" in out
    assert sorted(m.name for m in _members(folder)) == ["孙浩", "许丽"]


def test_import_into_a_folder_without_a_branch_points_at_init(tmp_path, capsys):
    roster = write_messy_roster(tmp_path / "花名册.xlsx")
    code = main(["members", "import", str(roster), "--data-dir", str(tmp_path / "空")])
    assert code == 1
    assert "init" in capsys.readouterr().err


def test_a_password_protected_roster_from_stdin(branch_dir, tmp_path, capsys, monkeypatch):
    import io

    from reports.roster_corpus import encrypted

    path = encrypted(tmp_path / "加密.xlsx")
    monkeypatch.setattr("sys.stdin", io.StringIO("2026\n"))
    assert main(["members", "import", str(path), "--password-stdin", "--data-dir",
                 str(branch_dir)]) == 0  # fmt: skip
    assert "新增 3 人" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    code = main(["members", "import", str(path), "--password-stdin", "--data-dir",
                 str(branch_dir)])  # fmt: skip
    assert code == 1 and "密码不正确" in capsys.readouterr().err
