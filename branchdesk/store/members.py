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
    LongLeave,
    Member,
    MemberStatus,
    PartyGroup,
    ProbationExtension,
    Role,
    RosterCounts,
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


class GroupRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self) -> list[PartyGroup]:
        rows = self.db.execute(
            f"""
            SELECT g.id, g.name, g.sort_order, g.leader_id,
                   (SELECT count(*) FROM members m
                     WHERE m.group_id = g.id AND {in_roster("m.status")})
            FROM party_groups g ORDER BY g.sort_order, g.id
            """
        ).fetchall()
        return [
            PartyGroup(id=id_, name=name, sort_order=order, leader_id=leader, member_count=count)
            for id_, name, order, leader, count in rows
        ]

    def get(self, group_id: int) -> PartyGroup:
        for group in self.list():
            if group.id == group_id:
                return group
        raise NotFound(f"党小组 {group_id} 不存在")

    def by_name(self, name: str) -> PartyGroup | None:
        for group in self.list():
            if group.name == name:
                return group
        return None

    def create(self, name: str) -> PartyGroup:
        name = name.strip()
        if not name:
            raise ValueError("党小组名称不能为空")
        if self.by_name(name):
            raise ValueError(f"已有名为“{name}”的党小组")
        with self.db.atomic():
            order = self.db.execute(
                "SELECT coalesce(max(sort_order), 0) + 1 FROM party_groups"
            ).fetchone()[0]
            table = self.db.table("party_groups").insert({"name": name, "sort_order": order})
        return self.get(int(table.last_pk or 0))

    def get_or_create(self, name: str) -> PartyGroup:
        return self.by_name(name.strip()) or self.create(name)

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

    def merge(self, source_id: int, target_id: int) -> None:
        """Move every member of ``source_id`` into ``target_id`` and remove the source."""
        if source_id == target_id:
            raise ValueError("不能把党小组合并到它自己")
        with self.db.atomic():
            self.db.execute(
                "UPDATE members SET group_id = ?, updated_at = ? WHERE group_id = ?",
                [target_id, now_text(), source_id],
            )
            self.db.execute("DELETE FROM party_groups WHERE id = ?", [source_id])

    def delete(self, group_id: int) -> None:
        """Remove a group that nobody, in or out of the roster, belongs to."""
        used = self.db.execute(
            "SELECT count(*) FROM members WHERE group_id = ?", [group_id]
        ).fetchone()[0]
        if used:
            raise ValueError("该党小组还有党员（含已转出的），不能删除；可以把它合并到其他党小组")
        with self.db.atomic():
            self.db.execute("DELETE FROM party_groups WHERE id = ?", [group_id])


_MEMBER_COLUMNS = (
    "name gender ethnicity birth_date id_number education join_date full_date category "
    "group_id phone workplace status status_date branch_join_date notes sort_order "
    "probation_extended_on probation_extension_months probation_extension_reason "
    "leave_start leave_end leave_reason"
).split()


_ROW_KEYS = ("id", *_MEMBER_COLUMNS, "group_name", "roles")
# Stored values to members of each enum: a dictionary lookup per row, not an Enum call.
_GENDERS = {g.value: g for g in Gender}
_CATEGORIES = {c.value: c for c in Category}
_MEMBER_STATUSES = {s.value: s for s in MemberStatus}
_ROLES = {r.value: r for r in Role}
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
        return [self._from_row(row) for row in rows]

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
            row = _member_to_row(member)
            if member.id is not None:  # putting back a record from the history keeps its id
                row["id"] = member.id
            if not row["sort_order"]:
                row["sort_order"] = self.db.execute(
                    "SELECT coalesce(max(sort_order), 0) + 1 FROM members"
                ).fetchone()[0]
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            cursor = self.db.execute(
                f"INSERT INTO members ({columns}) VALUES ({marks})", list(row.values())
            )
            member_id = member.id if member.id is not None else int(cursor.lastrowid or 0)
            self._write_roles(member_id, member.roles)
            member.id = member_id
            record_change(self.db, action, None, self.get(member_id))
        return member_id

    def update(self, member: Member, *, action: str = "update") -> None:
        """Replace a member's fields and roles."""
        if member.id is None:
            raise ValueError("member has no id")
        with self.db.atomic():
            before = self.get(member.id)
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
            if not status.in_roster:
                member.roles = []  # someone who left no longer sits on the committee
            self.update(member)

    def move_to_group(self, member_ids: Iterable[int], group_id: int | None) -> None:
        with self.db.atomic():
            for member_id in member_ids:
                self.db.execute(
                    "UPDATE members SET group_id = ?, updated_at = ? WHERE id = ?",
                    [group_id, now_text(), member_id],
                )

    def committee(self) -> list[Member]:
        return [m for m in self.list(include_left=False) if m.roles]
