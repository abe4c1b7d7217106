from branchdesk.domain.meetings import MeetingKind
from branchdesk.domain.requirements import DEFAULT_REQUIREMENTS, Requirement, Unit
from branchdesk.store.requirements import RequirementRepo
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.requirements_dialog import RequirementsDialog


def _dialog(qtbot, db, **kw):
    context = AppContext(db=db, data_dir=None, **kw)  # type: ignore[arg-type]
    dialog = RequirementsDialog(None, context)
    qtbot.addWidget(dialog)
    return dialog, context


def test_shows_the_defaults_and_saves_a_stricter_rule(qtbot, db):
    dialog, context = _dialog(qtbot, db)
    assert dialog.requirements() == list(DEFAULT_REQUIREMENTS)
    enabled, unit, times = dialog.rows[MeetingKind.LECTURE]
    unit.setCurrentIndex(unit.findData(Unit.MONTH.value))
    times.setValue(2)
    dialog.rows[MeetingKind.REVIEW][0].setChecked(False)
    with qtbot.waitSignal(context.events.changes_applied) as signal:
        dialog._on_buttons_accepted()
    assert signal.args[0].requirements
    saved = RequirementRepo(db).list()
    assert Requirement(MeetingKind.LECTURE, Unit.MONTH, 2) in saved
    assert all(r.kind is not MeetingKind.REVIEW for r in saved)


def test_reset_brings_back_the_defaults(qtbot, db):
    RequirementRepo(db).save([Requirement(MeetingKind.THEME_DAY, Unit.MONTH, 2)])
    dialog, _ = _dialog(qtbot, db)
    assert dialog.requirements() == [Requirement(MeetingKind.THEME_DAY, Unit.MONTH, 2)]
    dialog._on_reset_clicked()
    assert dialog.requirements() == list(DEFAULT_REQUIREMENTS)


def test_read_only_cannot_save(qtbot, db):
    from PySide6.QtWidgets import QDialogButtonBox

    dialog, _ = _dialog(qtbot, db, read_only=True)
    box = dialog.findChild(QDialogButtonBox)
    assert not box.button(QDialogButtonBox.StandardButton.Save).isEnabled()
