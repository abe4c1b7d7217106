"""Checks of a data folder: database integrity, foreign keys, attachments present."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from branchdesk.store.db import DB_FILENAME


def check_data_folder(data_dir: Path) -> list[str]:
    """Return every problem found, in Chinese; an empty list means all is well."""
    path = data_dir / DB_FILENAME
    if not path.exists():
        return [f"数据文件夹 {data_dir} 中没有支部数据（{DB_FILENAME}）"]
    problems: list[str] = []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:
        return [f"无法打开数据文件：{exc}"]
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            problems.append("数据库完整性检查未通过：" + "；".join(result[:5]))
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            tables = sorted({row[0] for row in broken})
            problems.append(f"有 {len(broken)} 条记录引用了不存在的数据（{', '.join(tables)}）")
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
            problems.append(f"有 {mismatched} 次会议的出勤统计与出勤名单不一致")
        stored: list[str] = []
        for table in ("meeting_attachments", "activity_attachments"):
            try:
                stored += [r[0] for r in conn.execute(f"SELECT stored_name FROM {table}")]
            except sqlite3.OperationalError:
                pass
    except sqlite3.DatabaseError as exc:
        problems.append(f"数据文件已损坏：{exc}")
        stored = []
    finally:
        conn.close()
    missing = [name for name in stored if not (data_dir / "attachments" / name).is_file()]
    if missing:
        shown = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
        problems.append(f"有 {len(missing)} 个附件文件缺失：{shown}")
    return problems
