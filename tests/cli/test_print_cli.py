"""``branchdesk signin`` and ``branchdesk record``: PDFs from the command line, no display."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from demo_cache import write_demo_branch
from pypdf import PdfReader

from branchdesk.cli import main
from branchdesk.domain.meetings import MeetingStatus
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingFilter, MeetingRepo


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


@pytest.fixture
def demo(data_dir):
    write_demo_branch(data_dir, members=45, seed=2, today=dt.date(2026, 11, 1))
    db = open_database(data_dir / DB_FILENAME)
    repo = MeetingRepo(db)
    planned = repo.summaries(MeetingFilter(status=MeetingStatus.PLANNED))[0].id
    held = repo.summaries(MeetingFilter(status=MeetingStatus.HELD))[0].id
    names = [row.name for row in repo.get(planned).attendance]
    db.close()
    return data_dir, planned, held, names


def test_signin_for_a_meeting(qapp, demo, tmp_path, capsys):
    data_dir, planned, _, names = demo
    out = tmp_path / "签到表.pdf"
    assert main(["signin", str(planned), "--data-dir", str(data_dir), "-o", str(out)]) == 0
    assert "已生成签到表" in capsys.readouterr().out
    text = text_of(out)
    assert "签到表" in text
    for name in names:
        assert name in text


@pytest.mark.parametrize("columns", ["1", "2"])
def test_signin_columns_choose_the_layout(qapp, demo, tmp_path, columns):
    data_dir, planned, _, names = demo
    out = tmp_path / f"签到表{columns}.pdf"
    argv = ["signin", str(planned), "--columns", columns, "--data-dir", str(data_dir)]
    assert main([*argv, "-o", str(out)]) == 0
    first = PdfReader(str(out)).pages[0].extract_text().splitlines()
    assert [line.strip() for line in first].count("姓名") == int(columns)
    text = text_of(out)
    assert all(name in text for name in names)


def test_signin_leave_notes_fill_the_notes_column(qapp, demo, tmp_path):
    data_dir, _, held, _ = demo
    db = open_database(data_dir / DB_FILENAME)
    repo = MeetingRepo(db)
    meeting = next(
        m
        for m in (repo.get(s.id) for s in repo.summaries(MeetingFilter(status=MeetingStatus.HELD)))
        if any(a.status.value == "leave" and a.reason for a in m.attendance)
    )
    db.close()
    reason = next(a.reason for a in meeting.attendance if a.status.value == "leave" and a.reason)
    plain, noted = tmp_path / "plain.pdf", tmp_path / "noted.pdf"
    base = ["signin", str(meeting.id), "--data-dir", str(data_dir)]
    assert main([*base, "-o", str(plain)]) == 0
    assert main([*base, "--leave-notes", "-o", str(noted)]) == 0
    assert "请假：" not in text_of(plain).replace("\n", "")
    assert "请假：" in text_of(noted).replace("\n", "")
    assert reason[:2] in text_of(noted).replace("\n", "")


def test_blank_signin_for_a_group(qapp, demo, tmp_path, capsys):
    data_dir, *_ = demo
    out = tmp_path / "blank.pdf"
    code = main(
        [
            "signin",
            "--blank",
            "--kind",
            "group_meeting",
            "--group",
            "第一党小组",
            "--data-dir",
            str(data_dir),
            "-o",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = text_of(out)
    assert "第一党小组" in text and "党小组会" in text and "第二党小组" not in text


def test_record_of_a_held_meeting(qapp, demo, tmp_path):
    data_dir, _, held, _ = demo
    out = tmp_path / "record.pdf"
    assert main(["record", str(held), "--data-dir", str(data_dir), "-o", str(out)]) == 0
    text = text_of(out)
    assert "会议记录" in text and "主持人（签字）" in text


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["signin", "--blank", "--kind", "nonsense"], 2, "未知的会议类型代码"),
        (["signin", "--blank"], 2, "--kind"),
        (["signin"], 2, "会议编号"),
        (["signin", "--blank", "--kind", "theme_day", "--group", "第九党小组"], 2, "没有名为"),
        (["signin", "--blank", "--kind", "group_meeting"], 1, "请选择党小组"),
        (["signin", "99999"], 1, "不存在"),
        (["record", "99999"], 1, "不存在"),
    ],
)
def test_mistakes_are_reported_in_chinese(qapp, demo, tmp_path, capsys, argv, code, message):
    data_dir, *_ = demo
    out = tmp_path / "x.pdf"
    assert main([*argv, "--data-dir", str(data_dir), "-o", str(out)]) == code
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_output_must_be_a_pdf(qapp, demo, tmp_path, capsys):
    data_dir, planned, _, _ = demo
    out = tmp_path / "x.xlsx"
    assert main(["signin", str(planned), "--data-dir", str(data_dir), "-o", str(out)]) == 2


@pytest.mark.slow
def test_command_needs_no_display(demo, tmp_path):
    """Run as on a server: no QT_QPA_PLATFORM, no DISPLAY; the command picks offscreen."""
    data_dir, planned, _, names = demo
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    env["PYTHONIOENCODING"] = "utf-8"
    out = tmp_path / "signin.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "branchdesk",
            "signin",
            str(planned),
            "--data-dir",
            str(data_dir),
            "-o",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "共" in done.stdout
    text = text_of(out)
    assert all(name in text for name in names)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(str(out)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all("WenQuanYi" in font for font in fonts)
