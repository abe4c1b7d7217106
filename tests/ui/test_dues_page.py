"""The 党费 page's 党费日 grid, used as a 组织委员 would: Enter marks paid, amounts typed over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from PySide6.QtCore import Qt

from branchdesk import ops
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.dues import Assessment, DuesCategory, Month, MonthState, Payment
from branchdesk.domain.members import Member, MemberStatus
from branchdesk.store.dues import PaymentRepo
from branchdesk.ui.context import AppContext
from branchdesk.ui.pages.dues_page import DuesColumn, DuesPage

DAY = dt.date(2026, 5, 8)


@pytest.fixture
def context(file_db, data_dir):
    ctx = AppContext(db=file_db, data_dir=data_dir)
    s = ctx.session
    ids = {}
    for name, income in (("张伟", "2500.00"), ("李娜", "6000.00"), ("王强", None)):
        ids[name] = ops.add_member(s, Member(name, join_date=PartialDate(2000, 7, 1))).value
        if income:
            ops.set_assessment(s, Assessment(ids[name], Month(2026, 1), DuesCategory.EMPLOYED,
                                             income=D(income)))  # fmt: skip
    gone = ops.add_member(s, Member("赵敏", join_date=PartialDate(2000, 7, 1))).value
    ops.set_member_status(s, gone, MemberStatus.TRANSFERRED_OUT, PartialDate(2026, 3, 2))
    ctx.ids = ids  # type: ignore[attr-defined]
    return ctx


@pytest.fixture
def page(qtbot, context, monkeypatch):
    shown: list[tuple[str, str]] = []
    for kind in ("information", "warning", "error"):
        monkeypatch.setattr(f"branchdesk.ui.msgbox.{kind}",
                            lambda _p, title, text, kind=kind: shown.append((title, text)))  # fmt: skip
    widget = DuesPage(context, today=DAY)
    widget.shown = shown  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    return widget


def _texts(page: DuesPage, column: DuesColumn) -> list[str]:
    model = page.model
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_the_grid_lists_the_months_members_with_amounts_prefilled(page):
    assert _texts(page, DuesColumn.NAME) == ["张伟", "李娜", "王强"]  # 赵敏 left in March
    assert _texts(page, DuesColumn.MONTHLY) == ["12.50", "90.00", ""]
    assert _texts(page, DuesColumn.CATEGORY) == ["在职", "在职", "未核定"]
    assert _texts(page, DuesColumn.AMOUNT) == ["12.50", "90.00", ""]
    assert _texts(page, DuesColumn.MONTHS) == ["2026-05"] * 3
    assert _texts(page, DuesColumn.ARREARS)[0] == "4个月 50.00元"  # Jan-Apr ended unpaid
    assert page.model.index(0, DuesColumn.ARREARS).data(Qt.ItemDataRole.ToolTipRole) == (
        "欠缴4个月，共50.00元；自2026年1月起连续4个月未交，到2026年6月30日将满6个月"
    )
    assert page.totals.text() == "本月应交 3 人，已交 0 人；本次标记 0 人，合计 0.00 元"


def test_enter_marks_paid_and_save_records_the_payments(qtbot, page, context):
    page.collector.setText("组织委员 王芳")
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, DuesColumn.NAME))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # 张伟 paid, down to 李娜
    assert page.table.currentIndex().row() == 1
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # 李娜 paid
    assert _texts(page, DuesColumn.MARKED) == ["✓ 交", "✓ 交", ""]
    # 张伟 pays back January to May instead: typed over
    page.model.setData(page.model.index(0, DuesColumn.MONTHS), "2026-01至2026-05")
    page.model.setData(page.model.index(0, DuesColumn.AMOUNT), "62.50")
    assert page.totals.text().endswith("本次标记 2 人，合计 152.50 元")
    page.save_button.click()
    stored = {p.member_name: p for p in PaymentRepo(context.db).for_members()}
    assert stored["张伟"].months == tuple(Month(2026, m) for m in range(1, 6))
    assert stored["张伟"].amount == D("62.50") and stored["张伟"].paid_on == DAY
    assert stored["张伟"].received_by == "组织委员 王芳"
    assert stored["李娜"].amount == D("90.00")
    assert page.shown[-1] == ("已保存", "已保存 2 人的党费。")
    # the page refreshed from Changes.dues: May now paid, nothing marked
    assert _texts(page, DuesColumn.STATE)[:2] == [MonthState.PAID.label] * 2
    assert _texts(page, DuesColumn.MARKED) == ["", "", ""]
    assert _texts(page, DuesColumn.ARREARS)[0] == ""


def test_enter_again_unmarks(qtbot, page):
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(1, DuesColumn.NAME))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    page.table.setCurrentIndex(page.model.index(1, DuesColumn.NAME))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.model.marked() == []


def test_unreadable_input_is_refused_with_the_name_and_nothing_stored(qtbot, page, context):
    page.model.setData(page.model.index(2, DuesColumn.AMOUNT), "十元")
    page.save_button.click()
    assert page.shown[-1] == ("没有保存", "王强：金额“十元”不是金额")
    page.model.setData(page.model.index(2, DuesColumn.AMOUNT), "10")
    page.model.setData(page.model.index(2, DuesColumn.MONTHS), "2026-02、2026-03")
    page.model.setData(page.model.index(0, DuesColumn.AMOUNT), "12.50")
    page.model.setData(page.model.index(0, DuesColumn.MONTHS), "2025-12")  # before 核定: fine
    page.save_button.click()
    assert PaymentRepo(context.db).count() == 2


def test_a_payment_for_months_outside_the_branch_is_refused(qtbot, page, context):
    page.model.setData(page.model.index(1, DuesColumn.MONTHS), "1999-12")
    page.model.setData(page.model.index(1, DuesColumn.AMOUNT), "90")
    page.save_button.click()
    assert page.shown[-1][0] == "没有保存" and "李娜1999年12月不在本支部" in page.shown[-1][1]
    assert PaymentRepo(context.db).count() == 0


def test_a_long_back_pay_is_flagged_after_saving(qtbot, page, context):
    page.month.setDate(page.month.date().addMonths(4))  # September, the 党费日 stays in May
    page.day.setDate(page.day.date().addMonths(4))
    page.model.setData(page.model.index(0, DuesColumn.MONTHS), "2026-01至2026-08")
    page.model.setData(page.model.index(0, DuesColumn.AMOUNT), "100.00")
    page.save_button.click()
    assert "张伟：一次补交了8个月的党费" in page.shown[-1][1]


def test_the_page_is_shown_in_the_window_and_read_only_refuses(qtbot, context):
    context.read_only = True
    widget = DuesPage(context, today=DAY)
    qtbot.addWidget(widget)
    assert not widget.save_button.isEnabled()


def test_the_home_page_lists_arrears_with_the_day_six_months_are_reached(qtbot, context):
    from branchdesk.ui.pages.home_page import HomePage

    home = HomePage(context, today=lambda: DAY)
    qtbot.addWidget(home)
    home.refresh()
    text = home.dues_label.text()
    # 张伟 and 李娜 owe January to April; 王强 has no 核定, 赵敏 left
    assert "张伟</b>　欠缴4个月，共50.00元；自2026年1月起连续4个月未交，到2026年6月30日将满6个月" in text
    assert "李娜" in text and "王强" not in text and "赵敏" not in text
    ops.record_payment(context.session, Payment(context.ids["张伟"], DAY,
                                                tuple(Month(2026, m) for m in range(1, 5)),
                                                D("50.00")))  # fmt: skip
    home.refresh()
    assert "张伟" not in home.dues_label.text()


def test_the_assessment_dialog_shows_the_band_as_typed_and_refuses_what_is_wrong(qtbot):
    from branchdesk.ui.dialogs.assessment_dialog import AssessmentDialog

    dialog = AssessmentDialog(7, "张伟", Month(2026, 1))
    qtbot.addWidget(dialog)
    dialog.income.setText("6200.00")
    dialog.exclusions.setPlainText("社会保险 700\n住房公积金 499.99")
    assert dialog.outcome.text() == "月基数 5000.01 元，5000元以上至10000元（含），按 1.5%，月应缴 75.00 元"
    dialog.exclusions.setPlainText("社会保险 1200")
    assert dialog.outcome.text().endswith("按 1%，月应缴 50.00 元")
    dialog.category.setCurrentIndex(dialog.category.findText("免交"))
    assert not dialog.income.isEnabled() and dialog.approval.isEnabled()
    dialog.accept()
    assert dialog.message.text() == "免交党费要有批准：填写批准的党组织和文号"
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.approval.setText("街道党工委批准")
    dialog.accept()
    value = dialog.value()
    assert value.category is DuesCategory.EXEMPT and value.income is None and value.monthly == 0


def test_assessing_from_the_page_fills_the_row(qtbot, page, context, monkeypatch):
    from branchdesk.ui.dialogs.assessment_dialog import AssessmentDialog

    def fill(dialog: AssessmentDialog) -> int:
        assert dialog.windowTitle() == "党费核定 - 王强"
        dialog.category.setCurrentIndex(dialog.category.findText("离退休"))
        dialog.income.setText("5000.01")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(AssessmentDialog, "exec", fill)
    page.table.setCurrentIndex(page.model.index(2, DuesColumn.NAME))
    page.assess_button.click()
    row = page.model.row(2)
    assert (row.name, row.category, row.monthly) == ("王强", "离退休", D("50.00"))
    assert row.assessment.start == Month(2026, 5)  # from the month on show
    assert _texts(page, DuesColumn.AMOUNT)[2] == "50.00"


def test_enter_on_a_row_with_nothing_to_pay_says_why(qtbot, page):
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(2, DuesColumn.NAME))  # 王强: no 核定
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.model.marked() == []
    assert page.hint.text().startswith("王强还没有核定党费")
    page.table.setCurrentIndex(page.model.index(0, DuesColumn.NAME))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # 张伟 owes May: marked, the hint back
    assert [r.name for r in page.model.marked()] == ["张伟"]
    assert page.hint.text().startswith("选中一行按回车")
