"""``branchdesk return`` and ``branchdesk consolidate`` end to end."""

from __future__ import annotations

import datetime as dt
import json
import os

import openpyxl
import pytest
from reports.ole_samples import encrypted_workbook

from branchdesk.cli import main
from branchdesk.domain.requirements import Period, Unit

TODAY = dt.date.today()
MONTH = Period.containing(Unit.MONTH, TODAY).previous()
QUARTER = Period.containing(Unit.QUARTER, TODAY).previous()


@pytest.fixture(scope="module")
def branches(tmp_path_factory):
    """Three small demo branches in their own data folders."""
    base = tmp_path_factory.mktemp("cli")
    dirs = []
    for index, name in enumerate(("东关", "西街", "南湖")):
        data_dir = base / f"d{index}"
        args = ["demo", "--data-dir", str(data_dir), "--members", "12", "--seed", str(index + 1)]
        assert main([*args, "--branch", f"城关街道{name}社区党支部"]) == 0
        dirs.append(data_dir)
    return dirs


def test_return_writes_the_workbook_and_prints_its_figures(branches, tmp_path, capsys):
    capsys.readouterr()
    out = tmp_path / "月报.xlsx"
    code = main(
        ["return", "--data-dir", str(branches[0]), "--month", MONTH.code, "-o", str(out), "--json"]
    )
    assert code == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["branch"] == "城关街道东关社区党支部" and figures["period"] == MONTH.code
    assert set(figures["members"]) >= {
        "total",
        "full",
        "probationary",
        "transferred_in",
        "transferred_out",
        "developed",
    }
    assert {"required", "held", "status"} <= set(figures["kinds"]["theme_day"])
    data = {
        r[0]: r[1] for r in openpyxl.load_workbook(out)["_branchdesk"].iter_rows(values_only=True)
    }
    assert data["members.total"] == figures["members"]["total"]
    assert data["kinds.theme_day.held"] == figures["kinds"]["theme_day"]["held"]
    assert data["attendance_rate"] == figures["attendance_rate"]


def test_quarter_and_year_returns(branches, tmp_path, capsys):
    for option, code in (("--quarter", QUARTER.code), ("--year", str(TODAY.year - 1))):
        out = tmp_path / f"{code}.xlsx"
        assert main(["return", "--data-dir", str(branches[1]), option, code, "-o", str(out)]) == 0
        assert "已导出" in capsys.readouterr().out
        wb = openpyxl.load_workbook(out)
        assert Period.parse(code).label in wb["汇总"]["A1"].value


@pytest.mark.parametrize(
    "option, value",
    [
        ("--month", "2026-13"),
        ("--month", "2026-Q3"),
        ("--quarter", "2026-Q5"),
        ("--year", "26"),
        ("--month", "9999-12"),
        ("--month", "1900-01"),
        ("--quarter", "9999-Q4"),
        ("--year", "0"),
        ("--year", "0000"),
        ("--year", "10000"),
        ("--year", "9999"),
    ],
)
def test_a_bad_period_exits_2_with_a_chinese_message(branches, tmp_path, capsys, option, value):
    code = main(
        ["return", "--data-dir", str(branches[0]), option, value, "-o", str(tmp_path / "r.xlsx")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "期间" in err and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "r.xlsx").exists()


def test_a_file_open_elsewhere_exits_1_and_keeps_the_old_file(
    branches, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "月报.xlsx"
    out.write_bytes(b"previous")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    code = main(["return", "--data-dir", str(branches[0]), "--month", MONTH.code, "-o", str(out)])
    assert code == 1
    assert "正在 Excel 或 WPS 中打开" in capsys.readouterr().err
    assert out.read_bytes() == b"previous"


def _returns(branches, tmp_path, period_option="--month", code=MONTH.code):
    paths = []
    for index, data_dir in enumerate(branches):
        path = tmp_path / f"r{index}.xlsx"
        assert (
            main(["return", "--data-dir", str(data_dir), period_option, code, "-o", str(path)]) == 0
        )
        paths.append(path)
    return paths


def test_consolidate_prints_branches_totals_refused_and_missing(branches, tmp_path, capsys):
    paths = _returns(branches, tmp_path)
    other = tmp_path / "other.xlsx"
    assert (
        main(
            ["return", "--data-dir", str(branches[0]), "--quarter", QUARTER.code, "-o", str(other)]
        )
        == 0
    )
    names = openpyxl.Workbook()
    for name in (
        "城关街道东关社区党支部",
        "城关街道西街社区党支部",
        "城关街道南湖社区党支部",
        "城关街道北苑社区党支部",
    ):
        names.active.append([name])
    names.save(tmp_path / "名单.xlsx")
    capsys.readouterr()
    summary = tmp_path / "汇总.xlsx"
    code = main(
        ["consolidate", *map(str, paths), str(paths[0]), str(other), "-o", str(summary),
         "--expect", str(tmp_path / "名单.xlsx"), "--json"]
    )  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["period"] == MONTH.code
    assert [b["branch"] for b in result["branches"]] == [
        "城关街道东关社区党支部", "城关街道西街社区党支部", "城关街道南湖社区党支部"
    ]  # fmt: skip
    assert result["totals"]["members"]["total"] == sum(
        b["members"]["total"] for b in result["branches"]
    )
    assert result["refused"] == [
        {"file": "r0.xlsx", "reason": "支部重复（与 r0.xlsx 相同）"},
        {
            "file": "other.xlsx",
            "reason": f"期间不同（该文件是 {QUARTER.label}，本次汇总 {MONTH.label}）",
        },
    ]
    assert result["missing"] == ["城关街道北苑社区党支部"]
    assert openpyxl.load_workbook(summary)["汇总"]["B5"].value == "城关街道东关社区党支部"

    # Run again over everything in the folder: the summary itself is not read as a return.
    code = main(["consolidate", *map(str, paths), str(summary), "-o", str(summary)])
    assert code == 0
    captured = capsys.readouterr()
    assert "未采用" not in captured.out
    # Progress goes to stderr (stdout stays the result): from none read to all of them.
    lines = captured.err.splitlines()
    assert lines[0] == f"已读取 0 / {len(paths)} 份报表"
    assert lines[-1] == f"已读取 {len(paths)} / {len(paths)} 份报表"
    assert "已读取" not in captured.out


def test_consolidate_progress_rewrites_one_line_in_a_terminal():
    import io

    from branchdesk.cli import _FileProgress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    progress = _FileProgress("报表", screen)
    for done in range(3):
        assert progress(done, 3) is True
    progress.finish(3)
    assert screen.getvalue() == "".join(f"\r已读取 {n} / 3 份报表" for n in range(4)) + "\n"

    log = io.StringIO()  # not a terminal: a line at each tenth of 2,000 files
    progress = _FileProgress("报表", log)
    for done in range(2000):
        progress(done, 2000)
    progress.finish(2000)
    lines = log.getvalue().splitlines()
    assert lines == [f"已读取 {n} / 2000 份报表" for n in range(0, 2001, 200)]


def test_consolidate_with_every_file_refused_exits_1_but_says_why(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("hello", encoding="utf-8")
    plain = openpyxl.Workbook()
    plain.save(tmp_path / "b.xlsx")
    summary = tmp_path / "汇总.xlsx"
    code = main(
        [
            "consolidate",
            str(tmp_path / "a.txt"),
            str(tmp_path / "b.xlsx"),
            "-o",
            str(summary),
            "--json",
        ]
    )
    assert code == 1
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert [r["file"] for r in result["refused"]] == ["a.txt", "b.xlsx"]
    assert all(r["reason"].startswith("不是 BranchDesk 报表") for r in result["refused"])
    assert "没有可汇总的报表" in captured.err
    assert not summary.exists()

    code = main(["consolidate", str(tmp_path / "b.xlsx"), "-o", str(summary)])
    assert code == 1
    assert "b.xlsx：不是 BranchDesk 报表" in capsys.readouterr().out


def test_consolidate_bad_period_exits_2(tmp_path, capsys):
    code = main(["consolidate", "x.xlsx", "-o", str(tmp_path / "s.xlsx"), "--period", "2026-20"])
    assert code == 2
    assert "期间" in capsys.readouterr().err


def test_consolidate_lists_hostile_files_and_sums_the_others(branches, tmp_path, capsys):
    paths = _returns(branches, tmp_path)
    (tmp_path / "加密.xlsx").write_bytes(encrypted_workbook())
    (tmp_path / "截断.xlsx").write_bytes(paths[0].read_bytes()[:2000])
    odd = openpyxl.load_workbook(paths[1])
    odd["_branchdesk"].append(["members", "很多"])
    odd.save(tmp_path / "数据有误.xlsx")
    summary = tmp_path / "汇总.xlsx"
    files = [tmp_path / "加密.xlsx", paths[0], tmp_path / "截断.xlsx", paths[2]]
    code = main(
        ["consolidate", *map(str, [*files, tmp_path / "数据有误.xlsx"]), "-o", str(summary)]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    assert "已汇总 2 个支部" in out
    assert "未采用 加密.xlsx：有密码保护，请在 Excel 中取消密码后再导入" in out
    assert "未采用 截断.xlsx：不是 BranchDesk 报表" in out
    assert "未采用 数据有误.xlsx：不是 BranchDesk 报表（报表数据有误：members 不完整）" in out
    assert summary.exists()


def test_consolidate_period_out_of_range_exits_2(tmp_path, capsys):
    code = main(["consolidate", "x.xlsx", "-o", str(tmp_path / "s.xlsx"), "--period", "9999-12"])
    assert code == 2
    err = capsys.readouterr().err
    assert "超出范围" in err and "Traceback" not in err


def test_mark_reported_keeps_the_figures_and_a_later_difference_is_told(tmp_path, capsys):
    from branchdesk.domain.dates import PartialDate
    from branchdesk.domain.members import JoinHow, Member
    from branchdesk.store.db import DB_FILENAME, open_database
    from branchdesk.store.members import MemberRepo
    from branchdesk.store.periods import ReportedPeriodRepo

    data_dir = tmp_path / "d"
    assert main(["demo", "--data-dir", str(data_dir), "--members", "12"]) == 0
    out = tmp_path / "月报.xlsx"
    args = ["return", "--data-dir", str(data_dir), "--month", MONTH.code, "-o", str(out)]
    assert main([*args, "--mark-reported"]) == 0
    db = open_database(data_dir / DB_FILENAME)
    reported = ReportedPeriodRepo(db).get(MONTH)
    assert reported is not None and reported.figures is not None
    total = reported.figures["members"]["total"]
    ReportedPeriodRepo(db).unlock(MONTH, "补录")
    MemberRepo(db).add(
        Member(name="补录", branch_join_how=JoinHow.TRANSFER_IN,
               branch_join_date=PartialDate.of(MONTH.start))
    )  # fmt: skip
    db.close()
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "与已上报版本不同" in err and f"党员总数：{total} → {total + 1}" in err
    data = {r[0]: r[1] for r in openpyxl.load_workbook(out)["_branchdesk"].iter_rows(values_only=True)}
    assert (data["revised"], data["revision"]) == (1, 1)


def test_an_unfinished_period_is_told_before_writing_and_titled_as_of_today(
    branches, tmp_path, capsys
):
    capsys.readouterr()
    current = Period.containing(Unit.MONTH, TODAY)
    out = tmp_path / "本月.xlsx"
    assert main(["return", "--data-dir", str(branches[0]), "--month", current.code,
                 "-o", str(out)]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert f"提示：{current.label}尚未结束" in captured.err
    assert f"（截至 {TODAY.month}月{TODAY.day}日）" in captured.err
    as_of = f"{current.label}（截至 {TODAY.month}月{TODAY.day}日）"
    assert as_of in captured.out  # the title printed is the workbook's
    book = openpyxl.load_workbook(out)
    assert as_of in book["汇总"]["A1"].value
    assert book["_branchdesk"]["A1"].value == "format_version"
    data = {r[0]: r[1] for r in book["_branchdesk"].iter_rows(values_only=True)}
    assert data["complete"] == 0 and data["as_of"] == TODAY.isoformat()
    # A month that is over: no notice, no 截至.
    done = tmp_path / "上月.xlsx"
    main(["return", "--data-dir", str(branches[0]), "--month", MONTH.code, "-o", str(done)])
    captured = capsys.readouterr()
    assert "尚未结束" not in captured.err and "截至" not in captured.out
    assert "截至" not in openpyxl.load_workbook(done)["汇总"]["A1"].value
