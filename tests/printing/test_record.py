"""会议记录 PDFs: the record-book layout, long minutes over several pages, text that copies."""

from __future__ import annotations

import datetime as dt

import pytest
from pdf_checks import assert_a4, assert_clean_text, base_fonts, page_lines, pdf_pages
from pypdf import PdfReader

from branchdesk.domain.meetings import (
    Attendance,
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Person,
)
from branchdesk.printing.paged import PrintCancelled, PrintError
from branchdesk.printing.pdf import write_pdf
from branchdesk.printing.record import MeetingRecord, RecordDocument

PARAGRAPH = (
    "会议传达学习了上级党委关于加强基层党组织建设的文件精神，支部书记结合社区实际，"
    "就做好冬季困难群众走访慰问、环境卫生整治和平安社区建设等工作作了具体部署。"
)


def meeting(**changes) -> Meeting:
    values = dict(
        kinds=[MeetingKind.GENERAL, MeetingKind.LECTURE],
        day=dt.date(2026, 11, 10),
        start=dt.time(14, 30),
        end=dt.time(16, 30),
        place="社区党群服务中心",
        title="学习党的二十届四中全会精神",
        host=Person("王堃", 1),
        recorder=Person("李喆", 2),
        lecturer=Person("王堃", 1),
        lecture_title="新时代共产党员的初心与使命",
        topics=["传达学习全会精神", "讨论冬季走访慰问安排"],
        minutes="王堃主持会议。\n赵玥发言：表示要带头落实。",
        resolutions="同意冬季走访慰问安排。",
        nonvoting="社区居委会主任 周明",
        attendance=[
            Attendance(1, "王堃"),
            Attendance(2, "李喆"),
            Attendance(3, "赵玥"),
            Attendance(
                4,
                "刘犇",
                AttendanceStatus.LEAVE,
                "外出学习",
                Makeup(dt.date(2026, 11, 12), "自学会议材料"),
            ),
            Attendance(5, "阿依古丽·买买提", AttendanceStatus.ABSENT, "联系不上"),
        ],
    )
    values.update(changes)
    return Meeting(**values)


def test_record_prints_the_record_book_fields(qapp, tmp_path):
    path = tmp_path / "记录.pdf"
    pages = write_pdf(RecordDocument(MeetingRecord("幸福里社区党支部", meeting())), path)
    assert pages == 1
    assert_a4(path)
    texts = pdf_pages(path)
    assert_clean_text(texts)
    assert all("WenQuanYi" in font for font in base_fonts(path))
    lines = page_lines(texts[0])
    assert lines[:2] == ["幸福里社区党支部", "会议记录"]
    for label in (
        "会议类型",
        "时间",
        "地点",
        "会议主题",
        "主持人",
        "记录人",
        "授课人",
        "党课题目",
        "应到",
        "实到",
        "请假",
        "缺席",
        "请假人员及原因",
        "缺席人员及原因",
        "列席人员",
    ):
        assert label in lines, label
    text = texts[0]
    assert "支部党员大会、党课" in text and "2026年11月10日" in text
    assert "5 人" in text.replace("\t", " ") and "3 人" in text.replace("\t", " ")
    assert "刘犇（外出学习）" in text and "阿依古丽·买买提（联系不上）" in text
    assert "社区居委会主任" in text
    for heading in ("一、议题", "二、会议记录", "三、决议", "四、补学情况"):
        assert heading in lines, heading
    assert "1.\t传达学习全会精神" in text or "1. 传达学习全会精神" in text
    assert "\u3000\u3000赵玥发言：表示要带头落实。" in text  # first-line indent of two characters
    assert "刘犇：2026年11月12日" in text.replace("\t", " ")
    assert "主持人（签字）：" in text and "记录人（签字）：" in text
    assert lines[-1].split() == ["第", "1", "页", "共", "1", "页"]


def test_long_minutes_flow_over_pages_and_lose_nothing(qapp, tmp_path):
    paragraphs = [f"第{n}段。{PARAGRAPH * 3}" for n in range(1, 31)]
    path = tmp_path / "long.pdf"
    record = MeetingRecord("幸福里社区党支部", meeting(minutes="\n".join(paragraphs)))
    pages = write_pdf(RecordDocument(record), path)
    texts = pdf_pages(path)
    assert pages == len(texts) >= 4
    body = []
    for text in texts:
        lines = page_lines(text)[:-1]  # without the footer
        if "会议记录（续）" in text:
            lines = lines[2:]  # without the running head
        body += lines
    joined = "".join(line.replace("\t", "") for line in body)
    # Every paragraph printed once: none lost at a page edge, none doubled across one.
    for paragraph in paragraphs:
        assert joined.count(paragraph) == 1
    for number, text in enumerate(texts, 1):
        assert page_lines(text)[-1].split() == ["第", str(number), "页", "共", str(pages), "页"]
        if number > 1:
            assert "会议记录（续）" in text
    assert "主持人（签字）：" in texts[-1]


def test_planned_meeting_prints_with_attendance_blank(qapp, tmp_path):
    planned = meeting(status=MeetingStatus.PLANNED, day=dt.date(2030, 1, 10), minutes="")
    record = MeetingRecord("幸福里社区党支部", planned)
    path = tmp_path / "planned.pdf"
    write_pdf(RecordDocument(record), path)
    text = pdf_pages(path)[0].replace("\t", " ")
    assert "应到" in text and " 人" not in text
    assert "外出学习" not in text
    assert "（无）" in text  # no minutes yet


def _long_record(paragraphs: int) -> RecordDocument:
    minutes = "\n".join(f"第{n}段。{PARAGRAPH}" for n in range(1, paragraphs + 1))
    return RecordDocument(MeetingRecord("幸福里社区党支部", meeting(minutes=minutes)))


def _lines_outside_the_body(path) -> list[tuple[int, str]]:
    """Text drawn below the body of its page (over the footer band, hidden by the clip)."""
    body_bottom = (15 + 8) * 72 / 25.4  # the 15 mm margin and the 8 mm footer band, in pt
    hidden: list[tuple[int, str]] = []
    for number, page in enumerate(PdfReader(str(path)).pages, 1):

        def visit(text, cm, tm, _font, _size, number=number):
            baseline = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            if text.strip() and not text.startswith("第\t") and baseline < body_bottom - 2:
                hidden.append((number, text))

        page.extract_text(visitor_text=visit)
    return hidden


def test_no_line_of_long_minutes_falls_off_a_page_edge(qapp, tmp_path):
    """A line moved to the next page is drawn there, not clipped away at the foot of the
    page before (where the PDF's text still had it, but the paper did not)."""
    path = tmp_path / "long.pdf"
    pages = write_pdf(_long_record(160), path)
    assert pages >= 10
    assert _lines_outside_the_body(path) == []
    tops = [page_lines(text)[2] for text in pdf_pages(path)[1:]]  # under the running head
    assert all(not line.startswith("第 ") for line in tops)


def test_progress_is_told_page_by_page(qapp, tmp_path):
    told: list[tuple[int, int]] = []
    pages = write_pdf(_long_record(60), tmp_path / "r.pdf", lambda *seen: told.append(seen) or True)
    assert pages >= 4
    assert told == [(done, pages) for done in range(pages + 1)]


def test_cancelling_stops_and_leaves_no_pdf_behind(qapp, tmp_path):
    earlier = tmp_path / "记录.pdf"
    earlier.write_bytes(b"%PDF the copy saved last week")
    told: list[int] = []

    def progress(done: int, total: int) -> bool:
        told.append(done)
        return done < 2  # 取消 pressed while page 3 was coming

    with pytest.raises(PrintCancelled):
        write_pdf(_long_record(60), earlier, progress)
    assert told == [0, 1, 2]
    assert earlier.read_bytes() == b"%PDF the copy saved last week"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["记录.pdf"]  # no partial file
    with pytest.raises(PrintCancelled):  # a new file: none is left at all
        write_pdf(_long_record(60), tmp_path / "new.pdf", lambda done, total: done == 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["记录.pdf"]


def test_minutes_longer_than_the_layout_limit_of_1200_dpi_print_whole(qapp, tmp_path):
    """At the PDF's 1200 dpi Qt's text layout ends after about 710 pages; what followed,
    the signatures included, was silently left out."""
    minutes = "\n".join(f"第{n}段" for n in range(1, 25_001))
    record = MeetingRecord("幸福里社区党支部", meeting(minutes=minutes, resolutions="同意。"))
    path = tmp_path / "huge.pdf"
    pages = write_pdf(RecordDocument(record), path)
    assert pages > 900
    last = PdfReader(str(path)).pages[-1].extract_text()
    assert "第25000段" in last and "主持人（签字）：" in last


def test_minutes_too_long_even_so_are_refused_not_cut(qapp, tmp_path, monkeypatch):
    from branchdesk.printing import record as record_module

    monkeypatch.setattr(record_module, "_LAYOUT_LIMIT", 20_000)  # about 7 pages at 300 dpi
    with pytest.raises(PrintError) as info:
        write_pdf(_long_record(160), tmp_path / "x.pdf")
    assert "会议记录太长" in info.value.message and "无法完整打印" in info.value.message
    assert list(tmp_path.iterdir()) == []


def test_record_states_the_quorum_and_the_votes(qapp, tmp_path, file_db):
    from branchdesk.domain.dates import PartialDate
    from branchdesk.domain.meetings import Vote
    from branchdesk.domain.members import Category, Member
    from branchdesk.printing.record import record_for_meeting
    from branchdesk.store.members import MemberRepo

    repo = MemberRepo(file_db)
    people = [
        Member(name="王堃", join_date=PartialDate(2000, 7)),
        Member(name="李喆", join_date=PartialDate(2001, 7)),
        Member(name="赵玥", join_date=PartialDate(2002, 7)),
        Member(name="刘犇", join_date=PartialDate(2003, 7)),
        Member(name="阿依古丽·买买提", category=Category.PROBATIONARY,
               join_date=PartialDate(2026, 3)),
    ]  # fmt: skip
    for person in people:
        repo.add(person)
    held = meeting(
        kinds=[MeetingKind.GENERAL],
        votes=[Vote("同意冬季走访慰问安排", 3, 0, 0), Vote("推荐赵玥为优秀党员", 2, 0, 1)],
    )
    record = record_for_meeting(file_db, held)
    # Four 正式 due (the 预备 member has no vote), three of them present.
    assert record.quorum.describe() == "应到有表决权党员 4 人，实到 3 人，超过半数，会议有效"
    path = tmp_path / "表决.pdf"
    write_pdf(RecordDocument(record), path)
    pages = pdf_pages(path)
    text = "".join(pages).replace("\t", " ").replace("\n", "")  # long lines wrap
    lines = [line for page in pages for line in page_lines(page)]
    assert "会议有效性" in lines
    assert "应到有表决权党员 4 人，实到 3 人，超过半数，会议有效" in text
    assert "四、表决情况" in lines and "五、补学情况" in lines
    assert "赞成票超过应到有表决权党员（4 人）半数，通过" in text
    assert "赞成 2 票，反对 0 票，弃权 1 票；赞成票未超过应到有表决权党员（4 人）半数，未通过" in text


def test_record_page_image_for_the_readme(qapp, file_db):
    """The first page of a 支部党员大会's record with its 会议有效性 line, as the README shows it."""
    import sys
    from pathlib import Path

    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from branchdesk.domain.dates import PartialDate
    from branchdesk.domain.meetings import Vote
    from branchdesk.domain.members import Member
    from branchdesk.printing.paged import Page, ensure_font
    from branchdesk.printing.record import record_for_meeting
    from branchdesk.store.members import MemberRepo

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
    from branchdesk.domain.branch import Branch
    from branchdesk.store.members import BranchRepo
    from screenshots import screenshot_file

    BranchRepo(file_db).save(Branch("幸福里社区党支部"))
    for name in ("王堃", "李喆", "赵玥", "刘犇", "阿依古丽·买买提"):
        MemberRepo(file_db).add(Member(name=name, join_date=PartialDate(2001, 7)))
    held = meeting(
        kinds=[MeetingKind.GENERAL],
        votes=[Vote("同意冬季走访慰问安排", 3, 0, 0)],
    )
    record = record_for_meeting(file_db, held)
    assert record.quorum.describe().endswith("实到 3 人，超过半数，会议有效")
    ensure_font()
    dpi = 110
    width, height = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    image.fill(QColor("white"))
    painter = QPainter(image)
    margin = 18 / 25.4 * dpi
    page = Page(painter, QRectF(margin, margin, width - 2 * margin, height - 2 * margin), dpi)
    document = RecordDocument(record)
    document.paginate(page)
    document.draw_page(page, 0)
    painter.end()
    assert image.save(str(screenshot_file("meeting_record_quorum.png")))
