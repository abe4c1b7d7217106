"""Hostile or wrong files are refused quickly, with a message naming the file."""

from __future__ import annotations

import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from ole_samples import encrypted_workbook, legacy_workbook
from roster_samples import write_messy_roster

from branchdesk.reports.roster_import import RosterFileError, read_roster
from branchdesk.reports.xlsx_safety import (
    EncryptedWorkbookError,
    Limits,
    XlsxFileError,
    read_workbook_rows,
)


def _rewrite(
    path: Path,
    replacements: dict[str, bytes],
    extra: dict[str, bytes] | None = None,
    target: Path | None = None,
) -> Path:
    """Copy an xlsx, replacing some entries and adding others."""
    target = target or path.with_name("hostile.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, replacements.get(info.filename, source.read(info.filename)))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


def _sheet_xml(rows: str, dimension: str = "A1:C3") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = (
    '<row r="1">' + _cell("A1", "姓名") + _cell("B1", "性别") + _cell("C1", "民族") + "</row>"
)


@pytest.fixture
def good(tmp_path):
    return write_messy_roster(tmp_path / "good.xlsx")


def _refused(path: Path, match: str, **kwargs) -> str:
    started = time.monotonic()
    with pytest.raises(RosterFileError) as caught:
        read_roster(path, **kwargs)
    assert time.monotonic() - started < 5
    assert match in caught.value.message
    return caught.value.message


@pytest.mark.parametrize(
    ("name", "expected"),
    [("名册.xls", "另存为"), ("名册.csv", "另存为"), ("名册.txt", "另存为"), ("名册.pdf", ".xlsx")],
)
def test_other_formats_are_refused_naming_the_file(tmp_path, name, expected):
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0 whatever")
    message = _refused(path, expected)
    assert name in message


def test_not_a_zip_renamed_xlsx(tmp_path):
    path = tmp_path / "改名.xlsx"
    path.write_text("姓名,性别\n王芳,女\n", encoding="utf-8")
    assert "改名.xlsx" in _refused(path, "不是有效的 .xlsx")


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "照片.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    _refused(path, "不是有效的 .xlsx")


def test_zip_bomb_is_refused_before_decompressing(good):
    zeros = b"\0" * (20 * 1024 * 1024)  # compresses about 1000:1
    bomb = _rewrite(good, {}, {"xl/media/image1.bin": zeros})
    assert bomb.stat().st_size < 1024 * 1024
    _refused(bomb, "恶意")


def test_total_uncompressed_size_is_capped(good):
    _refused(good, "恶意", limits=Limits(max_uncompressed_bytes=10_000))


def test_sheet_claiming_a_million_rows_and_columns(good, tmp_path):
    rows = HEADER_ROW + '<row r="2">' + _cell("A2", "王芳") + _cell("B2", "女") + "</row>"
    rows += '<row r="1048576">' + _cell("XFD1048576", "远处的一格") + "</row>"
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(rows, "A1:XFD1048576")})
    started = time.monotonic()
    parsed = read_roster(hostile)
    assert time.monotonic() - started < 5
    assert [(r.row, r.member.name) for r in parsed.rows] == [(2, "王芳")]


def test_too_many_data_rows_are_refused(good):
    rows = HEADER_ROW + "".join(
        f'<row r="{n}">' + _cell(f"A{n}", f"党员{n}") + "</row>" for n in range(2, 400)
    )
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(rows)})
    _refused(hostile, "超过 300 行", limits=Limits(max_data_rows=300))


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    b'<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_billion_laughs_is_refused(good, part):
    hostile = _rewrite(good, {part: BILLION_LAUGHS})
    with pytest.raises(RosterFileError) as caught:
        read_roster(hostile)
    assert "hostile.xlsx" in caught.value.message
    causes = []
    exc: BaseException | None = caught.value
    while exc is not None:
        causes.append(type(exc).__name__)
        exc = exc.__cause__ or exc.__context__
    assert "EntitiesForbidden" in causes  # stopped by defusedxml, not by luck


def test_broken_xml_is_refused(good):
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"})
    _refused(hostile, "无法按 Excel 工作簿读取")


def test_reading_needs_defusedxml(good, monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    _refused(good, "defusedxml")


def test_missing_file(tmp_path):
    _refused(tmp_path / "没有.xlsx", "找不到")


@pytest.mark.parametrize("name", ["名册.xlsx", "名册.xls", "名册.XLSX"])
def test_a_password_protected_workbook_is_told_so(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(encrypted_workbook())
    message = _refused(path, "有密码保护，请在 Excel 中取消密码后再导入")
    assert name in message and "损坏" not in message
    with pytest.raises(EncryptedWorkbookError):
        read_workbook_rows(path)


def test_an_old_excel_file_named_xlsx_is_told_to_be_saved_again(tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(legacy_workbook())
    message = _refused(path, "旧版 Excel 97-2003")
    assert "密码" not in message
    path = tmp_path / "名册.xls"
    path.write_bytes(legacy_workbook())
    assert "密码" not in _refused(path, "旧版 Excel 97-2003")


def _patched(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:600],  # cut short inside the directory
        lambda data: data[:512],  # the header alone
        lambda data: _patched(data, 0x2C, struct.pack("<I", 0xFFFFFFF0)),  # absurd FAT count
        lambda data: _patched(data, 0x30, struct.pack("<I", 0x7FFFFFFF)),  # directory far away
        lambda data: _patched(data, 0x1E, struct.pack("<H", 30)),  # absurd sector size
        lambda data: _patched(data, 512 + 4, struct.pack("<I", 1)),  # directory chain loops
        lambda data: _patched(data, 0x4C, struct.pack("<I", 0xFFFFFFFE)),  # FAT nowhere
    ],
)
def test_a_damaged_compound_file_is_refused_quickly_without_a_crash(tmp_path, damage):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(damage(encrypted_workbook()))
    started = time.monotonic()
    with pytest.raises(XlsxFileError) as caught:
        read_workbook_rows(path)
    assert time.monotonic() - started < 2
    assert "名册.xlsx" in caught.value.message
