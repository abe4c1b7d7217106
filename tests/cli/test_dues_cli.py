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
