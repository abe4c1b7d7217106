"""Versioned schema changes. Append new migrations; never edit one that has shipped.

One record says which schema a database has: sqlite-utils' ``_sqlite_migrations`` table,
one row per migration applied. ``PRAGMA user_version`` is derived from it (the number of
migrations applied), written by ``SchemaMigrations`` in the same transaction as the row, so
that an older BranchDesk, which reads only the version, can tell the file is newer.
A migration never sets the version itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

Migration = Callable[[Database], None]


@dataclass
class Step:
    """One registered migration; ``fn`` is looked up when it runs."""

    name: str
    fn: Migration


class SchemaMigrations(Migrations):
    """sqlite-utils' migrations that also keep ``PRAGMA user_version`` = migrations applied."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.steps: list[Step] = []

    def __call__(  # type: ignore[override]
        self, *, name: str | None = None, transactional: bool = True
    ) -> Callable[[Migration], Migration]:
        if not transactional:  # the version must be written with the record of the migration
            raise ValueError("BranchDesk migrations run in a transaction")
        register = super().__call__(name=name, transactional=True)

        def inner(func: Migration) -> Migration:
            step = Step(name or func.__name__, func)

            def run(db: Database) -> None:
                step.fn(db)
                # Runs inside the migration's transaction, before its row is written.
                set_version(db, len(self.applied(db)) + 1)

            run.__name__ = step.name
            register(run)  # refuses a name registered twice
            self.steps.append(step)
            return func

        return inner

    @property
    def names(self) -> list[str]:
        """Every migration's name, in the order they are applied."""
        return [step.name for step in self.steps]


def set_version(db: Database, version: int) -> None:
    db.execute(f"PRAGMA user_version = {int(version)}")


MIGRATIONS = SchemaMigrations("branchdesk")


@MIGRATIONS(name="0001_roster")
def m0001_roster(db: Database) -> None:
    """Branch, party groups, members and committee roles."""
    db.execute(
        """
        CREATE TABLE branch (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            superior TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
        )
        """
    )
    db.execute(
        """
        CREATE TABLE party_groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            sort_order INTEGER NOT NULL DEFAULT 0,
            leader_id INTEGER REFERENCES members(id) ON DELETE SET NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
            gender TEXT CHECK (gender IN ('男', '女')),
            ethnicity TEXT NOT NULL DEFAULT '',
            birth_date TEXT,
            id_number TEXT UNIQUE,
            education TEXT NOT NULL DEFAULT '',
            join_date TEXT,
            full_date TEXT,
            category TEXT NOT NULL DEFAULT '正式' CHECK (category IN ('正式', '预备')),
            group_id INTEGER REFERENCES party_groups(id) ON DELETE RESTRICT,
            phone TEXT NOT NULL DEFAULT '',
            workplace TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT '在册',
            status_date TEXT,
            branch_join_date TEXT,
            notes TEXT NOT NULL DEFAULT '',
            sort_order INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
        )
        """
    )
    db.execute("CREATE INDEX idx_members_group ON members(group_id)")
    db.execute(
        """
        CREATE TABLE member_roles (
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            PRIMARY KEY (member_id, role)
        )
        """
    )


@MIGRATIONS(name="0002_meetings")
def m0002_meetings(db: Database) -> None:
    """Meetings, the kinds each counts as, topics, attendance and attachments."""
    db.execute(
        """
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('planned', 'held')),
            date TEXT NOT NULL,
            start_time TEXT,
            end_time TEXT,
            place TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            host_member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
            host_name TEXT NOT NULL DEFAULT '',
            recorder_member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
            recorder_name TEXT NOT NULL DEFAULT '',
            lecturer_member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
            lecturer_name TEXT NOT NULL DEFAULT '',
            lecture_title TEXT NOT NULL DEFAULT '',
            group_id INTEGER REFERENCES party_groups(id) ON DELETE SET NULL,
            group_name TEXT NOT NULL DEFAULT '',
            minutes TEXT NOT NULL DEFAULT '',
            resolutions TEXT NOT NULL DEFAULT '',
            nonvoting TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
        )
        """
    )
    db.execute("CREATE INDEX idx_meetings_date ON meetings(date)")
    db.execute(
        """
        CREATE TABLE meeting_kinds (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('general_meeting', 'committee_meeting',
                'group_meeting', 'party_lecture', 'theme_day', 'life_meeting', 'review', 'other')),
            PRIMARY KEY (meeting_id, kind)
        )
        """
    )
    db.execute("CREATE INDEX idx_meeting_kinds_kind ON meeting_kinds(kind)")
    db.execute(
        """
        CREATE TABLE meeting_topics (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (meeting_id, position)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE attendance (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE RESTRICT,
            name TEXT NOT NULL,
            group_name TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'leave', 'absent')),
            reason TEXT NOT NULL DEFAULT '',
            makeup_date TEXT,
            makeup_how TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (meeting_id, member_id)
        )
        """
    )
    db.execute("CREATE INDEX idx_attendance_member ON attendance(member_id)")
    db.execute(
        """
        CREATE TABLE meeting_attachments (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            filename TEXT NOT NULL,
            stored_name TEXT NOT NULL UNIQUE,
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
        )
        """
    )


@MIGRATIONS(name="0003_activities")
def m0003_activities(db: Database) -> None:
    """Member activities, their kinds (a list the branch extends) and participants."""
    db.execute(
        """
        CREATE TABLE activity_kinds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            sort_order INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    for order, name in enumerate(("志愿服务", "社区报到", "学习教育", "结对帮扶", "其他"), 1):
        db.execute("INSERT INTO activity_kinds (name, sort_order) VALUES (?, ?)", [name, order])
    db.execute(
        """
        CREATE TABLE activities (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            date TEXT NOT NULL,
            end_date TEXT,
            place TEXT NOT NULL DEFAULT '',
            organiser TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            guests TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
        )
        """
    )
    db.execute("CREATE INDEX idx_activities_date ON activities(date)")
    db.execute(
        """
        CREATE TABLE activity_participants (
            activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE RESTRICT,
            name TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            hours REAL NOT NULL DEFAULT 0 CHECK (hours >= 0),
            PRIMARY KEY (activity_id, member_id)
        )
        """
    )
    db.execute("CREATE INDEX idx_activity_participants_member ON activity_participants(member_id)")
    db.execute(
        """
        CREATE TABLE activity_attachments (
            id INTEGER PRIMARY KEY,
            activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
            filename TEXT NOT NULL,
            stored_name TEXT NOT NULL UNIQUE,
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
        )
        """
    )


@MIGRATIONS(name="0004_requirements")
def m0004_requirements(db: Database) -> None:
    """The branch's meeting requirements, seeded with the 支部工作条例 defaults."""
    db.execute(
        """
        CREATE TABLE requirement_rules (
            kind TEXT PRIMARY KEY,
            unit TEXT NOT NULL CHECK (unit IN ('month', 'quarter', 'year')),
            times INTEGER NOT NULL CHECK (times BETWEEN 1 AND 31),
            position INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    defaults = [
        ("general_meeting", "quarter"),
        ("committee_meeting", "month"),
        ("group_meeting", "month"),
        ("party_lecture", "quarter"),
        ("theme_day", "month"),
        ("life_meeting", "year"),
        ("review", "year"),
    ]
    for position, (kind, unit) in enumerate(defaults):
        db.execute(
            "INSERT INTO requirement_rules (kind, unit, times, position) VALUES (?, ?, 1, ?)",
            [kind, unit, position],
        )


@MIGRATIONS(name="0005_history_and_reported_periods")
def m0005_history_and_reported_periods(db: Database) -> None:
    """Change history of records, and periods locked once their return was reported."""
    db.execute(
        """
        CREATE TABLE change_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
            entity TEXT NOT NULL CHECK (entity IN ('member', 'meeting', 'activity', 'period')),
            entity_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'restore',
                'report', 'unlock')),
            summary TEXT NOT NULL DEFAULT '',
            before TEXT,
            after TEXT,
            note TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX idx_change_log_entity ON change_log(entity, entity_id)")
    db.execute(
        """
        CREATE TABLE reported_periods (
            code TEXT PRIMARY KEY,
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            reported_at TEXT NOT NULL,
            locked INTEGER NOT NULL DEFAULT 1 CHECK (locked IN (0, 1)),
            revisions INTEGER NOT NULL DEFAULT 0
        )
        """
    )


@MIGRATIONS(name="0006_meeting_counts")
def m0006_meeting_counts(db: Database) -> None:
    """Keep each meeting's 应到/实到/请假/缺席 beside it, so lists and searches stay fast."""
    for column in ("n_expected", "n_present", "n_leave", "n_absent"):
        db.execute(f"ALTER TABLE meetings ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """
        UPDATE meetings SET
            n_expected = (SELECT count(*) FROM attendance a WHERE a.meeting_id = meetings.id),
            n_present = (SELECT count(*) FROM attendance a
                          WHERE a.meeting_id = meetings.id AND a.status = 'present'),
            n_leave = (SELECT count(*) FROM attendance a
                        WHERE a.meeting_id = meetings.id AND a.status = 'leave'),
            n_absent = (SELECT count(*) FROM attendance a
                         WHERE a.meeting_id = meetings.id AND a.status = 'absent')
        """
    )


# -- 0007: one vocabulary -----------------------------------------------------------------
# The labels 0001-0006 stored, and the codes stored from 0007 on. Literal on purpose: a
# shipped migration must not change when domain/ later renames or adds a label.
_GENDER_CODES = {"男": "male", "女": "female"}
_CATEGORY_CODES = {"正式": "full", "预备": "probationary"}
_STATUS_CODES = {
    "在册": "active",
    "流动": "flowing",
    "转出": "transferred_out",
    "去世": "deceased",
    "停止党籍": "suspended",
    "出党": "left",
}
_ROLE_CODES = {
    "书记": "secretary",
    "副书记": "deputy_secretary",
    "组织委员": "organisation",
    "宣传委员": "propaganda",
    "纪检委员": "discipline",
    "委员": "member",
}
# (table, old text, new text) in the stored CREATE TABLE statements.
_SCHEMA_EDITS = [
    (
        "members",
        r"gender TEXT CHECK \(gender IN \('男', '女'\)\)",
        "gender TEXT CHECK (gender IN ('male', 'female'))",
    ),
    (
        "members",
        r"category TEXT NOT NULL DEFAULT '正式' CHECK \(category IN \('正式', '预备'\)\)",
        "category TEXT NOT NULL DEFAULT 'full' CHECK (category IN ('full', 'probationary'))",
    ),
    ("members", r"status TEXT NOT NULL DEFAULT '在册'", "status TEXT NOT NULL DEFAULT 'active'"),
    # Meeting kinds are checked in Python against domain/meeting_kinds.py's registry, so a
    # new kind needs no table rebuild; the CHECK listing the first eight goes.
    ("meeting_kinds", r"kind TEXT NOT NULL CHECK \(kind IN \([^)]*\)\)", "kind TEXT NOT NULL"),
]


def _recode_snapshot(entity: str, text: str | None) -> str | None:
    """A change-history snapshot (JSON) with member labels turned into codes."""
    if not text:
        return text
    data = json.loads(text)
    if entity == "member":
        for key, codes in (
            ("gender", _GENDER_CODES),
            ("category", _CATEGORY_CODES),
            ("status", _STATUS_CODES),
        ):
            if data.get(key) in codes:
                data[key] = codes[data[key]]
        data["roles"] = [_ROLE_CODES.get(r, r) for r in data.get("roles") or []]
    elif entity == "meeting":
        for row in data.get("attendance") or []:
            row["category"] = _CATEGORY_CODES.get(row.get("category"), row.get("category"))
    else:
        return text
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


@MIGRATIONS(name="0007_vocabulary_codes")
def m0007_vocabulary_codes(db: Database) -> None:
    """Store member gender, category, status and roles as codes (labels are for people).

    The CHECK constraints name the stored values, so their text is edited in place
    (SQLite's documented ``writable_schema`` procedure for changing CHECK constraints):
    rebuilding ``members`` would cascade into attendance and roles.
    """
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        for table, old, new in _SCHEMA_EDITS:
            sql = db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()[0]
            edited, count = re.subn(old, new, sql)
            if count != 1:
                raise RuntimeError(f"0007: unexpected schema of {table}: {sql}")
            db.execute(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                [edited, table],
            )
        db.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    for column, codes in (
        ("gender", _GENDER_CODES),
        ("category", _CATEGORY_CODES),
        ("status", _STATUS_CODES),
    ):
        for label, code in codes.items():
            db.execute(f"UPDATE members SET {column} = ? WHERE {column} = ?", [code, label])
    for label, code in _ROLE_CODES.items():
        db.execute("UPDATE member_roles SET role = ? WHERE role = ?", [code, label])
    for label, code in _CATEGORY_CODES.items():
        db.execute("UPDATE attendance SET category = ? WHERE category = ?", [code, label])
    rows = db.execute(
        "SELECT id, entity, before, after FROM change_log WHERE entity IN ('member', 'meeting')"
    ).fetchall()
    for change_id, entity, before, after in rows:
        db.execute(
            "UPDATE change_log SET before = ?, after = ? WHERE id = ?",
            [_recode_snapshot(entity, before), _recode_snapshot(entity, after), change_id],
        )


@MIGRATIONS(name="0008_effective_dates")
def m0008_effective_dates(db: Database) -> None:
    """Dates on what a return counts: groups, group membership, committee roles, how a
    member joined the branch, and the figures of each reported return.

    Existing groups, memberships and roles get no start date (NULL: since the records
    began), so every return computed before the migration is computed the same after it.
    ``members.group_id`` and ``member_roles`` stay: they are the current state, kept with
    the dated rows by ``store/members.py``.
    """
    db.execute("ALTER TABLE party_groups ADD COLUMN start_date TEXT")
    db.execute("ALTER TABLE party_groups ADD COLUMN end_date TEXT")
    db.execute("ALTER TABLE members ADD COLUMN branch_join_how TEXT")
    db.execute(
        """
        CREATE TABLE group_memberships (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL REFERENCES party_groups(id) ON DELETE CASCADE,
            start_date TEXT,
            end_date TEXT,
            CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
        )
        """
    )
    db.execute("CREATE INDEX idx_group_memberships_member ON group_memberships(member_id)")
    db.execute("CREATE INDEX idx_group_memberships_group ON group_memberships(group_id)")
    db.execute(
        """
        CREATE TABLE role_terms (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            start_date TEXT,
            end_date TEXT,
            CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
        )
        """
    )
    db.execute("CREATE INDEX idx_role_terms_member ON role_terms(member_id)")
    db.execute(
        "INSERT INTO group_memberships (member_id, group_id) "
        "SELECT id, group_id FROM members WHERE group_id IS NOT NULL"
    )
    db.execute("INSERT INTO role_terms (member_id, role) SELECT member_id, role FROM member_roles")
    db.execute("ALTER TABLE reported_periods ADD COLUMN figures TEXT")


@MIGRATIONS(name="0009_meeting_votes_and_member_rules")
def m0009_meeting_votes_and_member_rules(db: Database) -> None:
    """Votes (表决) on a meeting's resolutions; a member's 延长预备期 and approved long leave."""
    db.execute(
        """
        CREATE TABLE meeting_votes (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            resolution TEXT NOT NULL,
            in_favour INTEGER NOT NULL DEFAULT 0 CHECK (in_favour >= 0),
            against INTEGER NOT NULL DEFAULT 0 CHECK (against >= 0),
            abstain INTEGER NOT NULL DEFAULT 0 CHECK (abstain >= 0),
            PRIMARY KEY (meeting_id, position)
        )
        """
    )
    for column in (
        "probation_extended_on TEXT",
        "probation_extension_months INTEGER CHECK (probation_extension_months IS NULL"
        " OR probation_extension_months BETWEEN 6 AND 12)",
        "probation_extension_reason TEXT NOT NULL DEFAULT ''",
        "leave_start TEXT",
        "leave_end TEXT",
        "leave_reason TEXT NOT NULL DEFAULT ''",
    ):
        db.execute(f"ALTER TABLE members ADD COLUMN {column}")



@MIGRATIONS(name="0010_party_dues")
def m0010_party_dues(db: Database) -> None:
    """Party dues (党费): each member's 核定 from a month, its excluded pay items, payments and
    the months each covers. Money is integer fen, never REAL."""
    created = "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))"
    fen = "INTEGER CHECK ({0} IS NULL OR (typeof({0}) = 'integer' AND {0} >= 0))"
    db.execute(
        f"""
        CREATE TABLE dues_assessments (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE RESTRICT,
            start_month TEXT NOT NULL CHECK (start_month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
            category TEXT NOT NULL,
            income_fen {fen.format("income_fen")},
            fixed_fen {fen.format("fixed_fen")},
            approval TEXT NOT NULL DEFAULT '',
            approved_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            created_at {created},
            updated_at {created},
            UNIQUE (member_id, start_month)
        )
        """
    )
    db.execute(
        f"""
        CREATE TABLE dues_exclusions (
            assessment_id INTEGER NOT NULL REFERENCES dues_assessments(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            label TEXT NOT NULL,
            amount_fen {fen.format("amount_fen")} NOT NULL,
            PRIMARY KEY (assessment_id, position)
        )
        """
    )
    db.execute(
        f"""
        CREATE TABLE dues_payments (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE RESTRICT,
            date TEXT NOT NULL,
            amount_fen {fen.format("amount_fen")} NOT NULL,
            extra_fen {fen.format("extra_fen")} NOT NULL DEFAULT 0,
            special_fen {fen.format("special_fen")} NOT NULL DEFAULT 0,
            received_by TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            created_at {created},
            updated_at {created}
        )
        """
    )
    db.execute("CREATE INDEX idx_dues_payments_member ON dues_payments(member_id, date)")
    db.execute(
        """
        CREATE TABLE dues_payment_months (
            payment_id INTEGER NOT NULL REFERENCES dues_payments(id) ON DELETE CASCADE,
            month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
            PRIMARY KEY (payment_id, month)
        )
        """
    )
    db.execute("CREATE INDEX idx_dues_payment_months_month ON dues_payment_months(month)")
    # 修改记录 names the new records: change_log's CHECK lists its entities, and nothing
    # refers to change_log, so it is rebuilt with the same rows.
    db.execute(
        """
        CREATE TABLE change_log_new (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
            entity TEXT NOT NULL CHECK (entity IN ('member', 'meeting', 'activity', 'period',
                'dues_assessment', 'dues_payment')),
            entity_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'restore',
                'report', 'unlock')),
            summary TEXT NOT NULL DEFAULT '',
            before TEXT,
            after TEXT,
            note TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute(
        "INSERT INTO change_log_new (id, at, entity, entity_id, action, summary, before, after,"
        " note) SELECT id, at, entity, entity_id, action, summary, before, after, note"
        " FROM change_log"
    )
    db.execute("DROP TABLE change_log")
    db.execute("ALTER TABLE change_log_new RENAME TO change_log")
    db.execute("CREATE INDEX idx_change_log_entity ON change_log(entity, entity_id)")


SCHEMA_VERSION = len(MIGRATIONS.steps)


def known_migration_names() -> set[str]:
    return set(MIGRATIONS.names)
