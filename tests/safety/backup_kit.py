"""Helpers for the backup and restore tests: branches, forged backups, folder fingerprints."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

from demo_cache import write_demo_branch

from branchdesk.store.db import DB_FILENAME, open_database


def make_branch(data_dir: Path, *, members: int = 8, seed: int = 3, photos: int = 1) -> Path:
    """A demo branch whose first meeting has ``photos`` attachments (real rows and files)."""
    write_demo_branch(data_dir, members=members, seed=seed)
    folder = data_dir / "attachments"
    folder.mkdir(exist_ok=True)
    db = open_database(data_dir / DB_FILENAME)
    for n in range(photos):
        stored = f"seed{seed}-photo-{n}.jpg"
        (folder / stored).write_bytes(b"\xff\xd8 photo %d of seed %d" % (n, seed))
        db.execute(
            "INSERT INTO meeting_attachments (meeting_id, filename, stored_name)"
            " VALUES ((SELECT min(id) FROM meetings), ?, ?)",
            [f"合影{n}.jpg", stored],
        )
    db.conn.commit()
    db.close()
    return data_dir


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes (a symlink by its target).

    The one-writer lock file is left out: a command takes it (and so creates it) before it
    refuses anything; it holds no data and is empty once released.
    """
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if relative == "branchdesk.lock":
            assert path.stat().st_size == 0, "the lock was not released"
            continue
        if path.is_symlink():
            found[relative] = "link:" + os.readlink(path)
        elif path.is_file():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def leftovers(data_dir: Path) -> list[str]:
    """Anything a finished or refused backup/restore should not have left in the data folder."""
    tmp = data_dir / "tmp"
    found = [p.relative_to(data_dir).as_posix() for p in tmp.rglob("*")] if tmp.is_dir() else []
    found += [p.name for p in data_dir.glob("restore-*") if p.is_dir()]
    found += [p.name for p in (data_dir / "backups").glob("*.partial")]
    return found


def edit_database(data: bytes, work: Path, edit: Callable[[sqlite3.Connection], None]) -> bytes:
    """Apply ``edit`` to a copy of the database ``data`` and return the new bytes."""
    path = work / f"edit-{os.getpid()}-{id(edit)}.db"
    path.write_bytes(data)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        edit(conn)
    finally:
        conn.close()
    result = path.read_bytes()
    path.unlink()
    return result


def rewrite(
    source: Path,
    target: Path,
    *,
    database: bytes | Callable[[bytes], bytes] | None = None,
    manifest: bytes | None = None,
    extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (),  # type: ignore[assignment]
    drop: tuple[str, ...] = (),
) -> Path:
    """Copy the backup ``source`` to ``target`` with its database, manifest or entries changed."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename in drop:
                continue
            data = src.read(item)
            if item.filename == DB_FILENAME and database is not None:
                data = database(data) if callable(database) else database
            if item.filename == "manifest.json" and manifest is not None:
                data = manifest
            dst.writestr(item, data)
        for info, data in extra:
            dst.writestr(info, data)
    return target


def declare_size(path: Path, name: str, size: int) -> None:
    """Make the zip's central directory claim ``name`` unpacks to ``size`` bytes (a zip bomb)."""
    raw = bytearray(path.read_bytes())
    encoded = name.encode("utf-8")
    at = 0
    while True:
        at = raw.find(b"PK\x01\x02", at)
        assert at >= 0, name
        name_length = struct.unpack_from("<H", raw, at + 28)[0]
        if bytes(raw[at + 46 : at + 46 + name_length]) == encoded:
            struct.pack_into("<I", raw, at + 24, size)
            break
        at += 4
    path.write_bytes(bytes(raw))


def copy_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target
