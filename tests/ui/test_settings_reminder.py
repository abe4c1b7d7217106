from PySide6.QtCore import QSettings

from branchdesk.domain.branch import Branch
from branchdesk.ui.context import AppContext
from branchdesk.ui.pages.home_page import REMINDER_SETTING
from branchdesk.ui.pages.settings_page import SettingsPage


def test_the_late_reminder_can_be_turned_off_in_settings(qtbot, db, data_dir):
    context = AppContext(db=db, data_dir=data_dir)
    context.branch.save(Branch("试点党支部"))
    QSettings().remove(REMINDER_SETTING)
    page = SettingsPage(context)
    qtbot.addWidget(page)
    assert page.remind_check.isChecked()  # on by default
    page.remind_check.setChecked(False)
    assert QSettings().value(REMINDER_SETTING, True, type=bool) is False
    page.remind_check.setChecked(True)
    assert QSettings().value(REMINDER_SETTING, True, type=bool) is True
    QSettings().remove(REMINDER_SETTING)


def test_settings_show_the_meeting_requirements(qtbot, db, data_dir):
    context = AppContext(db=db, data_dir=data_dir)
    context.branch.save(Branch("试点党支部"))
    page = SettingsPage(context)
    qtbot.addWidget(page)
    assert "支委会每月至少 1 次" in page.rules_label.text()
