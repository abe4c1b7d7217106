"""`branchdesk dues list`: each member's months of a year as exact amounts in text."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from branchdesk.cli import main


@pytest.fixture
def demo_dir(data_dir, capsys):
    assert main(["demo", "--data-dir", str(data_dir), "--members", "24", "--seed", "9"]) == 0
    capsys.readouterr()
    return data_dir


def test_dues_list_json_sums_and_text(demo_dir, capsys):
    year = dt.date.today().year - 1  # a whole year of the demo's two
    assert main(["dues", "list", "--year", str(year), "--json", "--data-dir", str(demo_dir)]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) >= 20
    for item in items:
        assert {"member_id", "name", "category", "base", "rate", "monthly", "months",
                "arrears_months"} <= set(item)  # fmt: skip
        months = item["months"]
        assert all(key.startswith(f"{year}-") for key in months)
        due = sum((Decimal(m["due"]) for m in months.values()), Decimal(0))
        paid = sum((Decimal(m["paid"]) for m in months.values()), Decimal(0))
        assert f"{due:.2f}" == item["due_total"] and f"{paid:.2f}" == item["paid_total"]
        assert all(len(m["due"].split(".")[1]) == 2 for m in months.values())
        if item["base"] is not None:  # the rate's band, inclusive at the top
            base, rate = Decimal(item["base"]), Decimal(item["rate"])
            assert item["monthly"] == f"{(base * rate).quantize(Decimal('0.01'), 'ROUND_HALF_UP')}"
    # paid ahead (by the quarter) or back (补交): paid in another month than the one covered
    assert any(
        m["paid_on"] and m["paid_on"][:7] != k for i in items for k, m in i["months"].items()
    )
    assert main(["dues", "list", "--year", str(year), "--data-dir", str(demo_dir)]) == 0
    text = capsys.readouterr().out
    assert "全年应缴" in text and text.strip().endswith(f"共 {len(items)} 名党员")


def test_dues_list_refuses_a_bad_year(demo_dir, capsys):
    assert main(["dues", "list", "--year", "26", "--data-dir", str(demo_dir)]) == 2
    assert "--year 的年份“26”无效" in capsys.readouterr().err


@pytest.fixture
def branch_dir(data_dir, capsys):
    assert main(["init", "--name", "测试支部", "--data-dir", str(data_dir)]) == 0
    from branchdesk.domain.dates import PartialDate
    from branchdesk.domain.members import Member
    from branchdesk.store.db import DB_FILENAME, open_database
    from branchdesk.store.members import MemberRepo

    db = open_database(data_dir / DB_FILENAME)
    repo = MemberRepo(db)
    repo.add(Member("张伟", join_date=PartialDate(2000, 7, 1)))
    repo.add(Member("李娜", join_date=PartialDate(2026, 6, 28)))
    db.close()
    capsys.readouterr()
    return data_dir


def _run(capsys, data_dir, json_text, *command):
    import io
    import sys

    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(json_text.encode()), encoding="utf-8")
    try:
        code = main(["dues", *command, "--json", "-", "--data-dir", str(data_dir)])
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return code, out.out, out.err


def test_assess_and_pay_from_json_then_list(branch_dir, capsys):
    code, out, err = _run(capsys, branch_dir, json.dumps([
        {"name": "张伟", "category": "在职", "base": "6200.00",
         "exclusions": [{"label": "社会保险", "amount": "1200"}]},
        {"name": "李娜", "category": "student", "from_month": "2026-06"},
    ]), "assess", "--year", "2026")  # fmt: skip
    assert (code, err) == (0, "") and out.strip() == "已核定 2 名党员的党费"
    code, out, err = _run(capsys, branch_dir, json.dumps([
        {"name": "张伟", "months": ["2026-01至2026-07"], "amount": "350.00",
         "paid_on": "2026-08-03", "extra": "1000"},
        {"name": "李娜", "months": "2026-06", "amount": "0.20", "paid_on": "2026-06-30"},
    ]), "pay")  # fmt: skip
    assert code == 0, err
    assert "已登记 2 笔党费" in out
    assert "请留意：张伟，一次补交了7个月的党费" in out and "全部上缴中央" in out
    assert main(["dues", "list", "--year", "2026", "--json", "--data-dir", str(branch_dir)]) == 0
    items = {i["name"]: i for i in json.loads(capsys.readouterr().out)}
    assert items["张伟"]["monthly"] == "50.00" and items["张伟"]["rate"] == "0.01"
    assert items["张伟"]["months"]["2026-07"] == {"due": "50.00", "paid": "50.00",
                                                 "paid_on": "2026-08-03"}  # fmt: skip
    assert items["张伟"]["extra_total"] == "1000.00"
    assert list(items["李娜"]["months"])[0] == "2026-06"  # admitted at the June meeting


def test_json_amounts_with_a_decimal_point_and_bad_items_are_refused_whole(branch_dir, capsys):
    code, _out, err = _run(capsys, branch_dir, json.dumps([
        {"name": "张伟", "months": ["2026-01"], "amount": 12.5, "paid_on": "2026-01-08"},
        {"name": "王五", "months": ["2026-01"], "amount": "1", "paid_on": "2026-01-08"},
        {"name": "李娜", "months": ["2026-01"], "amount": "0.20", "paid_on": "2026-01-08"},
    ]), "pay")  # fmt: skip
    assert code == 2
    assert '第 1 个缴费记录的 amount：金额请写成文字，如 "12.50"' in err
    assert "第 2 个缴费记录的 name：“王五”不在花名册中" in err
    assert "没有写入任何缴费记录" in err
    code, _out, err = _run(capsys, branch_dir, json.dumps([
        {"name": "李娜", "months": ["2026-01"], "amount": "0.20", "paid_on": "2026-01-08"},
    ]), "pay")  # fmt: skip
    assert code == 2 and "李娜2026年1月不在本支部" in err
    code, _out, err = _run(capsys, branch_dir, json.dumps(
        [{"name": "张伟", "category": "免交"}, {"name": "李娜", "category": "farmer",
                                                "fixed_amount": "0.5", "from_month": "2025-03"}]
    ), "assess", "--year", "2026")  # fmt: skip
    assert code == 2
    assert "第 1 个核定：张伟：免交党费要有批准" in err
    assert "第 2 个核定的 from_month：不在 --year 2026 这一年" in err
    assert main(["dues", "list", "--year", "2026", "--json", "--data-dir", str(branch_dir)]) == 0
    items = json.loads(capsys.readouterr().out)
    assert all(i["category"] is None for i in items)  # nothing was written
