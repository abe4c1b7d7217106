"""Every write BranchDesk makes: plain functions over a ``Session``, no Qt.

Each operation runs in one transaction on a session that holds the data folder's lock
(a read-only session refuses with the usual message) and returns an ``OpResult``: its answer
and the ``Changes`` it made. The window runs them through ``ui.ops.run_op``, which tells every
page once; the command line and the tests call them directly. Importing a roster lives in
``branchdesk.ops.roster`` (it brings in openpyxl, which start-up does not need).
"""

from branchdesk.ops.changes import NOTHING, Changes, OpResult
from branchdesk.ops.dues import (
    delete_assessment,
    delete_payment,
    record_payment,
    record_payments,
    set_assessment,
    update_payment,
)
from branchdesk.ops.members import (
    add_member,
    clear_long_leave,
    create_group,
    delete_group,
    dissolve_group,
    extend_probation,
    merge_groups,
    move_members,
    rename_group,
    save_branch,
    set_group_leader,
    set_group_start,
    set_long_leave,
    set_member_status,
    update_member,
)
from branchdesk.ops.periods import (
    mark_period_reported,
    reset_requirements,
    save_requirements,
    unlock_period,
)
from branchdesk.ops.records import (
    add_activities,
    add_activity,
    add_activity_kind,
    add_attachment,
    add_meeting,
    add_meetings,
    delete_activity,
    delete_meeting,
    record_planned_meeting,
    remove_attachment,
    rename_activity_kind,
    restore_from_history,
    update_activity,
    update_meeting,
)
from branchdesk.store.session import Session

__all__ = [
    "NOTHING",
    "Changes",
    "OpResult",
    "Session",
    "add_activities",
    "add_activity",
    "add_activity_kind",
    "add_attachment",
    "delete_assessment",
    "delete_payment",
    "record_payment",
    "record_payments",
    "set_assessment",
    "update_payment",
    "add_meeting",
    "add_meetings",
    "add_member",
    "clear_long_leave",
    "create_group",
    "delete_activity",
    "delete_group",
    "extend_probation",
    "delete_meeting",
    "dissolve_group",
    "record_planned_meeting",
    "mark_period_reported",
    "merge_groups",
    "move_members",
    "remove_attachment",
    "rename_activity_kind",
    "rename_group",
    "reset_requirements",
    "restore_from_history",
    "save_branch",
    "save_requirements",
    "set_group_leader",
    "set_group_start",
    "set_long_leave",
    "set_member_status",
    "unlock_period",
    "update_activity",
    "update_meeting",
    "update_member",
]
