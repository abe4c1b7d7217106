"""The branch's own meeting requirements (some localities require more than the defaults)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from branchdesk.domain.meetings import MeetingKind
from branchdesk.domain.requirements import DEFAULT_REQUIREMENTS, Requirement, Unit


class RequirementRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self) -> list[Requirement]:
        rows = self.db.query("SELECT kind, unit, times FROM requirement_rules ORDER BY position, kind")
        return [
            Requirement(kind=MeetingKind(r["kind"]), unit=Unit(r["unit"]), times=int(r["times"]))
            for r in rows
        ]

    def save(self, requirements: Iterable[Requirement]) -> None:
        """Replace every rule at once; a kind left out is no longer required."""
        rules = list(requirements)
        kinds = [r.kind for r in rules]
        if len(set(kinds)) != len(kinds):
            raise ValueError("同一会议类型只能有一条要求")
        for rule in rules:
            if not 1 <= rule.times <= 31:
                raise ValueError(f"{rule.kind.label}的次数应在 1 到 31 之间")
        with self.db.atomic():
            self.db.execute("DELETE FROM requirement_rules")
            self.db.table("requirement_rules").insert_all(
                {"kind": rule.kind.value, "unit": rule.unit.value, "times": rule.times,
                 "position": position}
                for position, rule in enumerate(rules)
            )  # fmt: skip

    def reset(self) -> None:
        self.save(DEFAULT_REQUIREMENTS)
