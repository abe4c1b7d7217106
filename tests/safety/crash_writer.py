"""Child process for the crash test: writes meetings with attendance and acknowledges each.

Run as ``python crash_writer.py DATA_DIR``; prints ``ACK <id>`` after each commit.
"""

import datetime as dt
import sys
from pathlib import Path

from branchdesk.domain.meetings import (
    AttendanceStatus,
    Meeting,
    MeetingKind,
    build_attendance,
    expected_members,
)
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo


def main() -> None:
    db = open_database(Path(sys.argv[1]) / DB_FILENAME)
    members = MemberRepo(db).list()
    repo = MeetingRepo(db)
    day = dt.date(2024, 1, 1)
    n = 0
    while True:
        n += 1
        meeting = Meeting(
            kinds=[MeetingKind.THEME_DAY], day=day, title=f"crash-{n}", minutes="记录" * 400
        )
        meeting.attendance = build_attendance(expected_members(members, meeting.kinds, day))
        meeting.attendance[n % len(meeting.attendance)].status = AttendanceStatus.LEAVE
        meeting_id = repo.add(meeting)
        sys.stdout.write(f"ACK {meeting_id}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
