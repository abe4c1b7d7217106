"""Two years of member activities for the demo branch."""

from __future__ import annotations

import datetime as dt
import random

from sqlite_utils import Database

from branchdesk.domain.activities import Activity, Participation
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.members import MemberRepo

_VOLUNTEER = [
    ("小区环境整治志愿服务", "幸福里小区", 2.0),
    ("文明交通劝导", "幸福路与建设街路口", 2.0),
    ("垃圾分类宣传", "社区广场", 1.5),
    ("为独居老人送温暖", "社区各网格", 3.0),
    ("防汛巡查值守", "社区沿河路段", 4.0),
]
_STUDY = [
    ("“学习强国”专题学习交流", "党员活动室", 1.5),
    ("观看红色电影《长津湖》", "社区文化活动中心", 3.0),
    ("参观廉政教育基地", "市廉政教育基地", 4.0),
]
_PAIRING = [("走访结对困难家庭", "帮扶对象家中", 2.0)]
_REPORT = [("在职党员到居住地社区报到", "居住地社区", 2.0)]


def write_demo_activities(db: Database, *, today: dt.date, seed: int = 1, months: int = 24) -> int:
    """Write about two years of activities ending before ``today``; return how many."""
    rng = random.Random(seed * 15485863)
    members = MemberRepo(db).list()
    activities: list[Activity] = []
    year, month = today.year, today.month
    for _ in range(months):
        plans = [("志愿服务", rng.choice(_VOLUNTEER))]
        if month % 2 == 0:
            plans.append(("学习教育", rng.choice(_STUDY)))
        if month in (3, 9):
            plans.append(("社区报到", _REPORT[0]))
        if month in (1, 6, 9):
            plans.append(("结对帮扶", _PAIRING[0]))
        for kind, (title, place, hours) in plans:
            day = dt.date(year, month, rng.randint(1, 28))
            if day >= today:
                continue
            present = [m for m in members if m.in_roster_on(day) and m.id is not None]
            share = 0.25 if kind == "结对帮扶" else rng.uniform(0.3, 0.7)
            chosen = (
                rng.sample(present, max(2, int(len(present) * share)))
                if len(present) > 2
                else present
            )
            chosen.sort(key=lambda m: m.sort_order)
            activities.append(
                Activity(
                    kind=kind,
                    title=title,
                    day=day,
                    place=place,
                    organiser="支部委员会",
                    description=f"支部组织党员开展“{title}”活动。",
                    participants=[
                        Participation(
                            m.id or 0, m.name, hours if rng.random() > 0.15 else hours / 2
                        )
                        for m in chosen
                    ],
                )
            )
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    activities.sort(key=lambda a: a.day)
    ActivityRepo(db).add_many(activities)
    return len(activities)
