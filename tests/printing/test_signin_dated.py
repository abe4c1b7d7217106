"""A blank sign-in sheet for a day lists the group as it stood that day."""

from __future__ import annotations

import datetime as dt

from branchdesk.domain.meetings import MeetingKind
from branchdesk.domain.members import Member
from branchdesk.printing.signin import blank_signin
from branchdesk.store.members import GroupRepo, MemberRepo


def test_blank_sheet_of_a_day_lists_that_days_group(db):
    one, two = GroupRepo(db).create("一组"), GroupRepo(db).create("二组")
    repo = MemberRepo(db)
    zhang = repo.add(Member(name="张伟", group_id=one.id))
    repo.add(Member(name="王芳", group_id=one.id))
    moved_on = dt.date(2026, 6, 1)
    repo.move_to_group([zhang], two.id, on=moved_on)
    before = blank_signin(db, MeetingKind.GROUP, one.id, today=moved_on - dt.timedelta(days=1))
    after = blank_signin(db, MeetingKind.GROUP, one.id, today=moved_on)
    assert [r.name for r in before.rows] == ["张伟", "王芳"]
    assert [r.name for r in after.rows] == ["王芳"]
    assert [r.name for r in blank_signin(db, MeetingKind.GROUP, two.id, today=moved_on).rows] == [
        "张伟"
    ]
