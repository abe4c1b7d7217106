"""Repositories for the branch, its party groups and its members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from branchdesk.domain.branch import Branch
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import (
    Category,
    Gender,
    GroupSpell,
    JoinHow,
    LongLeave,
    Member,
    MemberStatus,
    PartyGroup,
    ProbationExtension,
    Role,
    RoleTerm,
    RosterCounts,
    roster_on,
)
from branchdesk.store.changelog import record_change
from branchdesk.store.sql import in_roster, is_category, now_text


class NotFound(LookupError):
    pass


class BranchRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self) -> Branch | None:
        found = [
            Branch(name=r["name"], superior=r["superior"])
            for r in self.db.query("SELECT name, superior FROM branch WHERE id = 1")
        ]
        return found[0] if found else None

    def save(self, branch: Branch) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO branch (id, name, superior) VALUES (1, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, superior = excluded.superior",
                [branch.name.strip(), branch.superior.strip()],
            )


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _day_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=1)


class GroupRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self, *, include_ended: bool = False, on: dt.date | None = None) -> list[PartyGroup]:
        """The groups; by default those not ended by ``on`` (today), as lists offer them.

        Returns and 工作台 ask for every group (``include_ended``) and keep those that
        existed in the period they show.
        """
        rows = self.db.execute(
            f"""
            SELECT g.id, g.name, g.sort_order, g.leader_id,
                   (SELECT count(*) FROM members m
                     WHERE m.group_id = g.id AND {in_roster("m.status")}),
                   g.start_date, g.end_date
            FROM party_groups g ORDER BY g.sort_order, g.id
            """
        ).fetchall()
        groups = [
            PartyGroup(
                id=id_, name=name, sort_order=order, leader_id=leader, member_count=count,
                start=_day(start), end=_day(end),
            )
            for id_, name, order, leader, count, start, end in rows
        ]  # fmt: skip
        if include_ended:
            return groups
        today = on or dt.date.today()
        return [g for g in groups if g.end is None or g.end >= today]

    def get(self, group_id: int) -> PartyGroup:
        for group in self.list(include_ended=True):
            if group.id == group_id:
                return group
        raise NotFound(f"党小组 {group_id} 不存在")

    def by_name(self, name: str) -> PartyGroup | None:
        for group in self.list(include_ended=True):
            if group.name == name:
                return group
        return None

    def create(self, name: str, *, start: dt.date | None = None) -> PartyGroup:
        """A new group existing from ``start`` (None: since the records began)."""
        name = name.strip()
        if not name:
            raise ValueError("党小组名称不能为空")
        other = self.by_name(name)
        if other is not None:
            ended = "（已撤销，可换一个名称）" if other.end is not None else ""
            raise ValueError(f"已有名为“{name}”的党小组{ended}")
        with self.db.atomic():
            order = self.db.execute(
                "SELECT coalesce(max(sort_order), 0) + 1 FROM party_groups"
            ).fetchone()[0]
            table = self.db.table("party_groups").insert(
                {"name": name, "sort_order": order, "start_date": _iso(start)}
            )
        return self.get(int(table.last_pk or 0))

    def get_or_create(self, name: str, *, start: dt.date | None = None) -> PartyGroup:
        return self.by_name(name.strip()) or self.create(name, start=start)

    def rename(self, group_id: int, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("党小组名称不能为空")
        other = self.by_name(name)
        if other and other.id != group_id:
            raise ValueError(f"已有名为“{name}”的党小组，如需合并请使用“合并”")
        with self.db.atomic():
            self.db.execute("UPDATE party_groups SET name = ? WHERE id = ?", [name, group_id])

    def set_leader(self, group_id: int, member_id: int | None) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE party_groups SET leader_id = ? WHERE id = ?", [member_id, group_id]
            )

    def set_start(self, group_id: int, start: dt.date | None) -> None:
        """Say since when the group exists (None: since the records began)."""
        group = self.get(group_id)
        if start is not None and group.end is not None and start > group.end:
            raise ValueError(f"“{group.name}”的建立日期不能晚于撤销日期")
        with self.db.atomic():
            self.db.execute(
                "UPDATE party_groups SET start_date = ? WHERE id = ?", [_iso(start), group_id]
            )

    def _check_end(self, group: PartyGroup, on: dt.date) -> None:
        if group.end is not None:
            raise ValueError(f"“{group.name}”已于{group.end.isoformat()}撤销")
        # ``on`` == start: made by mistake today and merged away; it never existed
        if group.start is not None and on < group.start:
            raise ValueError(f"撤销日期应晚于“{group.name}”的建立日期 {group.start.isoformat()}")

    def merge(self, source_id: int, target_id: int, *, on: dt.date | None = None) -> None:
        """From ``on`` (today), the members of ``source_id`` are in ``target_id``, and the
        source group ends the day before; its past (meetings, returns) stays as it was."""
        if source_id == target_id:
            raise ValueError("不能把党小组合并到它自己")
        on = on or dt.date.today()
        source, target = self.get(source_id), self.get(target_id)
        self._check_end(source, on)
        if target.end is not None:
            raise ValueError(f"“{target.name}”已撤销，不能合并到它")
        with self.db.atomic():
            members = MemberRepo(self.db)
            moving = self.db.execute(
                f"""
                SELECT DISTINCT s.member_id FROM group_memberships s
                  JOIN members m ON m.id = s.member_id
                 WHERE s.group_id = ? AND (s.end_date IS NULL OR s.end_date >= ?)
                   AND {in_roster("m.status")}
                """,
                [source_id, on.isoformat()],
            ).fetchall()
            members.move_to_group([row[0] for row in moving], target_id, on=on)
            self._end(source_id, on)

    def dissolve(self, group_id: int, *, on: dt.date | None = None) -> None:
        """The group ends the day before ``on``; nobody in the roster may still be in it."""
        on = on or dt.date.today()
        group = self.get(group_id)
        self._check_end(group, on)
        still = self.db.execute(
            f"""
            SELECT count(*) FROM group_memberships s JOIN members m ON m.id = s.member_id
             WHERE s.group_id = ? AND (s.end_date IS NULL OR s.end_date >= ?)
               AND {in_roster("m.status")}
            """,
            [group_id, on.isoformat()],
        ).fetchone()[0]
        if still:
            raise ValueError(
                f"“{group.name}”在该日期还有 {still} 名党员，请先调整他们的党小组或使用“合并”"
            )
        with self.db.atomic():
            self._end(group_id, on)

    def _end(self, group_id: int, on: dt.date) -> None:
        self.db.execute(
            "UPDATE party_groups SET end_date = ?, leader_id = NULL WHERE id = ?",
            [_day_before(on).isoformat(), group_id],
        )

    def delete(self, group_id: int) -> None:
        """Remove a group that nobody, in or out of the roster, ever belonged to."""
        used = self.db.execute(
            "SELECT (SELECT count(*) FROM members WHERE group_id = ?)"
            " + (SELECT count(*) FROM group_memberships WHERE group_id = ?)",
            [group_id, group_id],
        ).fetchone()[0]
        if used:
            raise ValueError(
                "该党小组有过党员（含已调出、已转出的），不能删除；可以合并到其他党小组或撤销"
            )
        with self.db.atomic():
            self.db.execute("DELETE FROM party_groups WHERE id = ?", [group_id])


_MEMBER_COLUMNS = (
    "name gender ethnicity birth_date id_number education join_date full_date category "
    "group_id phone workplace status status_date branch_join_date notes sort_order "
    "branch_join_how "
    "probation_extended_on probation_extension_months probation_extension_reason "
    "leave_start leave_end leave_reason"
).split()


_ROW_KEYS = ("id", *_MEMBER_COLUMNS, "group_name", "roles")
# Stored values to members of each enum: a dictionary lookup per row, not an Enum call.
_GENDERS = {g.value: g for g in Gender}
_CATEGORIES = {c.value: c for c in Category}
_MEMBER_STATUSES = {s.value: s for s in MemberStatus}
_ROLES = {r.value: r for r in Role}
_JOIN_HOWS = {h.value: h for h in JoinHow}
_ROLE_ORDER = {r: index for index, r in enumerate(Role)}


def _member_to_row(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "gender": member.gender.value if member.gender else None,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.iso() if member.birth_date else None,
        "id_number": member.id_number or None,
        "education": member.education,
        "join_date": member.join_date.iso() if member.join_date else None,
        "full_date": member.full_date.iso() if member.full_date else None,
        "category": member.category.value,
        "group_id": member.group_id,
        "phone": member.phone,
        "workplace": member.workplace,
        "status": member.status.value,
        "status_date": member.status_date.iso() if member.status_date else None,
        "branch_join_date": member.branch_join_date.iso() if member.branch_join_date else None,
        "notes": member.notes,
        "sort_order": member.sort_order,
        "branch_join_how": member.branch_join_how.value if member.branch_join_how else None,
        **_extension_row(member.probation_extension),
        **_leave_row(member.long_leave),
    }


def _extension_row(extension: ProbationExtension | None) -> dict[str, Any]:
    return {
        "probation_extended_on": extension.decided_on.isoformat() if extension else None,
        "probation_extension_months": extension.months if extension else None,
        "probation_extension_reason": extension.reason if extension else "",
    }


def _leave_row(leave: LongLeave | None) -> dict[str, Any]:
    return {
        "leave_start": leave.start.isoformat() if leave else None,
        "leave_end": leave.end.isoformat() if leave else None,
        "leave_reason": leave.reason if leave else "",
    }


def _extension(values: dict[str, Any]) -> ProbationExtension | None:
    if not values["probation_extended_on"]:
        return None
    return ProbationExtension(
        decided_on=dt.date.fromisoformat(values["probation_extended_on"]),
        months=values["probation_extension_months"],
        reason=values["probation_extension_reason"],
    )


def _leave(values: dict[str, Any]) -> LongLeave | None:
    if not values["leave_start"]:
        return None
    return LongLeave(
        start=dt.date.fromisoformat(values["leave_start"]),
        end=dt.date.fromisoformat(values["leave_end"]),
        reason=values["leave_reason"],
    )


def _id_range(ids: list[int]) -> str:
    """Members inserted one after another: their ids run from the first to the last."""
    return "WHERE m.id BETWEEN ? AND ?" if ids else "WHERE 0"


class MemberRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _select(self, where: str = "", params: Iterable[Any] = ()) -> list[Member]:
        rows = self.db.execute(
            f"""
            SELECT m.id, m.{", m.".join(_MEMBER_COLUMNS)}, coalesce(g.name, ''),
                   (SELECT group_concat(role, ',') FROM member_roles r WHERE r.member_id = m.id)
            FROM members m LEFT JOIN party_groups g ON g.id = m.group_id
            {where}
            ORDER BY coalesce(g.sort_order, 1e9), m.group_id, m.sort_order, m.id
            """,
            list(params),
        ).fetchall()
        members = [self._from_row(row) for row in rows]
        self._attach_history(members)
        return members

    def _attach_history(self, members: list[Member]) -> None:
        """Read the members' dated group spells and role terms (two queries in all)."""
        if not members:
            return
        by_id = {m.id: m for m in members}
        one = "WHERE s.member_id = ?" if len(members) == 1 else ""
        params = [members[0].id] if one else []
        for member_id, group_id, name, start, end, order in self.db.execute(
            f"""
            SELECT s.member_id, s.group_id, g.name, s.start_date, s.end_date, g.sort_order
              FROM group_memberships s JOIN party_groups g ON g.id = s.group_id
              {one} ORDER BY s.member_id, coalesce(s.start_date, ''), s.id
            """,
            params,
        ).fetchall():
            if member_id in by_id:
                by_id[member_id].group_spells.append(
                    GroupSpell(group_id, name, _day(start), _day(end), order)
                )
        for member_id, role, start, end in self.db.execute(
            f"""
            SELECT s.member_id, s.role, s.start_date, s.end_date FROM role_terms s
              {one} ORDER BY s.member_id, coalesce(s.start_date, ''), s.id
            """,
            params,
        ).fetchall():
            if member_id in by_id:
                by_id[member_id].role_terms.append(RoleTerm(_ROLES[role], _day(start), _day(end)))

    @staticmethod
    def _from_row(row: tuple[Any, ...]) -> Member:
        values = dict(zip(_ROW_KEYS, row, strict=True))
        roles = sorted(
            (_ROLES[r] for r in (values["roles"] or "").split(",") if r),
            key=_ROLE_ORDER.__getitem__,
        )
        return Member(
            id=values["id"],
            name=values["name"],
            gender=_GENDERS[values["gender"]] if values["gender"] else None,
            ethnicity=values["ethnicity"],
            birth_date=PartialDate.from_iso(values["birth_date"]),
            id_number=values["id_number"] or "",
            education=values["education"],
            join_date=PartialDate.from_iso(values["join_date"]),
            full_date=PartialDate.from_iso(values["full_date"]),
            category=_CATEGORIES[values["category"]],
            group_id=values["group_id"],
            group_name=values["group_name"],
            phone=values["phone"],
            workplace=values["workplace"],
            status=_MEMBER_STATUSES[values["status"]],
            status_date=PartialDate.from_iso(values["status_date"]),
            branch_join_date=PartialDate.from_iso(values["branch_join_date"]),
            notes=values["notes"],
            roles=roles,
            sort_order=values["sort_order"],
            branch_join_how=_JOIN_HOWS.get(values["branch_join_how"] or ""),
            probation_extension=_extension(values),
            long_leave=_leave(values),
        )

    def list(self, *, include_left: bool = True) -> list[Member]:
        if include_left:
            return self._select()
        return self._select(f"WHERE {in_roster('m.status')}")

    def get(self, member_id: int) -> Member:
        found = self._select("WHERE m.id = ?", [member_id])
        if not found:
            raise NotFound(f"党员 {member_id} 不存在")
        return found[0]

    def by_id_number(self, id_number: str) -> Member | None:
        if not id_number:
            return None
        found = self._select("WHERE m.id_number = ?", [id_number])
        return found[0] if found else None

    def on(self, day: dt.date) -> list[Member]:
        """The branch on ``day``: who was in it, each with their group, roles and category
        on that day (``domain.members.roster_on``)."""
        return roster_on(self._select(), day)

    def counts(self) -> RosterCounts:
        full, probationary = self.db.execute(
            f"""
            SELECT coalesce(sum({is_category("category", Category.FULL)}), 0),
                   coalesce(sum({is_category("category", Category.PROBATIONARY)}), 0)
            FROM members WHERE {in_roster()}
            """
        ).fetchone()
        return RosterCounts(total=full + probationary, full=full, probationary=probationary)

    def add(self, member: Member, *, action: str = "insert") -> int:
        """Insert a member (with roles) and return its id."""
        with self.db.atomic():
            member_id = self._insert(member)
            record_change(self.db, action, None, self.get(member_id))
        return member_id

    def add_many(self, members: list[Member]) -> list[int]:
        """Insert members (a roster import); each one's history entry as ``add`` writes it,
        from one read of what was stored rather than one per member."""
        with self.db.atomic():
            first = self._next_sort_order()
            ids = [
                self._insert(member, None if member.sort_order else first + i)
                for i, member in enumerate(members)
            ]
            stored = {m.id: m for m in self._select(_id_range(ids), ids[:1] + ids[-1:])}
            for member_id in ids:
                record_change(self.db, "insert", None, stored[member_id])
        return ids

    def _next_sort_order(self) -> int:
        return int(
            self.db.execute("SELECT coalesce(max(sort_order), 0) + 1 FROM members").fetchone()[0]
        )

    def _insert(self, member: Member, sort_order: int | None = None) -> int:
        """Write one member's rows; the caller holds the transaction."""
        row = _member_to_row(member)
        if member.id is not None:  # putting back a record from the history keeps its id
            row["id"] = member.id
        if not row["sort_order"]:
            row["sort_order"] = sort_order or self._next_sort_order()
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(
            f"INSERT INTO members ({columns}) VALUES ({marks})", list(row.values())
        )
        member_id = member.id if member.id is not None else int(cursor.lastrowid or 0)
        # A member's first group and roles hold from the start: before joining the
        # branch (``branch_join_date``) the member is not counted anyway.
        if member.group_id is not None:
            self.db.execute(
                "INSERT INTO group_memberships (member_id, group_id) VALUES (?, ?)",
                [member_id, member.group_id],
            )
        for role in dict.fromkeys(member.roles):
            self.db.execute(
                "INSERT INTO role_terms (member_id, role) VALUES (?, ?)",
                [member_id, role.value],
            )
        self._write_roles(member_id, member.roles)
        member.id = member_id
        return member_id

    def update(
        self, member: Member, *, action: str = "update", effective: dt.date | None = None
    ) -> None:
        """Replace a member's fields; a change of group or roles holds from ``effective``
        (today when not given), so the days before keep the group and roles they had."""
        if member.id is None:
            raise ValueError("member has no id")
        effective = effective or dt.date.today()
        with self.db.atomic():
            before = self.get(member.id)
            if member.group_id != before.group_id:
                self._set_group_from(member.id, member.group_id, effective)
            if set(member.roles) != set(before.roles):
                self._set_roles_from(member.id, member.roles, effective)
            row = _member_to_row(member)
            row["updated_at"] = now_text()
            assignments = ", ".join(f"{column} = ?" for column in row)
            cursor = self.db.execute(
                f"UPDATE members SET {assignments} WHERE id = ?", [*row.values(), member.id]
            )
            if cursor.rowcount != 1:
                raise NotFound(f"党员 {member.id} 不存在")
            self._write_roles(member.id, member.roles)
            after = self.get(member.id)
            if after != before:
                record_change(self.db, action, before, after)

    def _set_group_from(self, member_id: int, group_id: int | None, on: dt.date) -> None:
        """From ``on`` onwards the member is in ``group_id`` (None: no group); what was
        recorded from that day on is replaced, the days before are kept."""
        self._rewrite_from("group_memberships", "group_id", member_id, group_id, on)

    def _set_roles_from(self, member_id: int, roles: Iterable[Role], on: dt.date) -> None:
        wanted = {role.value for role in roles}
        held = {
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT role FROM role_terms WHERE member_id = ?", [member_id]
            ).fetchall()
        }
        for role in sorted(wanted | held):
            self.db.execute(
                "DELETE FROM role_terms WHERE member_id = ? AND role = ? AND start_date >= ?",
                [member_id, role, on.isoformat()],
            )
            covering = self._covering("role_terms", "role = ?", [member_id, role], on)
            if role in wanted:
                # held on the day, or until the day before: the same term goes on
                going_on = covering or self._covering(
                    "role_terms", "role = ?", [member_id, role], _day_before(on)
                )
                if going_on is not None:
                    self.db.execute(
                        "UPDATE role_terms SET end_date = NULL WHERE id = ?", [going_on]
                    )
                else:
                    self.db.execute(
                        "INSERT INTO role_terms (member_id, role, start_date) VALUES (?, ?, ?)",
                        [member_id, role, on.isoformat()],
                    )
            elif covering is not None:
                self.db.execute(
                    "UPDATE role_terms SET end_date = ? WHERE id = ?",
                    [_day_before(on).isoformat(), covering],
                )

    def _covering(
        self, table: str, test: str, params: list[Any], day: dt.date
    ) -> int | None:
        """The id of the row of ``table`` for the member (and ``test``) covering ``day``."""
        found = self.db.execute(
            f"""
            SELECT id FROM {table}
             WHERE member_id = ? AND {test}
               AND (start_date IS NULL OR start_date <= ?)
               AND (end_date IS NULL OR end_date >= ?)
             ORDER BY coalesce(start_date, '') DESC LIMIT 1
            """,
            [*params, day.isoformat(), day.isoformat()],
        ).fetchone()
        return found[0] if found else None

    def _rewrite_from(
        self, table: str, column: str, member_id: int, value: int | None, on: dt.date
    ) -> None:
        day = on.isoformat()
        self.db.execute(
            f"DELETE FROM {table} WHERE member_id = ? AND start_date >= ?", [member_id, day]
        )
        covering = self._covering(table, "1", [member_id], on)
        if covering is not None:
            current = self.db.execute(
                f"SELECT {column} FROM {table} WHERE id = ?", [covering]
            ).fetchone()[0]
            if current == value:
                self.db.execute(f"UPDATE {table} SET end_date = NULL WHERE id = ?", [covering])
                return
            self.db.execute(
                f"UPDATE {table} SET end_date = ? WHERE id = ?",
                [_day_before(on).isoformat(), covering],
            )
        if value is None:
            return
        previous = self._covering(table, f"{column} = ?", [member_id, value], _day_before(on))
        if previous is not None:  # back in the group it left the day before: one spell
            self.db.execute(f"UPDATE {table} SET end_date = NULL WHERE id = ?", [previous])
            return
        self.db.execute(
            f"INSERT INTO {table} (member_id, {column}, start_date) VALUES (?, ?, ?)",
            [member_id, value, day],
        )

    def _write_roles(self, member_id: int, roles: Iterable[Role]) -> None:
        self.db.execute("DELETE FROM member_roles WHERE member_id = ?", [member_id])
        for role in dict.fromkeys(roles):
            self.db.execute(
                "INSERT INTO member_roles (member_id, role) VALUES (?, ?)", [member_id, role.value]
            )

    def set_status(
        self, member_id: int, status: MemberStatus, on: PartialDate | None, note: str = ""
    ) -> None:
        """Record that a member left (转出, 去世 ...) or came back; the record itself stays."""
        if not status.in_roster and on is None:
            raise ValueError(f"请填写{status.label}的日期")
        with self.db.atomic():
            member = self.get(member_id)
            member.status = status
            member.status_date = on
            if note:
                member.notes = f"{member.notes}\n{note}".strip()
            effective = None
            if not status.in_roster:
                member.roles = []  # someone who left no longer sits on the committee
                effective = on.first_day() if on is not None else None
            self.update(member, effective=effective)

    def move_to_group(
        self, member_ids: Iterable[int], group_id: int | None, *, on: dt.date | None = None
    ) -> None:
        """From ``on`` (today) the members are in ``group_id``; before, where they were."""
        on = on or dt.date.today()
        with self.db.atomic():
            for member_id in member_ids:
                before = self.get(member_id)
                self._set_group_from(member_id, group_id, on)
                self.db.execute(
                    "UPDATE members SET group_id = ?, updated_at = ? WHERE id = ?",
                    [group_id, now_text(), member_id],
                )
                after = self.get(member_id)
                if after != before:
                    record_change(self.db, "update", before, after)

    def committee(self) -> list[Member]:
        return [m for m in self.list(include_left=False) if m.roles]
