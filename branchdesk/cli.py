"""``branchdesk ...``: open the app, or run a headless command on a data folder.

Headless commands use the same store and report code as the GUI; messages are in
Chinese; the exit code is 0 on success and non-zero with a message on stderr otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import json
import logging
import os
import random
import sqlite3
import string
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from branchdesk import __version__
from branchdesk.store.db import (
    DB_FILENAME,
    Database,
    NewerDatabaseError,
    StorageError,
    connect_read_only,
    folder_writable,
    open_database,
    storage_error,
)
from branchdesk.store.location import ensure_data_dir, resolve_data_dir
from branchdesk.store.lock import DataFolderLock, FolderLocked, lock_wait_seconds
from branchdesk.store.session import Session

# Exit code for a bug (an exception nobody expected), as sysexits.h has it.
EXIT_INTERNAL_ERROR = 70
# Returns and periods outside these years are typing mistakes (the Party was founded in 1921).
FIRST_YEAR = 1921


class CliError(Exception):
    """A failure to report on stderr with a non-zero exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise CliError(f"参数有误：{message}", 2)


def _data_dir_option(parser: argparse.ArgumentParser, *, top: bool) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None if top else argparse.SUPPRESS,
        help="数据文件夹（默认按 BRANCHDESK_HOME 或本机用户数据目录）",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="branchdesk", description="BranchDesk 支部台账")
    parser.add_argument("--version", action="version", version=f"BranchDesk {__version__}")
    _data_dir_option(parser, top=True)
    parser.add_argument("--demo", action="store_true", help="在临时文件夹中打开一个示例支部")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="自检：在临时文件夹中建立支部、导入花名册、记录会议、生成月报和签到表，不打开窗口",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    demo = sub.add_parser("demo", help="写入一个示例支部")
    _data_dir_option(demo, top=False)
    demo.add_argument("--members", type=int, default=36, help="党员人数（默认 36）")
    demo.add_argument("--seed", type=int, default=1, help="随机种子")
    demo.add_argument("--branch", default=None, help="支部名称")
    demo.set_defaults(handler=cmd_demo)

    init = sub.add_parser("init", help="在数据文件夹中建立支部（支部名称、上级党组织）")
    _data_dir_option(init, top=False)
    init.add_argument("--name", required=True, help="支部名称，如“城关街道幸福里社区党支部”")
    init.add_argument("--superior", default="", help="上级党组织，如“城关街道党工委”")
    init.set_defaults(handler=cmd_init)

    members = sub.add_parser("members", help="党员花名册")
    msub = members.add_subparsers(dest="members_command", parser_class=_Parser, required=True)
    mlist = msub.add_parser("list", help="列出党员")
    _data_dir_option(mlist, top=False)
    mlist.add_argument("--json", action="store_true", help="输出 JSON")
    mlist.set_defaults(handler=cmd_members_list)
    mimport = msub.add_parser("import", help="导入花名册（.xlsx、.xls、.et、.ods、.csv）")
    _data_dir_option(mimport, top=False)
    mimport.add_argument("file")
    mimport.add_argument(
        "--password-stdin",
        action="store_true",
        help="文件有密码保护时，从标准输入读取密码（一行）；不加此项则在终端中询问",
    )
    mimport.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    mimport.add_argument(
        "--joined-on",
        metavar="YYYY-MM-DD",
        help="新党员加入本支部的日期（默认：首次导入为本支部原有党员，之后为今天）；"
        "写 original 表示本支部原有党员",
    )
    mimport.add_argument("--json", action="store_true", help="输出 JSON")
    mimport.set_defaults(handler=cmd_members_import)
    mexport = msub.add_parser("export", help="导出花名册为 .xlsx")
    _data_dir_option(mexport, top=False)
    mexport.add_argument("file")
    mexport.add_argument("--full", action="store_true", help="身份证号、电话不打码（默认打码）")
    mexport.add_argument("--include-left", action="store_true", help="包括已转出、去世等离开的党员")
    mexport.set_defaults(handler=cmd_members_export)

    meetings = sub.add_parser("meetings", help="会议记录")
    gsub = meetings.add_subparsers(dest="meetings_command", parser_class=_Parser, required=True)
    glist = gsub.add_parser("list", help="列出会议")
    _data_dir_option(glist, top=False)
    glist.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="起始日期（含）")
    glist.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="截止日期（含）")
    glist.add_argument("--kind", metavar="CODE", help="会议类型代码，如 theme_day")
    glist.add_argument("--json", action="store_true", help="输出 JSON")
    glist.set_defaults(handler=cmd_meetings_list)
    gadd = gsub.add_parser("add", help="从 JSON 添加会议（全部成功或全部不写入）")
    _data_dir_option(gadd, top=False)
    gadd.add_argument("--json", dest="json_file", required=True, metavar="FILE", help="JSON 文件，- 表示标准输入")
    gadd.set_defaults(handler=cmd_meetings_add)

    activities = sub.add_parser("activities", help="党员活动")
    asub = activities.add_subparsers(dest="activities_command", parser_class=_Parser, required=True)
    alist = asub.add_parser("list", help="列出活动")
    _data_dir_option(alist, top=False)
    alist.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="起始日期（含）")
    alist.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="截止日期（含）")
    alist.add_argument("--kind", metavar="类型", help="活动类型，如 志愿服务")
    alist.add_argument("--json", action="store_true", help="输出 JSON")
    alist.set_defaults(handler=cmd_activities_list)
    aadd = asub.add_parser("add", help="从 JSON 添加活动（全部成功或全部不写入）")
    _data_dir_option(aadd, top=False)
    aadd.add_argument("--json", dest="json_file", required=True, metavar="FILE", help="JSON 文件，- 表示标准输入")
    aadd.set_defaults(handler=cmd_activities_add)

    dues = sub.add_parser("dues", help="党费：核定、收缴和欠缴")
    dsub = dues.add_subparsers(dest="dues_command", parser_class=_Parser, required=True)
    dlist = dsub.add_parser("list", help="列出一年中每名党员每月的应缴、实缴和欠缴")
    _data_dir_option(dlist, top=False)
    dlist.add_argument("--year", required=True, metavar="YYYY", help="年份，如 2026")
    dlist.add_argument("--json", action="store_true", help="输出 JSON（金额为 \"12.50\" 这样的文字）")
    dlist.set_defaults(handler=cmd_dues_list)
    dassess = dsub.add_parser("assess", help="从 JSON 写入党费核定（全部成功或全部不写入）")
    _data_dir_option(dassess, top=False)
    dassess.add_argument("--year", required=True, metavar="YYYY", help="核定的年份")
    dassess.add_argument("--json", dest="json_file", required=True, metavar="FILE", help="JSON 文件，- 表示标准输入")
    dassess.set_defaults(handler=cmd_dues_assess)
    dpay = dsub.add_parser("pay", help="从 JSON 登记交纳党费（全部成功或全部不写入）")
    _data_dir_option(dpay, top=False)
    dpay.add_argument("--json", dest="json_file", required=True, metavar="FILE", help="JSON 文件，- 表示标准输入")
    dpay.set_defaults(handler=cmd_dues_pay)

    returns = sub.add_parser("return", help="导出月报、季报或年报（.xlsx）")
    _data_dir_option(returns, top=False)
    rperiod = returns.add_mutually_exclusive_group(required=True)
    rperiod.add_argument("--month", metavar="YYYY-MM", help="月报，如 2026-10")
    rperiod.add_argument("--quarter", metavar="YYYY-Qn", help="季报，如 2026-Q3")
    rperiod.add_argument("--year", metavar="YYYY", help="年报，如 2026")
    returns.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="输出文件")
    returns.add_argument(
        "--revised", action="store_true", help="标记为修订版（替代已报送的同期报表）"
    )
    returns.add_argument(
        "--mark-reported", action="store_true", help="标记该期间已上报：其中的记录从此只读，直到解锁"
    )
    returns.add_argument("--json", action="store_true", help="同时以 JSON 输出汇总数据")
    returns.set_defaults(handler=cmd_return)

    consolidation = sub.add_parser("consolidate", help="把多个支部同一期间的报表汇总为一张表")
    consolidation.add_argument("files", nargs="+", metavar="FILE.xlsx", help="各支部报送的报表")
    consolidation.add_argument(
        "-o", "--output", required=True, metavar="SUMMARY.xlsx", help="汇总表"
    )
    consolidation.add_argument(
        "--expect", metavar="BRANCHES.xlsx", help="应报支部名单（每行一个支部名称）"
    )
    consolidation.add_argument(
        "--period", metavar="CODE", help="汇总期间，如 2026-10（默认取第一份有效报表的期间）"
    )
    consolidation.add_argument(
        "--deadline", metavar="YYYY-MM-DD", help="报送截止日期，此后生成的报表标为逾期"
    )
    consolidation.add_argument("--json", action="store_true", help="以 JSON 输出汇总结果")
    consolidation.set_defaults(handler=cmd_consolidate)

    backup = sub.add_parser("backup", help="备份数据（含附件）到一个文件")
    _data_dir_option(backup, top=False)
    backup.add_argument("-o", "--output", metavar="FILE", help="备份文件；默认写入数据文件夹的 backups")
    backup.set_defaults(handler=cmd_backup)
    restore = sub.add_parser("restore", help="从备份文件恢复（先自动备份当前数据）")
    _data_dir_option(restore, top=False)
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    restore.set_defaults(handler=cmd_restore)
    check = sub.add_parser("check", help="检查数据：完整性、外键、附件")
    _data_dir_option(check, top=False)
    check.set_defaults(handler=cmd_check)

    signin = sub.add_parser("signin", help="签到表 PDF：某次会议的，或不对应会议记录的空白签到表")
    _data_dir_option(signin, top=False)
    signin.add_argument("meeting_id", nargs="?", type=int, metavar="MEETING_ID", help="会议编号")
    signin.add_argument("--blank", action="store_true", help="空白签到表（日期等手写）")
    signin.add_argument("--kind", metavar="CODE", help="空白签到表的会议类型代码，如 theme_day")
    signin.add_argument("--group", metavar="NAME", help="空白签到表只列该党小组的党员")
    signin.add_argument(
        "--columns",
        type=int,
        choices=(1, 2),
        help="每行签到的人数：1 或 2（紧凑版式，每页约 40 人）；不写则超过 40 人时每行 2 人",
    )
    signin.add_argument(
        "--leave-notes", action="store_true", help="在备注栏填入已登记的请假及事由"
    )
    signin.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="输出文件")
    signin.set_defaults(handler=cmd_signin)
    record = sub.add_parser("record", help="会议记录 PDF（记录本格式，用于归档）")
    _data_dir_option(record, top=False)
    record.add_argument("meeting_id", type=int, metavar="MEETING_ID", help="会议编号")
    record.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="输出文件")
    record.set_defaults(handler=cmd_record)
    return parser


def _data_dir(args: argparse.Namespace) -> Path:
    return resolve_data_dir(getattr(args, "data_dir", None))


def _command_name(args: argparse.Namespace) -> str:
    """``meetings add``: how the lock file names this command to a second copy."""
    words = [args.command]
    for sub in ("members_command", "meetings_command", "activities_command"):
        if getattr(args, sub, None):
            words.append(getattr(args, sub))
    return " ".join(words)


def _cleanup(args: argparse.Namespace) -> contextlib.ExitStack:
    stack: contextlib.ExitStack | None = getattr(args, "cleanup", None)
    if stack is None:  # a handler called directly rather than through main()
        stack = args.cleanup = contextlib.ExitStack()
    return stack


def _hold_folder(args: argparse.Namespace, data_dir: Path) -> DataFolderLock:
    """Take the data folder's one-writer lock until the command ends, waiting briefly."""
    lock = DataFolderLock(data_dir, command=_command_name(args))
    lock.acquire(wait=lock_wait_seconds())
    _cleanup(args).callback(lock.release)
    return lock


def _needs_migration(path: Path) -> bool:
    from branchdesk.store.migrations import MIGRATIONS

    try:
        conn = connect_read_only(path).conn
    except sqlite3.Error:
        return False
    try:
        return bool(MIGRATIONS.pending(Database(conn, execute_plugins=False)))
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _open_for_reading(args: argparse.Namespace, data_dir: Path, path: Path) -> Database:
    """Open read-only, so that reading works beside a window that holds the folder."""
    try:
        return open_database(path, read_only=True)
    except NewerDatabaseError:
        raise
    except StorageError:
        if not (_needs_migration(path) and folder_writable(data_dir)):
            raise
    # Data from an older BranchDesk: upgrade it first, as the one writer would.
    try:
        _hold_folder(args, data_dir)
    except FolderLocked as exc:
        raise CliError(
            "数据文件来自旧版本 BranchDesk，需要先升级才能读取，而升级要等数据文件夹空闲。"
            + exc.message
        ) from exc
    open_database(path).close()
    return open_database(path, read_only=True)


def _existing_database(data_dir: Path) -> Path:
    path = data_dir / DB_FILENAME
    if not path.exists():
        raise CliError(
            f"数据文件夹 {data_dir} 中没有支部数据，请先用 init 命令（或在 BranchDesk 中）建立支部，"
            "或用 demo 命令生成示例支部"
        )
    return path


def _open(args: argparse.Namespace) -> Database:
    """Open the branch database for reading (read-only, beside a window that may write)."""
    data_dir = _data_dir(args)
    db = _open_for_reading(args, data_dir, _existing_database(data_dir))
    _cleanup(args).callback(db.close)
    return db


def _open_session(args: argparse.Namespace) -> Session:
    """Open the branch database for writing, under the folder lock, as the operations need."""
    data_dir = _data_dir(args)
    _existing_database(data_dir)
    session = Session.open(data_dir, lock=_hold_folder(args, data_dir))
    _cleanup(args).callback(session.db.close)  # the lock is released by its own callback
    return session


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from branchdesk.demo import write_demo_branch

    data_dir = _data_dir(args)
    if args.members < 3 or args.members > 2000:
        raise CliError("--members 应在 3 到 2000 之间", 2)
    ensure_data_dir(data_dir)
    _hold_folder(args, data_dir)
    try:
        summary = write_demo_branch(
            data_dir, members=args.members, seed=args.seed, branch_name=args.branch
        )
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    former = f"（另有 {summary.former} 名已转出或去世）" if summary.former else ""
    print(
        f"已在 {data_dir} 写入示例支部“{summary.branch}”：{summary.members} 名党员{former}，"
        f"{summary.groups} 个党小组，{summary.meetings} 次会议，{summary.activities} 次活动"
    )
    return 0


def member_json(member: Any) -> dict[str, Any]:
    def day(value: Any) -> str | None:
        return value.first_day().isoformat() if value else None

    return {
        "id": member.id,
        "name": member.name,
        "gender": member.gender.label if member.gender else None,
        "ethnicity": member.ethnicity or None,
        "birth_date": day(member.birth_date),
        "id_number": member.id_number or None,
        "education": member.education or None,
        "join_date": day(member.join_date),
        "full_date": day(member.full_date),
        "category": member.category.label,
        "group": member.group_name or None,
        "phone": member.phone or None,
        "workplace": member.workplace or None,
        "status": member.status.label,
        "status_date": day(member.status_date),
        "roles": [role.label for role in member.roles],
        "notes": member.notes or None,
        "month_precision": [
            name
            for name in ("birth_date", "join_date", "full_date", "status_date")
            if getattr(member, name) is not None and getattr(member, name).month_only
        ],
    }


def cmd_members_list(args: argparse.Namespace) -> int:
    from branchdesk.store.members import MemberRepo

    members = MemberRepo(_open(args)).list()
    if args.json:
        _print_json([member_json(m) for m in members])
        return 0
    for m in members:
        print(f"{m.id}\t{m.name}\t{m.category.label}\t{m.group_name}\t{m.status.label}")
    current = sum(m.status.in_roster for m in members)
    left = f"（在册 {current} 人，已转出、去世等 {len(members) - current} 人）"
    print(f"共 {len(members)} 人" + (left if current != len(members) else ""))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from branchdesk.domain.branch import Branch
    from branchdesk.ops.members import save_branch
    from branchdesk.store.members import BranchRepo

    name, superior = args.name.strip(), args.superior.strip()
    if not name:
        raise CliError("请用 --name 写出支部名称", 2)
    if len(name) > 100 or len(superior) > 100:
        raise CliError("支部名称和上级党组织最长 100 个字", 2)
    data_dir = _data_dir(args)
    ensure_data_dir(data_dir)
    lock = _hold_folder(args, data_dir)
    session = Session.open(data_dir, lock=lock)
    _cleanup(args).callback(session.db.close)
    existing = BranchRepo(session.db).get()
    if existing is not None:
        raise CliError(f"数据文件夹 {data_dir} 中已有支部“{existing.name}”，未作改动")
    save_branch(session, Branch(name, superior))
    above = f"（上级党组织：{superior}）" if superior else ""
    print(f"已在 {data_dir} 建立支部“{name}”{above}。下一步可用 members import 导入花名册。")
    return 0


def _read_roster_file(args: argparse.Namespace, path: Path) -> Any:
    """Read a roster, asking for the password of a protected workbook (terminal or stdin)."""
    from branchdesk.reports.roster_import import (
        RosterFileError,
        RosterPasswordRequired,
        read_roster,
    )

    password: str | None = None
    while True:
        try:
            return read_roster(path, password=password)
        except RosterPasswordRequired as exc:
            if args.password_stdin and password is None:
                password = sys.stdin.readline().rstrip("\r\n")
            elif sys.stdin.isatty() and not args.password_stdin:
                import getpass

                if exc.wrong_password:
                    print("密码不正确。", file=sys.stderr)
                password = getpass.getpass(f"“{path.name}”的打开密码：")
            else:
                raise CliError(
                    exc.message
                    + ("" if args.password_stdin else "可加 --password-stdin 从标准输入提供密码。")
                ) from exc
            if not password:
                raise CliError(f"“{path.name}”有密码保护，没有输入密码，未导入。") from exc
        except RosterFileError as exc:
            raise CliError(exc.message) from exc


def cmd_members_import(args: argparse.Namespace) -> int:
    from branchdesk.ops.roster import import_roster
    from branchdesk.reports.roster_import import (
        ORIGINAL,
        JoinedOn,
        joined_on_text,
        plan_import,
    )

    joined_on: JoinedOn | None = None
    if args.joined_on is not None:
        text = args.joined_on.strip()
        if text.lower() in (ORIGINAL, "原有"):
            joined_on = ORIGINAL
        else:
            try:
                joined_on = dt.date.fromisoformat(text)
            except ValueError:
                raise CliError(
                    f"--joined-on 的日期“{args.joined_on}”无效，应写成 2026-12-02 这样的形式，"
                    "或写 original（本支部原有党员）",
                    2,
                ) from None
            if joined_on > dt.date.today():
                raise CliError("--joined-on 不能晚于今天", 2)
    session = None if args.dry_run else _open_session(args)
    db = _open(args) if session is None else session.db
    path = Path(args.file)
    parsed = _read_roster_file(args, path)
    preview = plan_import(db, parsed, joined_on=joined_on)
    if session is None:
        summary = preview.to_json()
    else:
        summary = import_roster(session, preview, joined_on=preview.joined_on).value.to_json()
    if args.json:
        _print_json(summary)
        return 0
    _print_import_summary(path, summary, dry_run=args.dry_run)
    if preview.to_add:
        print(f"  新增党员：{joined_on_text(preview.joined_on)}")
    if preview.new_groups:
        print(f"  {preview.groups_text()}")
    return 0


def _print_import_summary(path: Path, summary: dict[str, Any], *, dry_run: bool) -> None:
    verb = "检查" if dry_run else "导入"
    non_members = summary["non_members"]
    print(
        f"已{verb}“{path.name}”：新增 {summary['added']} 人，更新 {summary['updated']} 人，"
        f"无变化 {summary['unchanged']} 人，跳过 {len(summary['skipped'])} 行，"
        f"提示 {len(summary['warnings'])} 条"
        + (f"，非党员 {len(non_members)} 人未导入" if non_members else "")
    )
    if dry_run:
        print("（试运行，未写入任何数据）")
    read = [s for s in summary["sheets"] if s["read"]]
    many = len(read) > 1

    def where(item: dict[str, Any]) -> str:
        last = item.get("last_row") or item["row"]
        rows = f"第 {item['row']}–{last} 行" if last != item["row"] else f"第 {item['row']} 行"
        return f"{item['sheet']} {rows}" if many else rows

    for sheet in summary["sheets"]:
        if sheet["read"]:
            print(f"  工作表“{sheet['title']}”：表头在第 {sheet['header_row']} 行，{sheet['people']} 人")
        elif sheet["reason"] != "空工作表":
            print(f"  未读取工作表“{sheet['title']}”：{sheet['reason']}")
    for column in summary["columns"]:
        if column["field"] is None and not column["checked_only"]:
            header = f"“{column['header']}”" if column["header"] else ""
            print(f"  未导入的列 {column['column']}{header}：{column['reason']}")
    for notice in summary["notices"]:
        print(f"  注意：{notice}")
    for item in summary["skipped"]:
        name = f" {item['name']}" if item["name"] else ""
        print(f"  跳过 {where(item)}{name}：{item['reason']}")
    for item in non_members:
        print(f"  非党员，未导入 {where(item)} {item['name']}（{item['stage']}）")
    for item in summary["ignored_rows"]:
        text = f"“{item['text']}”" if item["text"] else ""
        print(f"  不是党员的行 {where(item)}{text}：{item['reason']}")
    for item in summary["warnings"]:
        print(f"  提示 {where(item)} {item['field']}：{item['message']}")


def cmd_members_export(args: argparse.Namespace) -> int:
    from branchdesk.reports.roster_export import ExportError, export_roster

    db = _open(args)
    try:
        # Personal data leaves the app masked unless the user asks for full values.
        result = export_roster(
            db,
            Path(args.file),
            full=args.full,
            include_left=args.include_left,
            data_dir=_data_dir(args),
        )
    except ExportError as exc:
        raise CliError(exc.message) from exc
    print(f"已导出 {result.members} 名党员到“{result.path}”")
    return 0


def _cli_date(value: str | None, option: str) -> Any:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option} 的日期“{value}”无效，应为 YYYY-MM-DD", 2) from None


def cmd_meetings_list(args: argparse.Namespace) -> int:
    from branchdesk.domain.meetings import MeetingKind
    from branchdesk.reports.meetings_json import write_meetings_json
    from branchdesk.store.meetings import MeetingFilter, MeetingRepo

    kind = None
    if args.kind:
        try:
            kind = MeetingKind(args.kind)
        except ValueError:
            codes = "、".join(k.value for k in MeetingKind)
            raise CliError(f"未知的会议类型代码“{args.kind}”，可用：{codes}", 2) from None
    db = _open(args)
    repo = MeetingRepo(db)
    where = MeetingFilter(
        start=_cli_date(args.start, "--from"), end=_cli_date(args.end, "--to"), kind=kind
    )
    if args.json:  # written a meeting at a time: twenty years of a large branch is 150 MB
        write_meetings_json(repo.db, where, sys.stdout)
        return 0
    summaries = list(reversed(repo.summaries(where)))  # oldest first reads like a record book
    for s in summaries:
        print(f"{s.id}\t{s.day.isoformat()}\t{s.kind_label}\t{s.title}\t"
              f"实到 {s.counts.present}/{s.counts.expected}")
    print(f"共 {len(summaries)} 次会议")
    return 0


def _read_json(name: str) -> Any:
    from branchdesk.reports.json_input import JsonInputError, read_json_file, read_json_stream

    try:
        if name == "-":
            return read_json_stream(sys.stdin)
        return read_json_file(name)
    except FileNotFoundError as exc:
        raise CliError(f"找不到文件 {name}", 2) from exc
    except IsADirectoryError as exc:
        raise CliError(f"{name} 是一个文件夹，请给出 JSON 文件", 2) from exc
    except PermissionError as exc:
        raise CliError(f"没有权限读取 {name}", 1) from exc
    except OSError as exc:
        raise CliError(f"无法读取 {name}：{exc.strerror or exc}") from exc
    except JsonInputError as exc:
        raise CliError(exc.message, 2) from exc


def cmd_meetings_add(args: argparse.Namespace) -> int:
    from branchdesk.ops import add_meetings
    from branchdesk.reports.meetings_json import MeetingInputError, meetings_from_json

    data = _read_json(args.json_file)
    session = _open_session(args)
    try:
        ids = add_meetings(session, meetings_from_json(session.db, data)).value
    except MeetingInputError as exc:
        raise CliError(f"{exc}。没有写入任何会议。", 2) from exc
    print(f"已添加 {len(ids)} 次会议：编号 {', '.join(map(str, ids))}")
    return 0


def cmd_activities_list(args: argparse.Namespace) -> int:
    from branchdesk.domain.activities import format_hours, total
    from branchdesk.reports.activities_json import write_activities_json
    from branchdesk.store.activities import ActivityFilter, ActivityRepo

    repo = ActivityRepo(_open(args))
    where = ActivityFilter(
        start=_cli_date(args.start, "--from"), end=_cli_date(args.end, "--to"), kind=args.kind
    )
    if args.json:  # written an activity at a time, as meetings are
        write_activities_json(repo.db, where, sys.stdout)
        return 0
    summaries = list(reversed(repo.summaries(where)))
    for s in summaries:
        print(f"{s.id}\t{s.day.isoformat()}\t{s.kind}\t{s.title}\t{s.participants} 人\t"
              f"{format_hours(s.hours)} 小时")
    totals = total(summaries)
    print(f"活动 {totals.activities} 次，参与 {totals.participations} 人次，"
          f"合计 {format_hours(totals.hours)} 小时")
    return 0


def cmd_activities_add(args: argparse.Namespace) -> int:
    from branchdesk.ops import add_activities
    from branchdesk.reports.activities_json import ActivityInputError, activities_from_json

    data = _read_json(args.json_file)
    session = _open_session(args)
    try:
        ids = add_activities(session, activities_from_json(session.db, data)).value
    except ActivityInputError as exc:
        raise CliError(f"{exc}。没有写入任何活动。", 2) from exc
    print(f"已添加 {len(ids)} 次活动：编号 {', '.join(map(str, ids))}")
    return 0


def _dues_year(args: argparse.Namespace) -> int:
    text = args.year or ""
    if not (len(text) == 4 and text.isascii() and text.isdigit()) or int(text) < FIRST_YEAR:
        raise CliError(f"--year 的年份“{args.year}”无效，应写成 2026 这样的形式", 2)
    return int(text)


def cmd_dues_assess(args: argparse.Namespace) -> int:
    from branchdesk.ops import set_assessment
    from branchdesk.reports.dues_json import DuesInputError, assessments_from_json

    year = _dues_year(args)
    data = _read_json(args.json_file)
    session = _open_session(args)
    try:
        assessments = assessments_from_json(session.db, data, year)
    except DuesInputError as exc:
        raise CliError(f"{exc}。没有写入任何核定。", 2) from exc
    try:
        with session.transaction():  # all or nothing
            for assessment in assessments:
                set_assessment(session, assessment)
    except ValueError as exc:
        raise CliError(f"{exc}。没有写入任何核定。", 2) from exc
    print(f"已核定 {len(assessments)} 名党员的党费")
    return 0


def cmd_dues_pay(args: argparse.Namespace) -> int:
    from branchdesk.ops import record_payments
    from branchdesk.reports.dues_json import DuesInputError, payments_from_json

    data = _read_json(args.json_file)
    session = _open_session(args)
    try:
        payments = payments_from_json(session.db, data)
        saved = record_payments(session, payments).value
    except (DuesInputError, ValueError) as exc:
        raise CliError(f"{exc}。没有写入任何缴费记录。", 2) from exc
    print(f"已登记 {len(saved)} 笔党费：编号 {', '.join(str(s.id) for s in saved)}")
    for payment, one in zip(payments, saved, strict=True):
        for flag in one.flags:
            print(f"请留意：{payment.member_name}，{flag}")
    return 0


def cmd_dues_list(args: argparse.Namespace) -> int:
    from branchdesk.domain.dues import Month, yuan_text
    from branchdesk.store.dues import member_ledgers

    year = _dues_year(args)
    today = dt.date.today()
    as_of = min(today, dt.date(year, 12, 31) + dt.timedelta(days=1))
    rows = member_ledgers(_open(args), Month(year, 1), Month(year, 12), as_of=as_of)
    items = []
    for member, ledger, owed in rows:
        latest = next((m.assessment for m in reversed(ledger.months) if m.assessment), None)
        band = latest.band if latest else None
        items.append({
            "member_id": member.id,
            "name": member.name,
            "category": latest.category.value if latest else None,
            "category_label": latest.category.label if latest else "未核定",
            "base": yuan_text(latest.base) if latest and latest.base is not None else None,
            "rate": f"{band.rate.normalize():f}" if band else None,
            "monthly": yuan_text(latest.monthly) if latest else None,
            "months": {
                m.month.iso(): {
                    "due": yuan_text(m.due),
                    "paid": yuan_text(m.paid),
                    "paid_on": m.paid_on.isoformat() if m.paid_on else None,
                }
                for m in ledger.months
            },
            "due_total": yuan_text(ledger.due_total),
            "paid_total": yuan_text(ledger.paid_total),
            "extra_total": yuan_text(ledger.extra_total),
            "special_total": yuan_text(ledger.special_total),
            "arrears_months": [m.iso() for m in owed.owing if m.year <= year],
        })  # fmt: skip
    if args.json:
        _print_json(items)
        return 0
    for item in items:
        owing = len(item["arrears_months"])
        print(f"{item['member_id']}\t{item['name']}\t{item['category_label']}\t"
              f"月应缴 {item['monthly'] or '—'}\t全年应缴 {item['due_total']}\t"
              f"实缴 {item['paid_total']}" + (f"\t欠缴 {owing} 个月" if owing else ""))  # fmt: skip
    print(f"共 {len(items)} 名党员")
    return 0


def _period_in_range(period: Any, option: str, code: str) -> Any:
    last = dt.date.today().year + 1
    if not FIRST_YEAR <= period.year <= last:
        raise CliError(
            f"{option} 的期间“{code}”超出范围：年份应在 {FIRST_YEAR} 到 {last} 之间", 2
        )
    return period


def _cli_period(args: argparse.Namespace) -> Any:
    from branchdesk.domain.requirements import Period, Unit

    for option, unit, example in (
        ("month", Unit.MONTH, "2026-10"),
        ("quarter", Unit.QUARTER, "2026-Q3"),
        ("year", Unit.YEAR, "2026"),
    ):
        code = getattr(args, option)
        if code is None:
            continue
        try:
            period = Period.parse(code)
        except ValueError:
            period = None
        if period is None or period.unit is not unit:
            raise CliError(f"--{option} 的期间“{code}”无效，应写成 {example} 这样的形式", 2)
        _period_in_range(period, f"--{option}", code)
        return period
    raise CliError("请用 --month、--quarter 或 --year 指定报表期间", 2)


def cmd_return(args: argparse.Namespace) -> int:
    from branchdesk.reports.return_figures import compute_return
    from branchdesk.reports.return_workbook import (
        ExportError,
        return_title,
        unfinished_notice,
        write_return,
    )

    period = _cli_period(args)
    notice = unfinished_notice(period, dt.date.today())
    if notice:  # said before anything is written, as the window asks before writing
        sys.stderr.write(f"提示：{notice}\n")
    session = _open_session(args) if args.mark_reported else None
    db = _open(args) if session is None else session.db
    report = compute_return(db, period)
    report.revised = report.revised or args.revised
    from branchdesk.reports.return_figures import reported_differences

    differences = reported_differences(db, report)
    if differences:
        sys.stderr.write(
            f"提示：{period.label}的报表与已上报版本不同：" + "；".join(differences) + "\n"
        )
    try:
        path = write_return(report, Path(args.output), data_dir=_data_dir(args))
    except ExportError as exc:
        raise CliError(exc.message) from exc
    if session is not None:
        from branchdesk.ops import mark_period_reported

        mark_period_reported(session, period, figures=report.figures())
    if args.json:
        _print_json(report.figures())
        return 0
    short = sum(line.status.value == "未达标" for line in report.assessments)
    print(
        f"已导出“{return_title(report)}”到“{path}”：会议 {report.meetings_held} 次，"
        f"出席率 {report.attendance.rate_text()}，未达标 {short} 项"
    )
    return 0


class _FileProgress:
    """``已读取 120 / 2000 份报表`` on stderr while files are read (stdout stays the result).

    In a terminal one line is rewritten as the count goes up; elsewhere (a log, a pipe) a
    line is written at each tenth of the work, so a long run shows it is alive.
    """

    def __init__(self, noun: str, stream: Any = None) -> None:
        self.noun = noun
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = -1  # the last tenth (or, live, the last count) written

    def __call__(self, done: int, total: int) -> bool:
        self._show(done, total)
        return True

    def finish(self, total: int) -> None:
        self._show(total, total)
        if self.live and self.shown >= 0:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, done: int, total: int) -> None:
        if total <= 0:
            return
        text = f"已读取 {done} / {total} 份{self.noun}"
        if self.live:
            if done != self.shown:
                self.shown = done
                self.stream.write(f"\r{text}")
                self.stream.flush()
            return
        tenth = done * 10 // total
        if tenth > self.shown:
            self.shown = tenth
            self.stream.write(text + "\n")
            self.stream.flush()


def cmd_consolidate(args: argparse.Namespace) -> int:
    from branchdesk.domain.requirements import Period
    from branchdesk.reports.consolidation import (
        consolidate,
        read_expected_names,
        write_consolidation,
    )
    from branchdesk.reports.return_workbook import ExportError
    from branchdesk.reports.xlsx_safety import XlsxFileError

    period = None
    if args.period:
        try:
            period = Period.parse(args.period)
        except ValueError as exc:
            raise CliError(str(exc), 2) from None
        _period_in_range(period, "--period", args.period)
    deadline = _cli_date(args.deadline, "--deadline")
    expected = None
    if args.expect:
        try:
            expected = read_expected_names(Path(args.expect))
        except XlsxFileError as exc:
            raise CliError(f"应报支部名单无法读取：{exc.message}") from exc
    output = Path(args.output)
    # ``consolidate *.xlsx -o 汇总.xlsx`` run twice must not try to read its own summary.
    files = [Path(f) for f in args.files if Path(f).resolve() != output.resolve()]
    progress = _FileProgress("报表")
    result = consolidate(files, expected, period=period, deadline=deadline, progress=progress)
    progress.finish(len(files))
    if result.rows:
        try:
            write_consolidation(result, output)
        except ExportError as exc:
            raise CliError(exc.message) from exc
    if args.json:
        _print_json(result.to_json())
    else:
        if result.rows:
            totals = result.totals
            rate = totals["attendance_rate"]
            print(
                f"已汇总 {len(result.rows)} 个支部的{result.period.label if result.period else ''}报表到“{output}”："
                f"党员 {totals['members']['total']} 名，会议 {totals['meetings_held']} 次，"
                f"出席率 {'—' if rate is None else f'{rate * 100:.1f}%'}"
            )
        for name, reason in result.refused:
            print(f"  未采用 {name}：{reason}")
        if result.missing:
            print(f"  未报送：{'、'.join(result.missing)}")
        if result.late:
            print(f"  逾期：{'、'.join(result.late)}")
    if not result.rows:
        raise CliError("没有可汇总的报表：所有文件都未被采用，未生成汇总表")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from branchdesk.store.backup import BackupError, auto_backup, write_backup

    data_dir = _data_dir(args)
    if not (data_dir / DB_FILENAME).exists():
        raise CliError(f"数据文件夹 {data_dir} 中没有支部数据，无法备份")
    _hold_folder(args, data_dir)
    try:
        if args.output:
            info = write_backup(data_dir, Path(args.output))
        else:
            info = auto_backup(data_dir)
    except BackupError as exc:
        raise CliError(exc.message) from exc
    print(f"已备份到 {info.path}：{info.describe()}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from branchdesk.store.backup import BackupError, read_backup_info
    from branchdesk.store.restore import restore_backup

    data_dir = _data_dir(args)
    source = Path(args.file)
    if not source.is_file():
        raise CliError(f"找不到备份文件“{source}”")
    # The whole restore, preview and question included, holds the folder: what was
    # previewed is what replaces the data, and nothing writes in between.
    ensure_data_dir(data_dir)
    _hold_folder(args, data_dir)
    try:
        info = read_backup_info(source, data_dir=data_dir)
    except (BackupError, StorageError) as exc:
        raise CliError(exc.message) from exc
    print(f"备份内容：{info.describe()}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("恢复会替换当前数据；确认无误后请加 --yes 再运行", 2)
        try:
            answer = input("恢复会替换当前数据（当前数据会先自动备份）。确定恢复吗？[y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("已取消")
            return 1
    try:
        restore_backup(data_dir, source)
    except (BackupError, StorageError) as exc:
        raise CliError(exc.message) from exc
    print(f"已恢复到 {data_dir}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from branchdesk.store.health import examine_data_folder

    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    health = examine_data_folder(data_dir)
    for note in health.notes:  # circumstances (full disk, read-only folder), not damage
        print(f"注意：{note}")
    if health.problems:
        for problem in health.problems:
            sys.stderr.write(f"branchdesk: {problem}\n")
        return 1
    print(f"{data_dir}：数据完整，未发现问题")
    return 0


def _pdf_output(value: str) -> Path:
    path = Path(value)
    if path.suffix.lower() != ".pdf":
        raise CliError(f"输出文件“{value}”应以 .pdf 结尾", 2)
    return path


def cmd_signin(args: argparse.Namespace) -> int:
    from branchdesk.domain.meetings import MeetingKind
    from branchdesk.printing.paged import PrintError
    from branchdesk.printing.pdf import write_pdf
    from branchdesk.printing.signin import SigninDocument, blank_signin, signin_for_meeting
    from branchdesk.store.members import GroupRepo

    output = _pdf_output(args.output)
    if args.blank == (args.meeting_id is not None):
        raise CliError("请给出会议编号，或用 --blank --kind CODE 打印空白签到表（二者选一）", 2)
    if not args.blank and (args.kind or args.group):
        raise CliError("--kind 和 --group 只用于空白签到表（--blank）", 2)
    if args.blank and args.leave_notes:
        raise CliError("--leave-notes 只用于已登记的会议，空白签到表没有请假记录", 2)
    db = _open(args)
    try:
        if args.blank:
            codes = "、".join(k.value for k in MeetingKind)
            if not args.kind:
                raise CliError(f"空白签到表请用 --kind 指定会议类型，可用：{codes}", 2)
            try:
                kind = MeetingKind(args.kind)
            except ValueError:
                raise CliError(f"未知的会议类型代码“{args.kind}”，可用：{codes}", 2) from None
            group_id = None
            if args.group:
                group = GroupRepo(db).by_name(args.group)
                if group is None:
                    names = "、".join(g.name for g in GroupRepo(db).list()) or "（没有党小组）"
                    raise CliError(f"没有名为“{args.group}”的党小组，现有：{names}", 2)
                group_id = group.id
            sheet = blank_signin(db, kind, group_id, pairs=args.columns)
        else:
            sheet = signin_for_meeting(
                db, args.meeting_id, pairs=args.columns, leave_notes=args.leave_notes
            )
        pages = write_pdf(SigninDocument(sheet), output)
    except PrintError as exc:
        raise CliError(exc.message) from exc
    print(f"已生成签到表“{output}”：{sheet.heading}，{len(sheet.rows)} 人，共 {pages} 页")
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    from branchdesk.printing.paged import PrintError
    from branchdesk.printing.pdf import write_pdf
    from branchdesk.printing.record import RecordDocument, record_for_meeting

    output = _pdf_output(args.output)
    db = _open(args)
    try:
        record = record_for_meeting(db, args.meeting_id)
        pages = write_pdf(RecordDocument(record), output)
    except PrintError as exc:
        raise CliError(exc.message) from exc
    print(f"已生成会议记录“{output}”：{record.meeting.day.isoformat()} "
          f"{record.meeting.kind_label}，共 {pages} 页")
    return 0


def _os_error_message(exc: OSError) -> str:
    """The environment's answer (full disk, read-only, no permission, missing) for people."""
    where = f"（{exc.filename}）" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"磁盘空间已满，数据没有保存{where}。请清理磁盘后重试，已保存的数据不受影响。"
    if exc.errno == errno.EROFS:
        return f"文件夹是只读的{where}，无法写入。"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"没有权限读写{where}，或文件正被其他程序占用。"
    if exc.errno == errno.ENOENT:
        return f"找不到文件或文件夹{where}。"
    return f"无法读写文件{where}：{exc.strerror or exc}"


def _is_storage_error(exc: sqlite3.DatabaseError) -> bool:
    # An IntegrityError or a misuse of the API is a bug, not the disk or the folder.
    return not isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError)


def _log_bug(text: str, data_dir: Path | None) -> Path | None:
    """Write a bug's traceback to the data folder's log; the log's path, or None if it could not."""
    if data_dir is None or not data_dir.is_dir():
        return None
    from branchdesk.logs import setup_logging

    root = logging.getLogger()
    before = list(root.handlers)
    raise_exceptions = logging.raiseExceptions
    logging.raiseExceptions = False  # a failing log write must not print its own traceback
    try:
        path = setup_logging(data_dir)
        # Letters only, so that no masking of numbers in the log can change it.
        marker = "".join(random.choices(string.ascii_lowercase, k=16))
        logging.getLogger("branchdesk.cli").error("未预料的错误（编号 %s）：\n%s", marker, text)
        for handler in root.handlers:
            handler.flush()
        with open(path, "rb") as handle:
            handle.seek(max(0, path.stat().st_size - len(text.encode()) - 4096))
            written = marker.encode() in handle.read()
    except Exception:
        return None
    finally:
        logging.raiseExceptions = raise_exceptions
        for handler in root.handlers[:]:
            if handler not in before:  # leave logging as a caller (or a test) had it
                root.removeHandler(handler)
                handler.close()
    return path if written else None


def _report_bug(exc: BaseException, args: argparse.Namespace | None) -> int:
    """A bug: log the traceback, tell the user in one Chinese line where it went."""
    try:
        text = "".join(traceback.format_exception(exc))
    except Exception:
        text = repr(exc)
    summary = " ".join(str(exc).split())[:200]
    summary = f"{type(exc).__name__}: {summary}" if summary else type(exc).__name__
    try:
        data_dir: Path | None = resolve_data_dir(getattr(args, "data_dir", None))
    except Exception:
        data_dir = None
    path = _log_bug(text, data_dir)
    where = f"，详情已写入日志 {path}" if path else "，详情未能写入日志"
    sys.stderr.write(f"branchdesk: 内部错误：{summary}{where}\n")
    return EXIT_INTERNAL_ERROR


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"branchdesk: {message}\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure ends as one Chinese line on stderr and an exit code."""
    args: argparse.Namespace | None = None
    try:
        parser = build_parser()
        args = parser.parse_args(list(argv) if argv is not None else None)
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if args.self_test:
            from branchdesk.selftest import run_self_test

            return run_self_test()
        if handler is None:
            data_dir = resolve_data_dir(args.data_dir)
            early_check = None
            if not args.demo:
                from branchdesk.store.backup import EarlyCheck

                # The integrity check of a large database runs while Qt loads.
                early_check = EarlyCheck.start(data_dir / DB_FILENAME)
            from branchdesk.app import run_gui

            return run_gui(data_dir, demo=args.demo, early_check=early_check)
        # Locks and connections a command takes are released when it ends, however it ends.
        with contextlib.ExitStack() as cleanup:
            args.cleanup = cleanup
            # openpyxl's remarks on a stranger's workbook ("no default style") mean nothing
            # to the user, who has the real answer on the next line.
            cleanup.enter_context(warnings.catch_warnings())
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return handler(args)
    except CliError as exc:
        return _fail(exc.message, exc.code)
    except StorageError as exc:  # includes FolderLocked and a database from a newer version
        return _fail(exc.message, 1)
    except BrokenPipeError:
        # ``branchdesk members list | head``: the reader left; say nothing more.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:
        return _fail(_os_error_message(exc), 1)
    except KeyboardInterrupt:
        return 130
    except sqlite3.DatabaseError as exc:
        if _is_storage_error(exc):  # full disk, read-only, locked, damaged
            return _fail(storage_error(exc).message, 1)
        return _report_bug(exc, args)
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes a message
        return _report_bug(exc, args)
