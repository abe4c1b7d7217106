"""The window on a full disk: the data is healthy, so it is opened (read-only), never set aside.

Before, ``quick_check`` took SQLite's "disk I/O error" (its index cannot grow on a full
disk) for damage: the window renamed a healthy ``branchdesk.db`` to ``.damaged-*`` and
offered blank data; on a fresh folder the lock file could not be made and a traceback
followed.
"""

from __future__ import annotations

import shutil

import pytest
from folders import LATE_MEMBER, leave_unmerged_wal

from branchdesk.store.backup import quick_check
from branchdesk.store.members import MemberRepo
from branchdesk.ui import msgbox, startup


@pytest.fixture
def told(monkeypatch) -> list[str]:
    shown: list[str] = []

    def record(_parent, title, text, *args, **kwargs):
        shown.append(f"{title}：{text}")
        return False

    for name in ("error", "information", "warning", "confirm", "choose"):
        monkeypatch.setattr(msgbox, name, record)
    return shown


@pytest.mark.parametrize("wal", [False, True], ids=["clean", "unmerged-wal"])
def test_a_full_disk_opens_the_healthy_data_read_only(mount, demo_source, told, wal):
    folder = mount.path / "branch"
    shutil.copytree(demo_source, folder)
    if wal:
        leave_unmerged_wal(folder)
    before = sorted(p.name for p in folder.iterdir())
    mount.fill()
    assert quick_check(folder / "branchdesk.db")  # a full disk is no damage
    opened = startup.open_data_folder(folder)
    try:
        assert told == []  # no question about damage, no blank data offered
        assert opened is not None and opened.read_only
        assert "磁盘空间已满" in opened.banners[0] and "不能修改" in opened.banners[0]
        names = {m.name for m in MemberRepo(opened.db).list()}
        assert len(names) >= 20 and (LATE_MEMBER in names) == wal
        assert opened.lock is not None and opened.lock.held  # no other writer meanwhile
    finally:
        if opened is not None:
            opened.close()
    assert not any(".damaged" in p.name for p in folder.iterdir())
    assert set(before) <= {p.name for p in folder.iterdir()}


def test_a_new_folder_on_a_full_disk_is_told_not_traced(mount, told):
    mount.fill()
    assert startup.open_data_folder(mount.path / "new-branch") is None
    assert len(told) == 1 and "磁盘空间已满" in told[0] and "只读" not in told[0]
