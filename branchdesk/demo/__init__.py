"""A realistic demo branch: groups, a committee and members with plausible, valid data."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from branchdesk.demo.activities import write_demo_activities
from branchdesk.demo.dues import write_demo_dues
from branchdesk.demo.meetings import write_demo_meetings
from branchdesk.domain.branch import Branch
from branchdesk.domain.dates import PartialDate, add_years
from branchdesk.domain.members import Category, Gender, Member, MemberStatus, Role
from branchdesk.domain.validation import id_check_character
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.location import ensure_data_dir
from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN_NAMES = (
    "伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建国 建华"
    " 志强 海燕 春梅 红梅 文斌 晓东 丽华 玉兰 国庆 俊杰 子涵 雨萱 浩然 欣怡 宇轩 思远 佳怡 一鸣 晨阳 卫东 淑珍 永红 建军 秋菊 德胜"
).split()
# Names with characters that are rare in fonts and printing, and minority names with "·".
_SPECIAL_NAMES = ["王堃", "李喆", "赵玥", "刘犇", "阿依古丽·买买提", "买买提·艾力"]
_ETHNIC = {"阿依古丽·买买提": "维吾尔族", "买买提·艾力": "维吾尔族"}
_AREAS = ["141002", "140105", "140106", "140107", "140109", "141023", "141081", "140202"]
_EDUCATION = ["大学本科"] * 5 + ["大学专科"] * 3 + ["研究生"] * 2 + ["高中", "中专", "初中及以下"]
_WORKPLACES = (
    "市第一中学 教师|区人民医院 护士|社区居委会 网格员|县供电公司 技术员|区税务局 科员|街道办事处 干事|市图书馆 馆员|区住建局 科长"
    "|退休|退休|个体经营|区财政局 会计|市第三小学 教师|镇卫生院 医生|区市场监管局 科员|邮政支局 职员"
).split("|")
_GROUP_NAMES = ["第一党小组", "第二党小组", "第三党小组", "第四党小组", "第五党小组", "第六党小组"]


@dataclass(frozen=True)
class DemoSummary:
    branch: str
    members: int
    groups: int
    meetings: int = 0
    activities: int = 0
    former: int = 0  # moved away or died: kept in the roster's history, not counted


def _id_number(rng: random.Random, birth: dt.date, gender: Gender) -> str:
    sequence = rng.randrange(0, 99) * 10 + rng.choice(
        (1, 3, 5, 7, 9) if gender is Gender.MALE else (0, 2, 4, 6, 8)
    )
    first17 = f"{rng.choice(_AREAS)}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def _name(rng: random.Random, used: set[str]) -> str:
    for _ in range(100):
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN_NAMES)
        if name not in used:
            return name
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN_NAMES) + rng.choice(_GIVEN_NAMES)


def demo_members(count: int, seed: int, today: dt.date, *, former: int = 0) -> list[Member]:
    """Generate ``count`` members whose data passes validation without warnings.

    ``former`` more full members follow them, for a history of people who have left;
    the first ``count`` are the same whatever ``former`` is.
    """
    rng = random.Random(seed)
    used: set[str] = set()
    members: list[Member] = []
    specials = list(_SPECIAL_NAMES) if count >= 12 else []
    for index in range(count + former):
        name = specials.pop(0) if specials and index % 5 == 2 else _name(rng, used)
        used.add(name)
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        birth = dt.date(rng.randint(1948, 2001), rng.randint(1, 12), rng.randint(1, 28))
        earliest_join = add_years(birth, 18)
        join = earliest_join + dt.timedelta(days=rng.randint(30, 365 * 20))
        if join > today - dt.timedelta(days=400):
            join = today - dt.timedelta(days=rng.randint(400, 3000))
            if join < earliest_join:  # the youngest: joined as soon as they could
                join = earliest_join + dt.timedelta(days=30)
        probationary = index < count and (index % 11 == 7 or (count >= 20 and index == count - 2))
        if probationary:
            join = today - dt.timedelta(days=rng.randint(40, 330))
            birth = min(birth, add_years(join, -22))
        member = Member(
            name=name,
            gender=gender,
            ethnicity=_ETHNIC.get(
                name, "汉族" if rng.random() > 0.06 else rng.choice(["回族", "满族", "蒙古族"])
            ),
            birth_date=PartialDate.of(birth),
            education=rng.choice(_EDUCATION),
            join_date=PartialDate.of(join),
            full_date=None if probationary else PartialDate.of(add_years(join, 1)),
            category=Category.PROBATIONARY if probationary else Category.FULL,
            phone=f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            workplace=rng.choice(_WORKPLACES),
        )
        member.id_number = _id_number(rng, birth, gender)
        members.append(member)
    return members


def write_demo_branch(
    data_dir: Path,
    *,
    members: int = 36,
    seed: int = 1,
    branch_name: str | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Write a demo branch into an empty data folder and return what was written."""
    today = today or dt.date.today()
    ensure_data_dir(data_dir)
    db = open_database(data_dir / DB_FILENAME)
    try:
        if MemberRepo(db).list() or BranchRepo(db).get() is not None:
            raise ValueError(f"数据文件夹 {data_dir} 中已有支部数据，示例支部只能写入空文件夹")
        rng = random.Random(seed * 7919)
        name = branch_name or "城关街道幸福里社区党支部"
        group_count = 1 if members < 9 else min(6, max(2, members // 12))
        # ``members`` is the branch as it stands (在册 and 流动); two more people who moved
        # away or died are the history a real branch has.
        people = demo_members(members, seed, today, former=2)
        current, former = people[:members], people[members:]
        committee_roles = (
            [
                Role.SECRETARY,
                Role.ORGANISATION,
                Role.PROPAGANDA,
                Role.DISCIPLINE,
                Role.DEPUTY_SECRETARY,
            ]
            if members >= 7
            else [Role.SECRETARY]
        )
        full_members = [m for m in current if m.category is Category.FULL]
        for role, member in zip(committee_roles, full_members, strict=False):
            member.roles = [role]
        movable = [m for m in current if not m.roles and m.category is Category.FULL]
        rng.shuffle(movable)
        if len(movable) < 6:  # too small a branch for a history
            people, former = current, []
        with db.atomic():
            BranchRepo(db).save(Branch(name=name, superior="中共城关街道工作委员会"))
            groups = [GroupRepo(db).create(_GROUP_NAMES[i]) for i in range(group_count)]
            repo = MemberRepo(db)
            for index, member in enumerate(people):
                member.group_id = groups[index % group_count].id
                member.sort_order = index + 1
                repo.add(member)
            for group in groups:
                group_members = [m for m in people if m.group_id == group.id and not m.roles]
                if group_members:
                    GroupRepo(db).set_leader(group.id, group_members[0].id)
            # Some history: one member moved away, one died, one works elsewhere for now.
            if former:
                repo.set_status(
                    former[0].id or 0,
                    MemberStatus.TRANSFERRED_OUT,
                    PartialDate.of(today - dt.timedelta(days=200)),
                    "组织关系转往城南街道第二社区党支部",
                )
                repo.set_status(
                    former[1].id or 0,
                    MemberStatus.DECEASED,
                    PartialDate.of(today - dt.timedelta(days=420)),
                )
                repo.set_status(
                    movable[2].id or 0, MemberStatus.FLOWING, None, "在外地务工，流动党员"
                )
            meeting_count = write_demo_meetings(db, today=today, seed=seed)
            activity_count = write_demo_activities(db, today=today, seed=seed)
            write_demo_dues(db, today=today, seed=seed)
        counts = MemberRepo(db).counts()
        return DemoSummary(
            branch=name,
            members=counts.total,
            groups=group_count,
            meetings=meeting_count,
            activities=activity_count,
            former=len(former),
        )
    finally:
        db.close()
