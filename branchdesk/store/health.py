"""Checks of a data folder: database integrity, foreign keys, attachments present.

A check tells damage from circumstance. A full disk, a read-only folder or a file held by
another program says nothing about the data: it is read anyway where it can be (see
``db.connect_read_only``) and reported as a note. Only a failed ``integrity_check``, or a
file SQLite itself calls malformed or not a database, is damage.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from branchdesk.resources import font_problem
from branchdesk.store.db import (
    DB_FILENAME,
    LOW_SPACE_BYTES,
    connect_read_only,
    file_uri,
    free_bytes,
    is_damage,
)


@dataclass
class FolderHealth:
    """What a check found: ``problems`` fail it, ``notes`` are circumstances worth knowing."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def _circumstance(exc: sqlite3.Error, data_dir: Path, full: bool, read_only: bool) -> str:
    """Why the database could not be read, when that is not damage, in Chinese."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return (
            "数据文件正被另一个程序独占使用，暂时无法检查（这不表示数据损坏）。"
            "请关闭其他程序后再检查。"
        )
    if full:
        return f"磁盘空间已满，暂时无法检查数据（这不表示数据损坏）。请清理磁盘后再检查：{exc}"
    if read_only:
        return f"数据文件夹 {data_dir} 是只读的，且数据文件无法读取：{exc}"
    return f"无法读取数据文件（这不表示数据损坏，请检查文件权限和磁盘）：{exc}"


def _write_error(data_dir: Path) -> int | None:
    """The errno of creating a file in ``data_dir`` (tried, not guessed), None if it worked."""
    probe = data_dir / f".check-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return exc.errno or errno.EIO
    return None


def examine_data_folder(data_dir: Path, *, busy_timeout: float = 5.0) -> FolderHealth:
    """Check the data folder: problems with the data, and notes on its circumstances."""
    health = FolderHealth()
    font = font_problem()
    if font is not None:
        health.problems.append(font)
    path = data_dir / DB_FILENAME
    if not path.exists():
        health.problems.append(f"数据文件夹 {data_dir} 中没有支部数据（{DB_FILENAME}）")
        return health
    free = free_bytes(data_dir)
    write_error = _write_error(data_dir)
    full = write_error in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) or (
        free is not None and free < LOW_SPACE_BYTES
    )
    read_only = write_error is not None and not full
    if read_only:
        health.notes.append(
            f"数据文件夹 {data_dir} 是只读的：数据可以查看、打印和导出，但不能修改"
            "（BranchDesk 会以只读方式打开它）。"
        )
    elif full:
        left = f"（剩余 {free // 1024} KB）" if free is not None else ""
        health.notes.append(
            f"磁盘空间已满{left}：已保存的数据不受影响，但新的修改和备份无法保存。请清理磁盘。"
        )
    if not (full or read_only) and _roll_back_interrupted_write(path, busy_timeout):
        health.notes.append(
            "上次的写入在完成前被中断（数据文件旁留有未完成的日志），"
            "已按 SQLite 的规则撤销了那次未完成的写入；此前保存的数据不受影响。"
        )
    try:
        opened = connect_read_only(path, timeout=busy_timeout)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            health.problems.append(f"数据文件已损坏：{exc}")
        else:
            health.problems.append(_circumstance(exc, data_dir, full, read_only))
        return health
    if opened.without_index is not None and not (full or read_only):
        health.notes.append(
            f"无法使用数据文件的共享索引（{DB_FILENAME}-shm：{opened.without_index}），"
            "已直接读取数据文件。"
        )
    stored = _check_database(opened.conn, data_dir, full, read_only, health)
    missing = [name for name in stored if not (data_dir / "attachments" / name).is_file()]
    if missing:
        shown = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
        health.problems.append(f"有 {len(missing)} 个附件文件缺失：{shown}")
    return health


def _roll_back_interrupted_write(path: Path, busy_timeout: float) -> bool:
    """Roll back a write a crash left half done (a hot ``-journal``), as any writer would.

    A read-only connection cannot do this and refuses to read at all ("attempt to write a
    readonly database"). A journal that a live writer still holds is not hot: SQLite leaves
    it alone, so this never interferes with a window or command that is writing.
    """
    journal = path.with_name(path.name + "-journal")
    try:
        if journal.stat().st_size == 0:
            return False
    except OSError:
        return False
    try:
        conn = sqlite3.connect(file_uri(path, mode="rw"), uri=True, timeout=busy_timeout)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls it back
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return not journal.exists() or journal.stat().st_size == 0


def _check_database(
    conn: sqlite3.Connection, data_dir: Path, full: bool, read_only: bool, health: FolderHealth
) -> list[str]:
    """Run the database checks into ``health``; return the stored names of attachments."""
    stored: list[str] = []
    try:
        conn.execute("PRAGMA temp_store = MEMORY")  # the check must not need disk space
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            health.problems.append("数据文件已损坏，完整性检查未通过：" + "；".join(result[:5]))
            return []
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            tables = sorted({row[0] for row in broken})
            health.problems.append(
                f"有 {len(broken)} 条记录引用了不存在的数据（{', '.join(tables)}）"
            )
        try:
            mismatched = conn.execute(
                """
                SELECT count(*) FROM meetings m WHERE n_expected !=
                    (SELECT count(*) FROM attendance a WHERE a.meeting_id = m.id)
                 OR n_present != (SELECT count(*) FROM attendance a
                                   WHERE a.meeting_id = m.id AND a.status = 'present')
                """
            ).fetchone()[0]
        except sqlite3.OperationalError:  # a schema from before the counts were kept
            mismatched = 0
        if mismatched:
            health.problems.append(f"有 {mismatched} 次会议的出勤统计与出勤名单不一致")
        for table in ("meeting_attachments", "activity_attachments"):
            try:
                stored += [r[0] for r in conn.execute(f"SELECT stored_name FROM {table}")]
            except sqlite3.OperationalError:
                pass
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            health.problems.append(f"数据文件已损坏：{exc}")
        else:
            health.problems.append(_circumstance(exc, data_dir, full, read_only))
        return []
    finally:
        conn.close()
    return stored


def check_data_folder(data_dir: Path) -> list[str]:
    """Return every problem found, in Chinese; an empty list means the data is sound."""
    return examine_data_folder(data_dir).problems
