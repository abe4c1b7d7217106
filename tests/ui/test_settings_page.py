"""The 设置 page: branch details, the data folder and the version."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QDesktopServices

from branchdesk import __version__
from branchdesk.domain.branch import Branch
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.pages.settings_page import SettingsPage


@pytest.fixture
def page(qtbot, db, data_dir, monkeypatch) -> SettingsPage:
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(msgbox, name, lambda *args, _name=name: pytest.fail(f"{_name}{args}"))
    context = AppContext(db=db, data_dir=data_dir)
    context.branch.save(Branch("幸福里社区党支部", "城关街道党工委"))
    page = SettingsPage(context)
    qtbot.addWidget(page)
    return page


def test_shows_and_saves_the_branch(qtbot, page) -> None:
    assert page.name_edit.text() == "幸福里社区党支部"
    assert page.superior_edit.text() == "城关街道党工委"
    page.name_edit.clear()
    qtbot.keyClicks(page.name_edit, "No.2 Branch ")
    with qtbot.waitSignal(page.context.events.changes_applied) as signal:
        page.save_button.click()
    assert signal.args[0].branch
    assert page.context.branch.get() == Branch("No.2 Branch", "城关街道党工委")
    assert page.saved_label.text() == "已保存"


def test_empty_name_is_refused_inline(page) -> None:
    page.name_edit.clear()
    assert page.save() is False
    assert page.name_message.text() == "请填写支部名称"
    assert page.context.branch.get().name == "幸福里社区党支部"


def test_data_folder_and_version(page, monkeypatch) -> None:
    assert page.folder_label.text() == str(page.context.data_dir)
    assert __version__ in page.version_label.text()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    page.open_button.click()
    assert opened[0].toLocalFile() == str(page.context.data_dir)
