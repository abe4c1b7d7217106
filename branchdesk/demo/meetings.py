"""Two years of a well-run branch's organisational life for the demo, with a few gaps on purpose."""

from __future__ import annotations

import datetime as dt
import random

from sqlite_utils import Database

from branchdesk.domain.meetings import (
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Person,
    build_attendance,
    expected_members,
)
from branchdesk.domain.members import Member, Role
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo

_PLACES = ["社区党群服务中心二楼会议室", "党员活动室", "社区党群服务中心一楼大厅"]
_STUDY = [
    "学习《中国共产党章程》第一章",
    "学习习近平新时代中国特色社会主义思想专题摘编",
    "传达学习上级党委近期会议精神",
    "学习《中国共产党支部工作条例（试行）》",
    "学习《中国共产党纪律处分条例》典型案例",
    "学习党的二十届四中全会精神",
    "学习党史中的红色故事",
]
_BUSINESS = [
    "研究本月社区志愿服务安排",
    "通报党费收缴情况",
    "研究发展党员工作，讨论入党积极分子培养情况",
    "讨论社区老旧小区改造中党员包楼安排",
    "研究困难党员走访慰问名单",
    "讨论年度工作计划落实情况",
    "研究主题党日活动方案",
]
_THEMES = [
    "重温入党誓词，过政治生日",
    "走进红色教育基地，传承红色基因",
    "党员志愿服务进小区",
    "学习身边榜样，争做合格党员",
    "垃圾分类宣传，党员带头",
    "关爱独居老人，党员结对帮扶",
]
_LECTURES = [
    "坚定理想信念，筑牢思想根基",
    "新时代共产党员的初心与使命",
    "以党的创新理论武装头脑",
    "加强作风建设，密切联系群众",
]
_LEAVE_REASONS = ["出差", "身体不适", "家中有事", "单位值班", "外出学习"]
_ABSENT_REASONS = ["未请假", "联系不上", "在外地务工"]
_MAKEUP_WAYS = ["观看会议录像并提交学习心得", "由党小组长单独传达会议精神", "自学会议材料并交流"]


def _minutes(rng: random.Random, host: str, topics: list[str], speakers: list[str]) -> str:
    paragraphs = [f"{host}主持会议，通报应到、实到人数，符合规定人数，会议有效。"]
    for topic in topics:
        paragraphs.append(f"关于“{topic}”：{host}领学相关内容，并结合支部实际作了说明。")
    for name in speakers[: rng.randint(2, 4)]:
        paragraphs.append(
            f"{name}发言：{rng.choice(['结合自身工作谈了体会', '提出了改进社区服务的建议', '表示要带头落实支部决定', '谈了学习中的收获和不足'])}。"
        )
    paragraphs.append(f"{host}作总结，要求全体党员按照会议要求抓好落实。")
    return "\n".join(paragraphs)


def _mark_attendance(rng: random.Random, meeting: Meeting) -> None:
    for row in meeting.attendance:
        roll = rng.random()
        if roll < 0.06:
            row.status = AttendanceStatus.LEAVE
            row.reason = rng.choice(_LEAVE_REASONS)
        elif roll < 0.085:
            row.status = AttendanceStatus.ABSENT
            row.reason = rng.choice(_ABSENT_REASONS)
        if row.status is not AttendanceStatus.PRESENT and rng.random() < 0.55:
            row.makeup = Makeup(
                meeting.day + dt.timedelta(days=rng.randint(2, 12)), rng.choice(_MAKEUP_WAYS)
            )


def _months(today: dt.date, count: int) -> list[tuple[int, int]]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def write_demo_meetings(db: Database, *, today: dt.date, seed: int = 1, months: int = 24) -> int:
    """Write about two years of meetings ending at ``today``; return how many."""
    rng = random.Random(seed * 104729)
    members = MemberRepo(db).list()
    groups = GroupRepo(db).list()
    by_role: dict[Role, Member] = {}
    for member in members:
        for role in member.roles:
            by_role.setdefault(role, member)
    secretary = by_role.get(Role.SECRETARY)
    recorder = by_role.get(Role.ORGANISATION) or secretary
    host = Person(secretary.name, secretary.id) if secretary else Person("支部书记")
    record = Person(recorder.name, recorder.id) if recorder else Person()
    leaders = {g.id: next((m for m in members if m.id == g.leader_id), None) for g in groups}
    meetings: list[Meeting] = []
    month_list = _months(today, months)
    # Gaps on purpose, so that reports and the home page have something to flag.
    skip_committee = month_list[len(month_list) // 3]
    skip_group = (month_list[len(month_list) // 2], groups[-1].id if groups else None)
    skip_general_quarter = None
    if len(month_list) > 7:  # the quarter seven months back holds no 党员大会
        gap_year, gap_month = month_list[-7]
        skip_general_quarter = (gap_year, (gap_month - 1) // 3)

    def add(kinds: list[MeetingKind], day: dt.date, **fields: object) -> None:
        status = MeetingStatus.HELD if day <= today else MeetingStatus.PLANNED
        meeting = Meeting(kinds=kinds, day=day, status=status, host=host, recorder=record, **fields)  # type: ignore[arg-type]
        meeting.attendance = build_attendance(
            expected_members(members, kinds, day, meeting.group_id)
        )
        if status is MeetingStatus.HELD:
            _mark_attendance(rng, meeting)
            speakers = [r.name for r in meeting.attendance if r.status is AttendanceStatus.PRESENT]
            rng.shuffle(speakers)
            meeting.minutes = _minutes(rng, meeting.host.name, meeting.topics, speakers)
        meetings.append(meeting)

    for year, month in month_list:
        quarter_month = (month - 1) % 3  # 0, 1, 2 within the quarter
        if (year, month) != skip_committee and len(members) >= 7:
            add(
                [MeetingKind.COMMITTEE],
                dt.date(year, month, rng.randint(3, 8)),
                start=dt.time(9, 0),
                end=dt.time(10, 30),
                place="党员活动室",
                title="支委会",
                topics=rng.sample(_BUSINESS, 2),
                resolutions="会议议定："
                + rng.choice(
                    [
                        "按计划组织开展本月主题党日活动",
                        "同意将两名入党积极分子列为发展对象",
                        "由组织委员负责本月党费收缴并公示",
                    ]
                )
                + "。",
            )
        theme_kinds = [MeetingKind.THEME_DAY]
        lecture: dict[str, object] = {}
        if quarter_month == 1:  # the quarter's 党课 is given on its middle month's 主题党日
            theme_kinds.append(MeetingKind.LECTURE)
            lecture = {"lecturer": host, "lecture_title": rng.choice(_LECTURES)}
        add(
            theme_kinds,
            dt.date(year, month, 10),
            start=dt.time(14, 30),
            end=dt.time(16, 30),
            place=rng.choice(_PLACES),
            title=rng.choice(_THEMES),
            topics=[rng.choice(_STUDY), "开展主题实践活动"],
            **lecture,
        )
        for group in groups:
            if ((year, month), group.id) == skip_group:
                continue
            leader = leaders.get(group.id)
            add(
                [MeetingKind.GROUP],
                dt.date(year, month, rng.randint(15, 20)),
                start=dt.time(19, 0),
                end=dt.time(20, 30),
                place=rng.choice(_PLACES),
                title=f"{group.name}学习会",
                group_id=group.id,
                group_name=group.name,
                topics=[rng.choice(_STUDY)],
            )
            if leader:
                meetings[-1].host = Person(leader.name, leader.id)
                meetings[-1].minutes = meetings[-1].minutes.replace(host.name, leader.name, 1)
        if quarter_month == 2 and (year, (month - 1) // 3) != skip_general_quarter:
            add(
                [MeetingKind.GENERAL],
                dt.date(year, month, rng.randint(22, 27)),
                start=dt.time(14, 30),
                end=dt.time(16, 30),
                place=_PLACES[0],
                title=f"{year}年第{(month - 1) // 3 + 1}季度支部党员大会",
                topics=[rng.choice(_BUSINESS), rng.choice(_STUDY)],
                resolutions="会议表决通过了有关事项。",
            )
        if month == 12:
            add(
                [MeetingKind.LIFE, MeetingKind.GENERAL],
                dt.date(year, month, 28),
                start=dt.time(14, 0),
                end=dt.time(17, 0),
                place=_PLACES[0],
                title=f"{year}年度组织生活会",
                topics=["通报支部班子对照检查情况", "开展批评和自我批评"],
            )
        if month == 1:
            add(
                [MeetingKind.REVIEW],
                dt.date(year, month, 20),
                start=dt.time(14, 30),
                end=dt.time(17, 0),
                place=_PLACES[0],
                title=f"{year - 1}年度民主评议党员",
                topics=["党员个人自评", "党员互评", "民主测评"],
            )
    # Next month's 主题党日 is already planned, as a secretary would have it.
    planned_day = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=10)
    add(
        [MeetingKind.THEME_DAY],
        planned_day,
        start=dt.time(14, 30),
        place=_PLACES[0],
        title="重温入党誓词，过政治生日",
        topics=["重温入党誓词", "为本月过政治生日的党员赠送纪念卡"],
    )
    meetings = [m for m in meetings if m.status is MeetingStatus.PLANNED or m.day <= today]
    MeetingRepo(db).add_many(meetings)
    return len(meetings)
