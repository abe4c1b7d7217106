from demo_cache import write_demo_branch

from branchdesk.store.activities import ActivityRepo
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.history_dialog import HistoryDialog
from branchdesk.ui.editors.activity_editor import ActivityEditor


def test_an_activity_shows_its_history_and_can_go_back(qtbot, data_dir, monkeypatch):
    write_demo_branch(data_dir, members=12, seed=3)
    context = AppContext(db=open_database(data_dir / DB_FILENAME), data_dir=data_dir)
    repo = ActivityRepo(context.db)
    activity = repo.get(repo.summaries()[0].id)
    original_title = activity.title
    activity.title = "改错了的名称"
    repo.update(activity)

    new = ActivityEditor(None, context)
    qtbot.addWidget(new)
    assert new.history_button.isHidden()

    asked = []

    def restore_latest(cls, parent, ctx, entity, entity_id):
        asked.append((entity, entity_id))
        from branchdesk.store.history import HistoryRepo

        HistoryRepo(ctx.db).restore(HistoryRepo(ctx.db).for_record(entity, entity_id)[0].id)
        return True

    monkeypatch.setattr(HistoryDialog, "open_for", classmethod(restore_latest))
    editor = ActivityEditor(None, context, repo.get(activity.id))
    qtbot.addWidget(editor)
    assert not editor.history_button.isHidden()
    editor.history_button.click()
    assert asked == [("activity", activity.id)]
    assert editor.saved_activity.title == original_title
    assert repo.get(activity.id).title == original_title
