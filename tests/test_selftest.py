"""The self-test that CI runs inside the frozen bundle, run here from source."""

from __future__ import annotations

from branchdesk.selftest import FAILURE_PREFIX, SUCCESS_PREFIX, run_self_test


def test_self_test_passes_and_prints_one_line(qapp) -> None:  # type: ignore[no-untyped-def]
    lines: list[str] = []

    code = run_self_test(out=lines.append)

    assert code == 0, lines
    assert len(lines) == 1
    assert lines[0].startswith(SUCCESS_PREFIX)
    for step in ("中文界面", "导入花名册 24 人", "记录会议", "月报", "签到表 PDF", "主窗口"):
        assert step in lines[0]


def test_self_test_reports_a_missing_translation(qapp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import branchdesk.selftest as selftest

    monkeypatch.setattr(selftest, "_chinese_translation_loaded", lambda: False)
    lines: list[str] = []

    code = run_self_test(out=lines.append)

    assert code == 1
    assert lines == [f"{FAILURE_PREFIX}Qt 中文翻译（qtbase_zh_CN）未加载，按钮不是“确定/取消”"]


def test_self_test_flag_on_the_command_line(qapp, capsys) -> None:  # type: ignore[no-untyped-def]
    from branchdesk.cli import main

    assert main(["--self-test"]) == 0
    assert capsys.readouterr().out.startswith(SUCCESS_PREFIX)
