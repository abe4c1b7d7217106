"""``branchdesk --self-test``: prove a build works end to end, headless, in a temporary folder.

Run inside the frozen bundle by CI (and by a support person on a user's PC), it touches
everything a bundle can lose: SQLite, openpyxl and defusedxml, the Qt platform plugin, the
bundled font, Qt's Chinese translation, PDF output and every page of the main window.
It creates a branch, imports a roster, records a meeting, writes a monthly return and a
sign-in PDF, reads the return back as the superior committee would, and prints one line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SUCCESS_PREFIX = "BranchDesk 自检通过："
FAILURE_PREFIX = "BranchDesk 自检失败："
ROSTER_SIZE = 24


class SelfTestFailure(Exception):
    """A check that did not hold; the message says which, in Chinese."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


def _make_app() -> Any:
    """Create the QApplication as the app does; headless unless a platform was chosen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from branchdesk.app import make_application

    return make_application([sys.argv[0] if sys.argv else "branchdesk"])


def _chinese_translation_loaded() -> bool:
    """True when Qt's own buttons come out in Chinese (qtbase_zh_CN.qm was found and loaded)."""
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    try:
        ok = box.button(QDialogButtonBox.StandardButton.Ok).text().replace("&", "")
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "")
    finally:
        box.deleteLater()
    return "确定" in ok and "取消" in cancel


def _write_roster(path: Path, today: dt.date) -> None:
    from branchdesk.demo import demo_members
    from branchdesk.reports.roster_export import build_roster_workbook

    members = demo_members(ROSTER_SIZE, seed=7, today=today)
    for index, member in enumerate(members):
        member.group_name = ("第一党小组", "第二党小组", "第三党小组")[index % 3]
    build_roster_workbook("自检支部", members, full=True, today=today).save(path)


def _run_steps(folder: Path, today: dt.date) -> list[str]:
    from branchdesk import ops
    from branchdesk.domain.branch import Branch
    from branchdesk.domain.requirements import Period, Unit
    from branchdesk.ops.roster import import_roster
    from branchdesk.printing.pdf import write_pdf
    from branchdesk.printing.pdf_text import read_pdf
    from branchdesk.printing.signin import SigninDocument, signin_for_meeting
    from branchdesk.reports.consolidation import read_return_file
    from branchdesk.reports.meetings_json import meetings_from_json
    from branchdesk.reports.return_figures import compute_return
    from branchdesk.reports.return_workbook import write_return
    from branchdesk.reports.roster_import import plan_import, read_roster
    from branchdesk.store.lock import DataFolderLock
    from branchdesk.store.members import BranchRepo, MemberRepo
    from branchdesk.store.session import Session

    done: list[str] = []
    _check(_chinese_translation_loaded(), "Qt 中文翻译（qtbase_zh_CN）未加载，按钮不是“确定/取消”")
    done.append("中文界面")

    data_dir = folder / "支部数据"
    data_dir.mkdir()
    # Writes go the way the window's do: operations on a session holding the folder lock.
    lock = DataFolderLock(data_dir)
    lock.acquire()
    session = Session.open(data_dir, lock=lock)
    db = session.db
    try:
        ops.save_branch(session, Branch(name="自检党支部", superior="自检上级党委"))
        _check(BranchRepo(db).get() is not None, "无法建立支部")
        done.append("建立支部")

        roster = folder / "花名册.xlsx"
        _write_roster(roster, today)
        result = import_roster(session, plan_import(db, read_roster(roster))).value
        imported = MemberRepo(db).list()
        _check(
            result.added == ROSTER_SIZE and len(imported) == ROSTER_SIZE,
            f"导入花名册：应有 {ROSTER_SIZE} 人，实际 {len(imported)} 人",
        )
        done.append(f"导入花名册 {len(imported)} 人")

        day = today - dt.timedelta(days=1)
        on_leave = imported[3].name
        meeting_ids = ops.add_meetings(session, meetings_from_json(
            db,
            {
                "kinds": ["theme_day"],
                "date": day.isoformat(),
                "start": "14:30",
                "end": "16:00",
                "place": "党员活动室",
                "title": "自检主题党日",
                "host": imported[0].name,
                "recorder": imported[1].name,
                "topics": ["学习《中国共产党支部工作条例（试行）》"],
                "minutes": "自检会议记录。",
                "attendance": [{"name": on_leave, "status": "请假", "reason": "出差"}],
            },
            today=today,
        )).value
        _check(len(meeting_ids) == 1, "记录会议失败")
        done.append("记录会议")

        period = Period(Unit.MONTH, day.year, day.month)
        report = compute_return(db, period, today=today)
        _check(report.meetings_held >= 1, "月报中没有刚记录的会议")
        return_path = write_return(report, folder / "月报.xlsx")
        figures = read_return_file(return_path)
        _check(isinstance(figures, dict), f"月报无法读回：{figures}")
        done.append("月报")

        sheet = signin_for_meeting(db, meeting_ids[0])
        pdf_path = folder / "签到表.pdf"
        pages = write_pdf(SigninDocument(sheet), pdf_path)
        _check(
            pages >= 1 and pdf_path.read_bytes()[:5] == b"%PDF-",
            "签到表 PDF 未生成",
        )
        _check(
            len(sheet.rows) == ROSTER_SIZE, f"签到表应有 {ROSTER_SIZE} 行，实际 {len(sheet.rows)}"
        )
        content = read_pdf(pdf_path.read_bytes())
        _check(
            any(font.startswith("WenQuanYi") for font in content.fonts),
            f"签到表 PDF 没有嵌入随软件附带的文泉驿微米黑字体（嵌入的字体：{'、'.join(sorted(content.fonts)) or '无'}）",
        )
        _check(
            imported[0].name in content.text and on_leave in content.text,
            f"签到表 PDF 的文字中找不到党员姓名“{imported[0].name}”：中文可能显示为方框",
        )
        done.append(f"签到表 PDF {pages} 页（文泉驿微米黑）")

        done.append(_open_main_window(session))
    finally:
        session.close()  # and releases the lock
    return done


def _open_main_window(session: Any) -> str:
    """Build and show the main window with every page, as a double-click would."""
    from PySide6.QtWidgets import QApplication

    from branchdesk.app import build_main_window
    from branchdesk.ui.context import AppContext

    window = build_main_window(AppContext.of(session))
    try:
        window.show()
        QApplication.processEvents()
        _check(window.isVisible(), "主窗口未能显示")
    finally:
        # hide(), not close(): closing saves the (offscreen) geometry to the user's settings.
        window.hide()
        window.deleteLater()
        QApplication.processEvents()
    return "主窗口"


@contextlib.contextmanager
def _no_modal_dialogs() -> Iterator[list[str]]:
    """Turn message boxes into log lines: nobody is there to click them."""
    from branchdesk.ui import msgbox

    shown: list[str] = []
    names = ("information", "warning", "error", "confirm", "choose")
    saved = {name: getattr(msgbox, name) for name in names if hasattr(msgbox, name)}

    def record(_parent: Any, title: str, text: str, *_args: Any, **_kwargs: Any) -> Any:
        shown.append(f"{title}：{text}")
        return None

    for name in saved:
        setattr(msgbox, name, record)
    try:
        yield shown
    finally:
        for name, function in saved.items():
            setattr(msgbox, name, function)


def run_self_test(*, out: Callable[[str], None] | None = None) -> int:
    """Run every check in a temporary folder; print one line; return the exit code."""
    write = out or (lambda line: print(line, flush=True))
    started = time.perf_counter()
    try:
        _make_app()
        with (
            _no_modal_dialogs() as dialogs,
            tempfile.TemporaryDirectory(prefix="branchdesk-selftest-") as name,
        ):
            done = _run_steps(Path(name), dt.date.today())
            _check(not dialogs, f"出现了意外的提示框：{'；'.join(dialogs)}")
    except SelfTestFailure as exc:
        write(f"{FAILURE_PREFIX}{exc}")
        return 1
    except Exception:  # anything else is what the self-test exists to find
        lines = traceback.format_exc().strip().splitlines()
        sys.stderr.write("\n".join(lines) + "\n")
        write(f"{FAILURE_PREFIX}{lines[-1]}")
        return 1
    from branchdesk import __version__

    elapsed = time.perf_counter() - started
    frozen = "打包版" if getattr(sys, "frozen", False) else "源码版"
    write(f"{SUCCESS_PREFIX}{'、'.join(done)}（{frozen} {__version__}，{elapsed:.1f} 秒）")
    return 0
