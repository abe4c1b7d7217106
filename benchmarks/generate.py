"""Generated data for the benchmarks, cached under benchmarks/.cache.

- a large branch: 200 members in 6 groups, ten years of organisational life (about 3,000
  meetings and 100,000 attendance rows, 2,000 activities, minutes of realistic length);
- a stress branch: 1,000 members in 12 groups, twenty years of organisational life (about
  11,000 meetings and a million attendance rows), the size at which pages must not block;
- a small branch (36 members, two years): the "new branch" the large one is compared with;
- a committee folder of 500 branch returns for one month, each written by BranchDesk
  itself from its own generated branch;
- a 1,000-row roster .xlsx to import.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
DATA_VERSION = "3"  # bump when the generated data changes
TODAY = dt.date(2026, 6, 30)  # fixed, so every run measures the same data
RETURN_PERIOD = "2026-05"
RETURN_COUNT = 500
ROSTER_ROWS = 1000

_SENTENCES = [
    "会议传达学习了上级党委关于加强基层党组织建设的有关精神",
    "大家结合本职工作和社区实际，逐条对照检查了上季度工作任务的落实情况",
    "组织委员通报了本月党费收缴情况，全体党员均按时足额交纳",
    "会议讨论了老旧小区改造中党员包楼包户的具体分工，明确了责任人和完成时限",
    "与会党员围绕如何更好服务群众、解决群众急难愁盼问题踊跃发言",
    "会议要求各党小组长及时向未参会党员传达会议精神，做好补学记录",
    "有党员提出，社区独居老人较多，建议建立党员结对联系制度",
    "支部书记就近期网格巡查中发现的安全隐患作了通报，要求党员带头整改",
    "会议对入党积极分子的培养考察情况进行了讨论，听取了培养联系人的意见",
    "大家一致表示，要把学习成果转化为推动社区治理的实际行动",
    "会议还研究了下一阶段志愿服务活动的安排，明确由第二党小组牵头组织",
    "有党员谈到，在垃圾分类宣传中群众参与积极性有所提高，但仍需持续引导",
]


def branch_dir(name: str) -> Path:
    return CACHE / f"v{DATA_VERSION}" / name


def _minutes(rng: random.Random, host: str, speakers: list[str]) -> str:
    """About 600-1,500 characters, in paragraphs, as a recorder would type them."""
    paragraphs = [f"{host}主持会议，通报应到、实到人数，符合规定人数，会议有效。"]
    for _ in range(rng.randint(4, 9)):
        text = "；".join(rng.sample(_SENTENCES, rng.randint(2, 4))) + "。"
        if speakers and rng.random() < 0.6:
            text = f"{rng.choice(speakers)}发言：{text}"
        paragraphs.append(text)
    paragraphs.append(f"{host}作总结，要求全体党员按照会议要求抓好落实。")
    return "\n".join(paragraphs)


def _extra_history(db, today: dt.date, months: int, seed: int) -> tuple[int, int]:
    """Add what a large, busy branch holds beyond the demo's pattern.

    Each group meets three times a month in all (study, business, a themed session),
    the committee meets weekly, and members take part in about 15 activities a month.
    """
    from branchdesk.domain.activities import Activity, Participation
    from branchdesk.domain.meetings import (
        AttendanceStatus,
        Meeting,
        MeetingKind,
        Person,
        build_attendance,
        expected_members,
    )
    from branchdesk.store.activities import ActivityRepo
    from branchdesk.store.meetings import MeetingRepo
    from branchdesk.store.members import GroupRepo, MemberRepo

    rng = random.Random(seed)
    members = MemberRepo(db).list(include_left=True)
    groups = GroupRepo(db).list()
    host = Person(members[0].name, members[0].id)
    meetings: list[Meeting] = []
    activities: list[Activity] = []
    year, month = today.year, today.month
    for _ in range(months):
        for group in groups:
            for day in (rng.randint(3, 9), rng.randint(22, 27)):
                meeting = Meeting(
                    kinds=[MeetingKind.GROUP],
                    day=dt.date(year, month, day),
                    host=host,
                    recorder=host,
                    place="党员活动室",
                    title=f"{group.name}学习会",
                    group_id=group.id,
                    group_name=group.name,
                    topics=["学习党章党规"],
                )
                meetings.append(meeting)
        for day in (12, 19, 26):
            meetings.append(
                Meeting(
                    kinds=[MeetingKind.COMMITTEE],
                    day=dt.date(year, month, day),
                    host=host,
                    recorder=host,
                    place="党员活动室",
                    title="支委会",
                    topics=["研究近期工作"],
                )
            )
        if month % 2 == 0:  # a 党课 of its own every other month, for everyone
            meetings.append(
                Meeting(
                    kinds=[MeetingKind.LECTURE],
                    day=dt.date(year, month, 15),
                    host=host,
                    recorder=host,
                    lecturer=host,
                    lecture_title="新时代共产党员的初心与使命",
                    place="社区党群服务中心",
                    title="党课",
                    topics=["专题党课"],
                )
            )
        for _ in range(15):
            day = dt.date(year, month, rng.randint(1, 28))
            present = [m for m in members if m.in_roster_on(day) and m.id is not None]
            if len(present) < 3:
                continue
            chosen = rng.sample(present, rng.randint(3, min(40, len(present))))
            activities.append(
                Activity(
                    kind=rng.choice(["志愿服务", "学习教育", "社区报到", "结对帮扶"]),
                    title="党员志愿服务进小区",
                    day=day,
                    place="社区各网格",
                    organiser="支部委员会",
                    description="支部组织党员开展志愿服务活动。",
                    participants=[Participation(m.id or 0, m.name, 2.0) for m in chosen],
                )
            )
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    held = []
    for meeting in meetings:
        if meeting.day > today:
            continue
        meeting.attendance = build_attendance(
            expected_members(members, meeting.kinds, meeting.day, meeting.group_id)
        )
        if not meeting.attendance:
            continue
        for row in meeting.attendance:
            if rng.random() < 0.07:
                row.status = AttendanceStatus.LEAVE
                row.reason = "出差"
        speakers = [r.name for r in meeting.attendance]
        meeting.minutes = _minutes(rng, host.name, speakers)
        held.append(meeting)
    MeetingRepo(db).add_many(held)
    ActivityRepo(db).add_many([a for a in activities if a.day < today])
    return len(held), len(activities)


def _lengthen_minutes(db, seed: int) -> None:
    """Give the demo's own meetings minutes of realistic length too."""
    rng = random.Random(seed)
    rows = list(db.query("select id, minutes from meetings where minutes != ''"))
    with db.atomic():
        for row in rows:
            extra = _minutes(rng, "支部书记", [])
            db.execute(
                "update meetings set minutes = ? where id = ?",
                [row["minutes"] + "\n" + extra, row["id"]],
            )


def make_large_branch(path: Path) -> None:
    from branchdesk.demo import write_demo_branch
    from branchdesk.demo.activities import write_demo_activities
    from branchdesk.demo.meetings import write_demo_meetings
    from branchdesk.store.db import DB_FILENAME, open_database

    write_demo_branch(
        path, members=200, seed=11, branch_name="城关街道阳光花园社区党支部", today=TODAY
    )
    db = open_database(path / DB_FILENAME)
    try:
        earlier = TODAY.replace(year=TODAY.year - 2, day=28)
        with db.atomic():
            # Eight more years of the demo's pattern before the two it wrote.
            write_demo_meetings(db, today=earlier, seed=12, months=96)
            db.execute(
                "delete from meetings where status = 'planned' and date < ?", [TODAY.isoformat()]
            )
            write_demo_activities(db, today=earlier, seed=12, months=96)
            _extra_history(db, TODAY, 120, seed=13)
        _lengthen_minutes(db, seed=14)
        db.execute("vacuum")
    finally:
        db.close()


STRESS_GROUPS = [
    "第七党小组",
    "第八党小组",
    "第九党小组",
    "第十党小组",
    "第十一党小组",
    "第十二党小组",
]


def _twelve_groups(db) -> None:
    """The demo makes at most six groups; move every other half-dozen members to six more."""
    from branchdesk.store.members import GroupRepo

    with db.atomic():
        extra = [GroupRepo(db).create(name).id for name in STRESS_GROUPS]
        rows = list(db.query("select id from members order by sort_order, id"))
        for index, row in enumerate(rows):
            if index % 12 < 6:
                continue
            group_id = extra[index % 6]
            db.execute("update members set group_id = ? where id = ?", [group_id, row["id"]])
            db.execute(
                "update group_memberships set group_id = ? where member_id = ?",
                [group_id, row["id"]],
            )


def make_stress_branch(path: Path) -> None:
    """1,000 members in 12 groups, twenty years: the size at which nothing may block."""
    from branchdesk.demo import write_demo_branch
    from branchdesk.demo.activities import write_demo_activities
    from branchdesk.demo.meetings import write_demo_meetings
    from branchdesk.store.db import DB_FILENAME, open_database

    write_demo_branch(
        path, members=1000, seed=31, branch_name="城关街道和平里社区党委第一党支部", today=TODAY
    )
    db = open_database(path / DB_FILENAME)
    try:
        _twelve_groups(db)
        earlier = TODAY.replace(year=TODAY.year - 2, day=28)
        with db.atomic():
            # Eighteen more years of the demo's pattern before the two it wrote.
            write_demo_meetings(db, today=earlier, seed=32, months=216)
            db.execute(
                "delete from meetings where status = 'planned' and date < ?", [TODAY.isoformat()]
            )
            write_demo_activities(db, today=earlier, seed=32, months=216)
            _extra_history(db, TODAY, 240, seed=33)
        _lengthen_minutes(db, seed=34)
        db.execute("vacuum")
    finally:
        db.close()


def make_small_branch(path: Path) -> None:
    from branchdesk.demo import write_demo_branch

    write_demo_branch(path, members=36, seed=3, today=TODAY)


def _branch_returns(index: int, folder_name: str = "returns", copies: int = 1) -> list[str]:
    """Returns of one generated branch: the branch's own, then ``copies - 1`` more of the same
    figures under other branch names (``第0501…``), so many returns need fewer branches."""
    from dataclasses import replace

    from branchdesk.demo import write_demo_branch
    from branchdesk.domain.requirements import Period
    from branchdesk.reports.return_figures import compute_return
    from branchdesk.reports.return_workbook import write_return
    from branchdesk.store.db import DB_FILENAME, open_database

    folder = CACHE / f"v{DATA_VERSION}" / "tmp-returns" / f"{folder_name}-{index}"
    if folder.exists():
        shutil.rmtree(folder)
    rng = random.Random(index)
    kind = rng.choice(["社区", "村", "机关", "学校"])
    name = f"第{index + 1:03d}{kind}党支部"
    write_demo_branch(
        folder, members=rng.randint(8, 80), seed=index + 100, branch_name=name, today=TODAY
    )
    db = open_database(folder / DB_FILENAME)
    written = []
    try:
        report = compute_return(db, Period.parse(RETURN_PERIOD), today=TODAY)
        for copy in range(copies):
            if copy:
                number = index + 1 + copy * RETURN_COUNT
                name = f"第{number:04d}{kind}党支部"
                report = replace(report, branch=replace(report.branch, name=name))
                out = branch_dir(folder_name) / f"{number:04d}-{name}.xlsx"
            else:
                out = branch_dir(folder_name) / f"{index + 1:03d}-{name}.xlsx"
            written.append(str(write_return(report, out)))
    finally:
        db.close()
    shutil.rmtree(folder)
    return written


def make_returns(path: Path, count: int = RETURN_COUNT, *, copies: int = 1) -> None:
    path.mkdir(parents=True, exist_ok=True)
    branches = range(count // copies)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(
            pool.map(
                _branch_returns,
                branches,
                [path.name] * len(branches),
                [copies] * len(branches),
                chunksize=10,
            )
        )
    shutil.rmtree(CACHE / f"v{DATA_VERSION}" / "tmp-returns", ignore_errors=True)


MANY_RETURNS = 2000  # the consolidation target's size: 2,000 returns in under 15 s


def ensure_many_returns(log=print) -> Path:
    """2,000 returns for one month, made on demand: the 500 branches' own returns (the same
    files as the 500 set) and three more of each under other names."""
    target = branch_dir(f"returns-{MANY_RETURNS}")
    done = target.with_name(target.name + ".done")
    if not done.exists():
        log(f"generating {MANY_RETURNS} returns in {target} ...")
        shutil.rmtree(target, ignore_errors=True)
        make_returns(target, MANY_RETURNS, copies=MANY_RETURNS // RETURN_COUNT)
        done.touch()
    return target


def make_roster(path: Path) -> None:
    from branchdesk.demo import demo_members
    from branchdesk.reports.roster_export import build_roster_workbook

    members = demo_members(ROSTER_ROWS, seed=21, today=TODAY)
    for index, member in enumerate(members):
        member.group_name = f"第{'一二三四五六'[index % 6]}党小组"
    path.parent.mkdir(parents=True, exist_ok=True)
    build_roster_workbook("导入测试支部", members, full=True, today=TODAY).save(path)


def ensure_data(log=print) -> dict[str, Path]:
    """Generate whatever is missing from the cache; return the paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    paths = {
        "large": branch_dir("large"),
        "small": branch_dir("small"),
        "stress": branch_dir("stress"),
        "returns": branch_dir("returns"),
        "roster": branch_dir("roster") / "花名册1000人.xlsx",
    }
    makers = {
        "large": make_large_branch,
        "small": make_small_branch,
        "stress": make_stress_branch,
        "returns": make_returns,
        "roster": make_roster,
    }
    for key, maker in makers.items():
        target = paths[key]
        done = target.with_name(target.name + ".done")
        if done.exists():
            continue
        log(f"generating {key} data in {target} ...")
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        started = time.perf_counter()
        maker(target)
        log(f"  {key}: {time.perf_counter() - started:.0f} s")
        done.touch()
    return paths


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    for key, value in ensure_data().items():
        print(key, value)
