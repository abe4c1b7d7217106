"""The log file never holds a full ID number or mobile number, tracebacks included."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from branchdesk.logs import mask_handler, mask_personal_data, setup_logging

ID_18 = "110105194912310021"
ID_18_X = "11010519491231002X"
ID_15 = "110105491231123"
MOBILE = "13812345678"
MOBILE_SPACED = "+86 139 8765 4321"
MOBILE_DASHED = "150-1234-8765"
FULL = (ID_18, ID_18_X, ID_15, MOBILE, "13987654321", "15012348765")
ORDINARY = ("2024-05-01", "20240501", "会议 1234 号", "金额 12345.67 元", "1714567890123")


@pytest.fixture
def log_file(data_dir: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    path = setup_logging(data_dir)
    yield path
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def _save(member: dict[str, str]) -> None:
    raise ValueError(f"无法保存 {member!r} {ID_18_X} {MOBILE_DASHED} {MOBILE}")


def _fail_with_personal_data() -> None:
    # Written out in full: the traceback quotes this line as it stands in the source.
    _save({"id": "110105194912310021", "old": "110105491231123", "tel": "+86 139 8765 4321"})


def _written(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def _digits_only(text: str) -> str:
    """The text with separators inside numbers dropped, so 139 8765 4321 is seen whole too."""
    return re.sub(r"(?<=\d)[ -](?=\d)", "", text)


def test_an_exception_with_personal_data_is_logged_masked(log_file: Path) -> None:
    log = logging.getLogger("branchdesk.test")
    try:
        _fail_with_personal_data()
    except ValueError:
        log.exception("保存党员 %s（%s）时出错", ID_18, MOBILE)
    log.error("又出错了，联系 %s", MOBILE_DASHED, stack_info=True)
    log.info("普通的数：%s", "，".join(ORDINARY))
    text = _written(log_file)
    assert "Traceback (most recent call last)" in text
    assert '_save({"id": "110105********0021", "old": "110105******123"' in text  # source line
    assert "Stack (most recent call last)" in text
    for number in FULL:
        assert number not in _digits_only(text), number
    assert "110105********0021" in text and "110105********002X" in text
    assert "110105******123" in text
    assert "138****5678" in text and "+86 139****4321" in text and "150****8765" in text
    for ordinary in ORDINARY:
        assert ordinary in text


def test_the_crash_handler_writes_the_traceback_masked(log_file: Path, monkeypatch) -> None:
    import sys

    from branchdesk.logs import install_crash_handler

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    shown: list[str] = []
    install_crash_handler(shown.append)
    try:
        _fail_with_personal_data()
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    text = _written(log_file)
    assert "未预料的错误" in text and "_fail_with_personal_data" in text
    for number in FULL:
        assert number not in _digits_only(text), number


def test_every_handler_masks_even_with_a_plain_formatter() -> None:
    """A record masked by one handler stays masked for the next, whatever it formats with."""
    masked_stream, plain_stream = io.StringIO(), io.StringIO()
    masked = mask_handler(logging.StreamHandler(masked_stream))
    plain = logging.StreamHandler(plain_stream)  # added after: sees the record once masked
    log = logging.getLogger("branchdesk.test.handlers")
    log.propagate = False
    log.addHandler(masked)
    log.addHandler(plain)
    try:
        try:
            _fail_with_personal_data()
        except ValueError:
            log.error("出错：%s", ID_18, exc_info=True)
    finally:
        log.removeHandler(masked)
        log.removeHandler(plain)
        log.propagate = True
    for text in (masked_stream.getvalue(), plain_stream.getvalue()):
        assert "Traceback" in text
        for number in FULL:
            assert number not in _digits_only(text), number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"证件 {ID_18}。", "证件 110105********0021。"),
        (f"ID={ID_18_X.lower()}", "ID=110105********002x"),
        (f"旧证 {ID_15}", "旧证 110105******123"),
        ("电话：138 1234 5678", "电话：138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("0086-138-1234-5678", "0086-138****5678"),
        ("会议 20240501 第 12812345678 号", "会议 20240501 第 12812345678 号"),
        ("2026-11-10 19:30:00,123 金额 1380.50", "2026-11-10 19:30:00,123 金额 1380.50"),
    ],
)
def test_what_is_masked_and_what_is_not(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected
