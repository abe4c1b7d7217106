"""``branchdesk ...``: open the app, or run a headless command on a data folder.

Headless commands use the same store and report code as the GUI; messages are in
Chinese; the exit code is 0 on success and non-zero with a message on stderr otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from branchdesk import __version__
from branchdesk.store.db import DB_FILENAME, Database, StorageError, open_database
from branchdesk.store.location import ensure_data_dir, resolve_data_dir


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
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    demo = sub.add_parser("demo", help="写入一个示例支部")
    _data_dir_option(demo, top=False)
    demo.add_argument("--members", type=int, default=36, help="党员人数（默认 36）")
    demo.add_argument("--seed", type=int, default=1, help="随机种子")
    demo.add_argument("--branch", default=None, help="支部名称")
    demo.set_defaults(handler=cmd_demo)

    members = sub.add_parser("members", help="党员花名册")
    msub = members.add_subparsers(dest="members_command", parser_class=_Parser, required=True)
    mlist = msub.add_parser("list", help="列出党员")
    _data_dir_option(mlist, top=False)
    mlist.add_argument("--json", action="store_true", help="输出 JSON")
    mlist.set_defaults(handler=cmd_members_list)
    mimport = msub.add_parser("import", help="从 .xlsx 导入花名册")
    _data_dir_option(mimport, top=False)
    mimport.add_argument("file")
    mimport.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    mimport.add_argument("--json", action="store_true", help="输出 JSON")
    mimport.set_defaults(handler=cmd_members_import)
    mexport = msub.add_parser("export", help="导出花名册为 .xlsx")
    _data_dir_option(mexport, top=False)
    mexport.add_argument("file")
    mexport.add_argument("--full", action="store_true", help="身份证号、电话不打码")
    mexport.set_defaults(handler=cmd_members_export)
    return parser


def _open(args: argparse.Namespace, *, create: bool = False) -> Database:
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    path = data_dir / DB_FILENAME
    if not create and not path.exists():
        raise CliError(f"数据文件夹 {data_dir} 中没有支部数据，请先在 BranchDesk 中建立支部或用 demo 命令生成")
    try:
        ensure_data_dir(data_dir)
        return open_database(path)
    except StorageError as exc:
        raise CliError(exc.message) from exc
    except OSError as exc:
        raise CliError(f"无法使用数据文件夹 {data_dir}：{exc.strerror or exc}") from exc


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from branchdesk.demo import write_demo_branch

    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    if args.members < 3 or args.members > 2000:
        raise CliError("--members 应在 3 到 2000 之间", 2)
    try:
        summary = write_demo_branch(
            data_dir, members=args.members, seed=args.seed, branch_name=args.branch
        )
    except StorageError as exc:
        raise CliError(exc.message) from exc
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    print(f"已在 {data_dir} 写入示例支部“{summary.branch}”：{summary.members} 名党员，"
          f"{summary.groups} 个党小组")
    return 0


def member_json(member: Any) -> dict[str, Any]:
    def day(value: Any) -> str | None:
        return value.first_day().isoformat() if value else None

    return {
        "id": member.id,
        "name": member.name,
        "gender": member.gender.value if member.gender else None,
        "ethnicity": member.ethnicity or None,
        "birth_date": day(member.birth_date),
        "id_number": member.id_number or None,
        "education": member.education or None,
        "join_date": day(member.join_date),
        "full_date": day(member.full_date),
        "category": member.category.value,
        "group": member.group_name or None,
        "phone": member.phone or None,
        "workplace": member.workplace or None,
        "status": member.status.value,
        "status_date": day(member.status_date),
        "roles": [role.value for role in member.roles],
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
        print(f"{m.id}\t{m.name}\t{m.category.value}\t{m.group_name}\t{m.status.value}")
    print(f"共 {len(members)} 人")
    return 0


def cmd_members_import(args: argparse.Namespace) -> int:
    raise CliError("members import: not yet wired")  # replaced by the importer work


def cmd_members_export(args: argparse.Namespace) -> int:
    raise CliError("members export: not yet wired")  # replaced by the exporter work


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:
            from branchdesk.app import run_gui

            return run_gui(resolve_data_dir(args.data_dir), demo=args.demo)
        return handler(args)
    except CliError as exc:
        sys.stderr.write(f"branchdesk: {exc.message}\n")
        return exc.code
    except StorageError as exc:
        sys.stderr.write(f"branchdesk: {exc.message}\n")
        return 1
    except KeyboardInterrupt:
        return 130
