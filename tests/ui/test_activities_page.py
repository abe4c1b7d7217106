"""The 活动 page on a demo branch: filters, search and totals agree with the stored activities."""

from __future__ import annotations

import datetime as dt

import pytest
from demo_cache import write_demo_branch
from PySide6.QtCore import Qt

from branchdesk.domain.activities import Activity, ActivitySummary, Participation
from branchdesk.ops import Changes
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.activity_editor import ActivityEditor
from branchdesk.ui.models.activity_table_model import ActivityTableModel, Column, span_text
from branchdesk.ui.models.table_models import SUMMARY_ROLE
from branchdesk.ui.ops import announce
from branchdesk.ui.pages.activities_page import ActivitiesPage, period_range
from screenshots import screenshot_file

TODAY = dt.date(2025, 6, 18)
SCREENSHOT = screenshot_file("activities_page.png")


@pytest.fixture
def context(data_dir):
    write_demo_branch(data_dir, members=24, seed=3, today=TODAY)
    db = open_database(data_dir / DB_FILENAME)
    yield AppContext(db=db, data_dir=data_dir)
    db.close()


@pytest.fixture
def page(qtbot, context, monkeypatch) -> ActivitiesPage:
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    page = ActivitiesPage(context, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1180, 700)
    page.show()
    return page


def _shown(page: ActivitiesPage) -> list[ActivitySummary]:
    return [page.proxy.index(r, 0).data(SUMMARY_ROLE) for r in range(page.proxy.rowCount())]


def _select_text(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def _all_activities(context) -> list[Activity]:
    repo = ActivityRepo(context.db)
    return [repo.get(s.id) for s in repo.summaries()]


def _expected_totals(activities: list[Activity]) -> str:
    """活动 N 次，参与 M 人次，合计 H 小时, summed from whole stored activities."""
    people = sum(len(a.participants) for a in activities)
    hours = round(sum(p.hours for a in activities for p in a.participants), 2)
    return f"活动 {len(activities)} 次，参与 {people} 人次，合计 {hours:g} 小时"


def _overlaps(activity: Activity, start: dt.date | None, end: dt.date | None) -> bool:
    last = activity.end_day or activity.day
    return (start is None or last >= start) and (end is None or activity.day <= end)


def test_model_passes_qtmodeltester(qtmodeltester, context) -> None:
    model = ActivityTableModel()
    model.set_rows(ActivityRepo(context.db).summaries())
    qtmodeltester.check(model)


def test_this_year_is_shown_with_its_totals(page, context) -> None:
    assert page.period_combo.currentText() == "今年"
    wanted = [
        a
        for a in _all_activities(context)
        if _overlaps(a, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    ]
    assert wanted, "the demo branch has activities this year"
    assert sorted(s.id for s in _shown(page)) == sorted(a.id for a in wanted)
    assert page.totals_label.text() == _expected_totals(wanted)
    total = ActivityRepo(context.db).count()
    assert page.count_label.text() == f"共 {len(wanted)} 次活动（全部 {total} 次）"
    first = _shown(page)[0]
    assert first.day == max(a.day for a in wanted)  # newest first
    assert page.proxy.index(0, Column.DATE).data() == span_text(first.day, first.end_day)
    assert page.proxy.index(0, Column.PARTICIPANTS).data() == f"{first.participants} 人"


@pytest.mark.parametrize("period", ["去年", "近12个月", "全部"])
def test_each_period_and_kind_sums_like_the_stored_rows(page, context, period) -> None:
    _select_text(page.period_combo, period)
    start, end = period_range(period, TODAY)
    everything = _all_activities(context)
    in_period = [a for a in everything if _overlaps(a, start, end)]
    assert sorted(s.id for s in _shown(page)) == sorted(a.id for a in in_period)
    assert page.totals_label.text() == _expected_totals(in_period)
    for kind in ("志愿服务", "结对帮扶"):
        _select_text(page.kind_combo, kind)
        wanted = [a for a in in_period if a.kind == kind]
        assert sorted(s.id for s in _shown(page)) == sorted(a.id for a in wanted)
        assert page.totals_label.text() == _expected_totals(wanted)
    _select_text(page.kind_combo, "全部类型")
    assert page.proxy.rowCount() == len(in_period)


def test_search_is_debounced_and_finds_participants_by_name(qtbot, page, context) -> None:
    _select_text(page.period_combo, "全部")
    everything = _all_activities(context)
    name = everything[0].participants[0].name
    before = page.proxy.rowCount()
    page.search_edit.setText(name)
    assert page.proxy.rowCount() == before  # nothing yet: typing is still going on
    wanted = [
        a
        for a in everything
        if any(name in p.name for p in a.participants)
        or any(name in text for text in (a.title, a.description, a.place, a.organiser, a.guests))
    ]
    qtbot.waitUntil(lambda: page.proxy.rowCount() == len(wanted), timeout=2_000)
    assert sorted(s.id for s in _shown(page)) == sorted(a.id for a in wanted)
    assert page.totals_label.text() == _expected_totals(wanted)
    assert f"含“{name}”" in page.totals_scope.text()

    page.search_edit.setText("垃圾分类")
    page.refresh()
    assert {s.title for s in _shown(page)} == {"垃圾分类宣传"}

    page.search_edit.setText("不存在的活动")
    page.refresh()
    assert page.stack.currentIndex() == 1
    assert page.empty_title.text() == "没有符合条件的活动"
    assert page.totals_label.text() == "活动 0 次，参与 0 人次，合计 0 小时"
    qtbot.mouseClick(page.empty_button, Qt.MouseButton.LeftButton)
    assert page.search_edit.text() == ""
    assert page.proxy.rowCount() == ActivityRepo(context.db).count()


def test_delete_asks_then_undo_brings_it_back_whole(qtbot, page, context, monkeypatch) -> None:
    repo = ActivityRepo(context.db)
    total = repo.count()
    page.table.selectRow(1)
    summary = page.selected_summary()
    original = repo.get(summary.id)

    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: False)
    page.actions_by_id["delete"].trigger()
    assert repo.count() == total

    asked: list[str] = []
    monkeypatch.setattr(msgbox, "confirm", lambda _p, title, text, **k: asked.append(text) or True)
    with qtbot.waitSignal(context.events.changes_applied) as blocker:
        page.table.setFocus()
        qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert blocker.args[0].activities
    assert summary.title in asked[0]
    assert repo.count() == total - 1
    assert page.model.row_of(summary.id) < 0
    assert page.undo_bar.isVisible()
    assert page.undo_label.text().startswith(f"已删除活动“{summary.title}”")

    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert repo.count() == total
    assert repo.get(summary.id) == original
    assert not page.undo_bar.isVisible()
    assert page.selected_summary().id == summary.id


def test_duplicate_opens_a_copy_dated_today(page, context, monkeypatch) -> None:
    seen: list[Activity | None] = []
    monkeypatch.setattr(ActivityEditor, "ask", lambda _p, _c, a=None: seen.append(a))
    page.table.selectRow(0)
    summary = page.selected_summary()
    page.actions_by_id["duplicate"].trigger()
    template = seen[0]
    original = ActivityRepo(context.db).get(summary.id)
    assert template.id is None and template.day == TODAY and template.attachments == []
    assert (template.kind, template.title) == (original.kind, original.title)
    assert template.participants == original.participants


def test_add_and_edit_go_through_the_editor(qtbot, page, context, monkeypatch) -> None:
    repo = ActivityRepo(context.db)
    member = context.members.list()[0]

    def fake_ask(_parent, ctx, activity=None):
        saved = Activity(
            kind="学习教育", title="读书分享会", day=TODAY,
            participants=[Participation(member.id, member.name, 2)],
        )  # fmt: skip
        repo.add(saved)
        announce(ctx, Changes.of("activities"))
        return saved

    monkeypatch.setattr(ActivityEditor, "ask", fake_ask)
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.selected_summary().title == "读书分享会"

    opened: list[Activity] = []
    monkeypatch.setattr(ActivityEditor, "ask", lambda _p, _c, a=None: opened.append(a))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened and opened[0].title == "读书分享会" and opened[0].id is not None


def test_changes_elsewhere_refresh_the_page(page, context) -> None:
    before = page.proxy.rowCount()
    ActivityRepo(context.db).add(Activity(kind="其他", title="新增", day=TODAY))
    announce(context, Changes.of("activities"))
    assert page.proxy.rowCount() == before + 1


def test_screenshot_with_the_demo_branch(qtbot, tmp_path) -> None:
    from branchdesk.app import build_main_window

    folder = tmp_path / "demo"
    write_demo_branch(folder)
    db = open_database(folder / DB_FILENAME)
    try:
        window = build_main_window(AppContext(db=db, data_dir=folder))
        qtbot.addWidget(window)
        window.resize(1180, 760)
        page = window.show_page("活动")
        window.show()
        qtbot.waitExposed(window)
        page.table.selectRow(1)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        assert window.grab().save(str(SCREENSHOT))
    finally:
        db.close()


def test_read_only_data_can_be_read_but_not_changed(qtbot, context) -> None:
    context.read_only = True
    page = ActivitiesPage(context, today=TODAY)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    assert page.actions_by_id["edit"].isEnabled()  # opened to read
    for action_id in ("add", "duplicate", "delete", "undo"):
        assert not page.actions_by_id[action_id].isEnabled(), action_id
    assert page.actions_by_id["add"].toolTip() == "数据为只读"


def test_a_locked_database_is_explained_not_crashed(qtbot, page, context, monkeypatch) -> None:
    import sqlite3

    errors: list[str] = []
    monkeypatch.setattr(msgbox, "error", lambda _p, title, text: errors.append(title))

    def locked(_repo, _activity_id):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ActivityRepo, "delete", locked)
    total = ActivityRepo(context.db).count()
    page.table.selectRow(0)
    page.actions_by_id["delete"].trigger()
    assert errors == ["没有删除"]
    assert ActivityRepo(context.db).count() == total
    assert not page.undo_bar.isVisible()


def test_a_restored_backup_voids_the_undo_of_an_earlier_deletion(qtbot, page, context, monkeypatch):
    """Undo after a restore would put an activity of the old data into the restored one."""
    from branchdesk.ops import Changes
    from branchdesk.ui.ops import announce

    page.table.selectRow(0)
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    page.actions_by_id["delete"].trigger()
    assert page.undo_bar.isVisible() and page.actions_by_id["undo"].isEnabled()
    announce(context, Changes.all())  # what 从备份恢复 says once the files are swapped
    assert not page.undo_bar.isVisible() and not page.actions_by_id["undo"].isEnabled()
