"""Hostile or wrong files are refused quickly, with a message naming the file, never a crash.

python-calamine builds each sheet as a dense grid and a failed allocation aborts the whole
process, so the files that would make it allocate gigabytes are read here in a child process
under a memory cap: a missing guard shows as a dead child, not as a dead test run.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from array import array
from pathlib import Path

import openpyxl
import pytest
from ole_samples import (
    biff_records,
    encrypted_workbook,
    legacy_workbook,
    with_workbook_stream,
    workbook_stream,
    xls_workbook,
)
from roster_samples import write_messy_roster

import branchdesk
from branchdesk.reports.roster_import import RosterFileError, read_roster
from branchdesk.reports.xlsx_safety import (
    EncryptedWorkbookError,
    Limits,
    PasswordRequired,
    WrongPassword,
    XlsxFileError,
    quick_xlsx_sheet,
    read_workbook_rows,
    scan_xlsx_sheet,
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
    assert path.name in caught.value.message
    return caught.value.message


_CHILD = """
import json, resource, sys
cap = 1024 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from branchdesk.reports.xlsx_safety import XlsxFileError, read_workbook_rows
try:
    book = read_workbook_rows(sys.argv[1])
    print(json.dumps({"kind": book.kind, "rows": sum(len(s.rows) for s in book.sheets)}))
except XlsxFileError as exc:
    print(json.dumps({"refused": exc.message}))
"""


def _read_capped(path: Path) -> dict:
    """Read ``path`` in a child process limited to 1 GB of address space."""
    root = Path(branchdesk.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, f"the reader died ({done.returncode}): {done.stderr[-400:]}"
    return json.loads(done.stdout)


capped = pytest.mark.skipif(sys.platform == "win32", reason="memory cap needs resource")


# ------------------------------------------------------------------- what the file is not


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("名册.xls", b"\xd0\xcf\x11\xe0 whatever", "损坏"),
        ("名册.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF 文件"),
        ("名册.xls", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "图片"),
        ("名册.pdf", bytes(range(256)) * 4, "无法识别"),
        ("名册.et", bytes(range(256)) * 4, "WPS 表格专用格式"),
    ],
)
def test_what_a_file_is_not_is_said_naming_the_file(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    message = _refused(path, expected)
    assert "xlsx 文件" not in message  # the old "only .xlsx" refusal is gone


def test_a_web_page_saved_as_xls_is_named_as_such(tmp_path):
    path = tmp_path / "系统导出.xls"
    path.write_text(
        "<html><body><table><tr><td>姓名</td><td>性别</td></tr></table></body></html>",
        encoding="utf-8",
    )
    message = _refused(path, "网页（HTML）")
    assert "另存为" in message


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "照片.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    _refused(path, "压缩文件")


def test_a_word_document_named_xlsx(tmp_path):
    path = tmp_path / "通知.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    _refused(path, "Word 文档")


def test_a_cut_short_zip_is_called_damaged(good, tmp_path):
    path = tmp_path / "半截.xlsx"
    path.write_bytes(good.read_bytes()[:300])
    _refused(path, "损坏")


def test_missing_file(tmp_path):
    _refused(tmp_path / "没有.xlsx", "找不到")


# ------------------------------------------------------------------------------ zip bombs


def test_zip_bomb_is_refused_before_decompressing(good):
    zeros = b"\0" * (20 * 1024 * 1024)  # compresses about 1000:1
    bomb = _rewrite(good, {}, {"xl/media/image1.bin": zeros})
    assert bomb.stat().st_size < 1024 * 1024
    _refused(bomb, "恶意")


def test_total_uncompressed_size_is_capped(good):
    _refused(good, "恶意", limits=Limits(max_uncompressed_bytes=10_000))


def test_a_file_too_big_for_a_roster(good):
    _refused(good, "远大于", limits=Limits(max_file_bytes=1000))


# ------------------------------------------------------------- dense grids the reader builds


@capped
def test_one_cell_in_a1_and_one_in_xfd1048576_is_refused_without_a_crash(good):
    # 2 KB that would make the reader ask for 550 GB (measured: the process aborts).
    rows = HEADER_ROW + '<row r="2">' + _cell("A2", "王芳") + _cell("B2", "女") + "</row>"
    rows += '<row r="1048576">' + _cell("XFD1048576", "远处的一格") + "</row>"
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(rows, "A1:XFD1048576")})
    assert hostile.stat().st_size < 10_000
    assert "数据区域过大" in _read_capped(hostile)["refused"]
    _refused(hostile, "数据区域过大")


@pytest.mark.parametrize(
    "far",
    [
        '<row r="900000"><c r="ZZ900000"><v>1</v></c></row>',
        # No position written: the reader counts cells and rows itself.
        '<row r="2">' + "<c><v>1</v></c>" * 200 + "</row>" + "<row><c><v>1</v></c></row>" * 600,
    ],
)
def test_far_cells_are_found_however_they_are_written(good, far):
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(HEADER_ROW + far)})
    _refused(hostile, "数据区域过大", limits=Limits(max_cells=100_000))


def test_a_quoted_angle_bracket_does_not_hide_a_cell(good):
    far = '<row r="2"><c foo="a>b" r="XFD1048576"><v>1</v></c></row>'
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(HEADER_ROW + far)})
    _refused(hostile, "数据区域过大")


@pytest.mark.parametrize(
    "rows",
    [
        HEADER_ROW + '<row r="2"><c r="B2" t="s"><v>1</v></c><c r="C2" s="3"/></row>',
        '<row r="3"><c r="D3" t="s"><v>0</v></c></row><row r="9"><c r="AA9"><v>1</v></c></row>',
        "",
    ],
)
def test_the_quick_scan_agrees_with_the_full_walk(rows):
    xml = _sheet_xml(rows)
    shared = array("Q", [7, 11])
    quick = quick_xlsx_sheet(xml, shared, "x.xlsx")
    assert quick is not None
    assert quick == scan_xlsx_sheet([xml], shared, "x.xlsx")


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="2"><c><v>1</v></c></row>',  # position implied
        '<row r="2"><c foo="a>b" r="B2"><v>1</v></c></row>',  # a quoted >
        '<row r="2"><c r="B2" t="s"><f>A1</f><v>1</v></c></row>',  # value not first
    ],
)
def test_the_quick_scan_leaves_unusual_sheets_to_the_full_walk(rows):
    assert quick_xlsx_sheet(_sheet_xml(rows), array("Q", [7, 11]), "x.xlsx") is None


def test_a_claimed_dimension_alone_is_not_believed_or_refused(good):
    rows = HEADER_ROW + '<row r="2">' + _cell("A2", "王芳") + _cell("B2", "女") + "</row>"
    wide = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(rows, "A1:XFD1048576")})
    parsed = read_roster(wide)
    assert [(r.row, r.member.name) for r in parsed.rows] == [(2, "王芳")]


def test_a_long_column_of_one_cell_is_read_and_stops_at_the_blank_run(good):
    # 1,048,576 rows of one column: 32 MB for the reader, within bounds.
    rows = '<row r="1">' + _cell("A1", "姓名") + '</row><row r="2">' + _cell("A2", "王芳")
    rows += '</row><row r="1048576">' + _cell("A1048576", "最后一行") + "</row>"
    tall = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(rows)})
    book = read_workbook_rows(tall)
    assert book.sheets[0].rows == [(1, ("姓名",)), (2, ("王芳",))]


def _incompressible_text(characters: int) -> str:
    """Chinese text that does not compress away (so the zip checks let it through)."""
    return "".join(chr(0x4E00 + (i * 7919) % 20_000) for i in range(characters))


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="A{n}" t="s"><v>0</v></c>',
        '<c r="A{n}" t="s"><v>1</v><v>0</v></c>',  # the reader keeps the last value
        "<c r='A{n}' t='s'><v>1</v><v>0</v></c>",  # the same, for the XML walk
    ],
)
def test_one_long_shared_string_in_many_cells_is_refused(good, tmp_path, cell):
    # The reader copies a shared string into every cell that uses it: 1 MB x 100 cells.
    shared = (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        ' count="2" uniqueCount="2"><si><t>' + _incompressible_text(350_000) + "</t></si>"
        "<si><t>短</t></si></sst>"
    ).encode()
    cells = "".join(f'<row r="{n}">' + cell.format(n=n) + "</row>" for n in range(1, 101))
    with zipfile.ZipFile(good) as source:
        names = source.namelist()
    replacements = {"xl/worksheets/sheet1.xml": _sheet_xml(cells)}
    if "xl/sharedStrings.xml" in names:
        replacements["xl/sharedStrings.xml"] = shared
        hostile = _rewrite(good, replacements)
    else:
        hostile = _rewrite(good, replacements, {"xl/sharedStrings.xml": shared})
        _add_shared_strings_relationship(hostile)
    _refused(hostile, "文字内容展开后过大", limits=Limits(max_text_bytes=50 * 1024 * 1024))


def _add_shared_strings_relationship(path: Path) -> None:
    with zipfile.ZipFile(path) as source:
        entries = {n: source.read(n) for n in source.namelist()}
    rels = entries["xl/_rels/workbook.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    entries["xl/_rels/workbook.xml.rels"] = rels.encode()
    types = entries["[Content_Types].xml"].decode().replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    entries["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries.items():
            out.writestr(name, data)


def _ods(path: Path, table_xml: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{table_xml}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>',
        )
    return path


def _text_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{repeated}><text:p>{text}</text:p></table:table-cell>'


@capped
@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # A million rows of 64 filled cells: 1 GB (measured: aborts under a 1.5 GB cap).
        (
            '<table:table-row table:number-rows-repeated="1048576">'
            + _text_cell("党", 64)
            + "</table:table-row>",
            "数据区域过大",
        ),
        # One cell repeated over every column of every row: calamine's own cap is 100 million.
        (
            '<table:table-row table:number-rows-repeated="100000">'
            + _text_cell("党", 16384)
            + "</table:table-row>",
            "数据区域过大",
        ),
        # Two billion spaces in one cell (measured: a 2 GB allocation, then an abort).
        (
            '<table:table-row><table:table-cell office:value-type="string"><text:p>a'
            '<text:s text:c="2000000000"/></text:p></table:table-cell></table:table-row>',
            "文字内容展开后过大",
        ),
        # A 1 MB string in a cell repeated over 16,384 columns: 16 GB of copies.
        (
            "<table:table-row>"
            + _text_cell(_incompressible_text(350_000), 16384)
            + "</table:table-row>",
            "文字内容展开后过大",
        ),
    ],
)
def test_ods_repeats_that_would_blow_up_are_refused_without_a_crash(tmp_path, rows, expected):
    path = _ods(tmp_path / "重复.ods", f'<table:table table:name="名册">{rows}</table:table>')
    assert expected in _read_capped(path)["refused"]
    _refused(path, expected)


def test_ods_as_libreoffice_writes_it_pads_rows_and_columns_and_is_read(tmp_path):
    # LibreOffice ends every row and the table with huge repeats of empty cells.
    table = (
        '<table:table table:name="名册">'
        '<table:table-column table:number-columns-repeated="1024"/>'
        "<table:table-row>" + _text_cell("姓名") + _text_cell("性别")
        + '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        "<table:table-row>" + _text_cell("王芳") + _text_cell("女")
        + '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table>"
    )
    book = read_workbook_rows(_ods(tmp_path / "lo.ods", table))
    assert book.kind == "ods"
    assert book.sheets[0].rows == [(1, ("姓名", "性别")), (2, ("王芳", "女"))]


@capped
def test_xls_naming_its_last_cell_is_refused_without_a_crash(tmp_path):
    # Row 65535, column 255: 16.7 million cells, 670 MB for the reader.
    path = tmp_path / "远处.xls"
    book = xls_workbook({"名册": [["姓名", "性别"], ["王芳", "女"]]})
    stream = bytearray(workbook_stream(book))
    number = next(o for k, o, _n in biff_records(bytes(stream)) if k == 0x00FD)  # a LabelSst
    struct.pack_into("<HH", stream, number + 4, 65535, 255)
    path.write_bytes(with_workbook_stream(book, bytes(stream)))
    assert "数据区域过大" in _read_capped(path)["refused"]
    _refused(path, "数据区域过大")


@capped
@pytest.mark.parametrize(
    "dimensions",
    [(0, 0xFFFFFFF0, 0, 256), (10, 5, 0, 2)],  # 44 TB reserved (measured: abort); reversed
)
def test_xls_whose_dimensions_record_lies_is_refused_without_a_crash(tmp_path, dimensions):
    book = xls_workbook({"名册": [["姓名", "性别"], ["王芳", "女"]]})
    stream = bytearray(workbook_stream(book))
    offset = next(o for k, o, _n in biff_records(bytes(stream)) if k == 0x0200)
    struct.pack_into("<IIHH", stream, offset + 4, *dimensions)
    path = tmp_path / "尺寸.xls"
    path.write_bytes(with_workbook_stream(book, bytes(stream)))
    assert "内部结构异常" in _read_capped(path)["refused"]
    _refused(path, "内部结构异常")


def test_xls_sheet_placed_outside_the_stream_is_refused(tmp_path):
    book = xls_workbook({"名册": [["姓名"]]})
    stream = bytearray(workbook_stream(book))
    offset = next(o for k, o, _n in biff_records(bytes(stream)) if k == 0x0085)
    struct.pack_into("<I", stream, offset + 4, len(stream) + 1000)
    path = tmp_path / "错位.xls"
    path.write_bytes(with_workbook_stream(book, bytes(stream)))
    _refused(path, "内部结构异常")


# ---------------------------------------------------------------- too many sheets or rows


def test_too_many_data_rows_are_refused(good):
    rows = HEADER_ROW + "".join(
        f'<row r="{n}">' + _cell(f"A{n}", f"党员{n}") + "</row>" for n in range(2, 400)
    )
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(rows)})
    _refused(hostile, "超过 300 行", limits=Limits(max_data_rows=300))


def test_too_many_rows_in_a_csv_are_refused(tmp_path):
    path = tmp_path / "长.csv"
    path.write_text("姓名,性别\n" + "王芳,女\n" * 400, encoding="utf-8")
    _refused(path, "超过 300 行", limits=Limits(max_data_rows=300))


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_too_many_sheets_are_refused(tmp_path, kind):
    titles = [f"表{n}" for n in range(12)]
    path = tmp_path / f"多表.{kind}"
    if kind == "xlsx":
        workbook = openpyxl.Workbook()
        workbook.active.title = titles[0]
        for title in titles[1:]:
            workbook.create_sheet(title)
        workbook.save(path)
    elif kind == "xls":
        path.write_bytes(xls_workbook({t: [["姓名"]] for t in titles}))
    else:
        tables = "".join(
            f'<table:table table:name="{t}"><table:table-row>{_text_cell("姓名")}'
            "</table:table-row></table:table>"
            for t in titles
        )
        _ods(path, tables)
    _refused(path, "工作表超过 10 个", limits=Limits(max_sheets=10))


# ------------------------------------------------------------------- broken or odd content

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
def test_billion_laughs_is_refused_quickly(good, part):
    # The reader's XML parser expands no declared entities: the file is simply unreadable.
    hostile = _rewrite(good, {part: BILLION_LAUGHS})
    started = time.monotonic()
    with pytest.raises(RosterFileError) as caught:
        read_roster(hostile)
    assert time.monotonic() - started < 5
    assert "hostile.xlsx" in caught.value.message


def test_broken_xml_is_refused(good):
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"})
    _refused(hostile, "无法按 Excel 工作簿读取")


# --------------------------------------------------------------------------- compound files


@pytest.mark.parametrize("name", ["名册.xlsx", "名册.xls", "名册.XLSX"])
def test_a_password_protected_workbook_asks_for_its_password(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(encrypted_workbook())
    message = _refused(path, "有密码保护，请输入打开密码")
    assert "损坏" not in message
    with pytest.raises(PasswordRequired) as caught:
        read_workbook_rows(path)
    assert not isinstance(caught.value, WrongPassword)
    assert isinstance(caught.value, EncryptedWorkbookError)  # what callers caught before


def test_a_damaged_encryption_header_is_not_called_a_wrong_password(tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(encrypted_workbook())  # its encryption XML is empty
    with pytest.raises(XlsxFileError) as caught:
        read_workbook_rows(path, password="123456")
    assert not isinstance(caught.value, PasswordRequired)
    assert "加密信息已损坏" in caught.value.message and "名册.xlsx" in caught.value.message


def test_an_encryption_header_declaring_entities_is_refused(tmp_path):
    data = encrypted_workbook().replace(
        b'<?xml version="1.0"?><encryption/>', b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'
    )
    path = tmp_path / "名册.xlsx"
    path.write_bytes(data)
    with pytest.raises(XlsxFileError) as caught:
        read_workbook_rows(path, password="123456")
    assert "内部结构异常" in caught.value.message


def test_a_compound_file_without_a_workbook(tmp_path):
    from ole_samples import compound_file

    data = compound_file([("WordDocument", bytes(4096))])
    (tmp_path / "通知.xls").write_bytes(data)
    _refused(tmp_path / "通知.xls", "Word 文档")
    (tmp_path / "表格.et").write_bytes(compound_file([("Other", bytes(4096))]))
    _refused(tmp_path / "表格.et", "WPS 表格专用格式")


def test_an_excel_97_container_without_sheets_is_an_empty_workbook(tmp_path):
    path = tmp_path / "空.xlsx"
    path.write_bytes(legacy_workbook())  # BOF, then nothing: no sheet at all
    book = read_workbook_rows(path)
    assert (book.kind, book.sheets) == ("xls", [])
    _refused(path, "工作簿是空的")


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
@pytest.mark.parametrize("sample", [encrypted_workbook, lambda: xls_workbook({"表": [["姓名"]]})])
def test_a_damaged_compound_file_is_refused_quickly_without_a_crash(tmp_path, damage, sample):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(damage(sample()))
    started = time.monotonic()
    try:
        read_workbook_rows(path)  # some damage leaves a readable workbook
    except XlsxFileError as exc:
        assert "名册.xlsx" in exc.message
    assert time.monotonic() - started < 2


def test_a_damaged_compound_file_is_called_damaged(tmp_path):
    path = tmp_path / "名册.xls"
    path.write_bytes(xls_workbook({"表": [["姓名"]]})[:600])
    _refused(path, "损坏")


def test_guards_see_the_bytes_the_reader_reads(good, monkeypatch):
    # The file is read once: what is checked is what calamine gets, even if it changes after.
    import python_calamine

    seen = []
    real = python_calamine.CalamineWorkbook.from_filelike

    def spy(handle, *args, **kwargs):
        seen.append(handle)
        return real(handle, *args, **kwargs)

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", spy)
    read_workbook_rows(good)
    assert len(seen) == 1 and isinstance(seen[0], io.BytesIO)


def test_an_xls_reader_gets_the_scanned_stream_in_a_fresh_container(tmp_path, monkeypatch):
    # The reader parses compound files its own way; it is handed one holding only the bytes
    # that were scanned, so no trick of sectors or directory can show it something else.
    import olefile
    import python_calamine

    seen = []
    real = python_calamine.CalamineWorkbook.from_filelike

    def spy(handle, *args, **kwargs):
        seen.append(handle.getvalue())
        return real(handle, *args, **kwargs)

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", spy)
    original = xls_workbook({"名册": [["姓名", "性别"], ["王芳", "女"]]})
    path = tmp_path / "名册.xls"
    path.write_bytes(original)
    assert read_workbook_rows(path).sheets[0].rows[1] == (2, ("王芳", "女"))
    with olefile.OleFileIO(io.BytesIO(seen[0])) as given:
        assert given.listdir() == [["Workbook"]]
        assert given.openstream("Workbook").read() == workbook_stream(original).ljust(4096, b"\0")


def test_a_sheet_stored_where_only_the_relationships_point_is_scanned_too(good, tmp_path):
    with zipfile.ZipFile(good) as source:
        entries = {n: source.read(n) for n in source.namelist()}
    far = HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    del entries["xl/worksheets/sheet1.xml"]
    entries["xl/media/data.bin"] = _sheet_xml(far)
    entries["xl/_rels/workbook.xml.rels"] = entries["xl/_rels/workbook.xml.rels"].replace(
        b"worksheets/sheet1.xml", b"media/data.bin"
    )
    path = tmp_path / "藏起来.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries.items():
            out.writestr(name, data)
    _refused(path, "数据区域过大")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"xl/workbook.bin": b"\0" * 16}, ".xlsb"),  # calamine would try it as xlsb
        ({"content.xml": b"<office:document-content/>"}, "两种表格格式"),  # or as ods
    ],
)
def test_a_zip_the_reader_could_take_two_ways_is_refused(good, extra, expected):
    _refused(_rewrite(good, {}, extra), expected)


@capped
def test_a_shared_string_table_declaring_billions_of_strings_is_refused_without_a_crash(good):
    # The reader reserves room for the declared count first (measured: 96 GB, then an abort).
    shared = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        b'main" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    )
    with zipfile.ZipFile(good) as source:
        present = "xl/sharedStrings.xml" in source.namelist()
    if present:
        hostile = _rewrite(good, {"xl/sharedStrings.xml": shared})
    else:
        hostile = _rewrite(good, {}, {"xl/sharedStrings.xml": shared})
        _add_shared_strings_relationship(hostile)
    assert "声明的数量异常" in _read_capped(hostile)["refused"]


def test_the_xls_shared_string_table_is_walked_across_continue_records():
    from branchdesk.reports.xlsx_safety import _sst_sizes

    rows = [[f"党员{i:05d}" + "甲乙丙丁" * (i % 7), f"note{i}" * (i % 5)] for i in range(3000)]
    stream = workbook_stream(xls_workbook({"名册": rows}))
    assert sum(1 for kind, _o, _n in biff_records(stream) if kind == 0x003C) > 10
    unique = list(dict.fromkeys(v for row in rows for v in row if v))
    sizes, beyond = _sst_sizes(stream)
    assert beyond == 0  # read to its end
    assert list(sizes) == [3 * len(text) for text in unique]


FAR = '<c r="XFD1048576"><v>1</v></c>'


@pytest.mark.parametrize(
    "trick",
    [
        # A CDATA section holding an open quote: a pattern over tags runs on past the far cell.
        '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[<c x="]]></t></is></c>'
        + FAR
        + '<c r="B2" t="inlineStr"><is><t>"</t></is></c></row>',
        # A single-quoted attribute holding a harmless-looking r="A1".
        "<row r=\"2\"><c x=' r=\"A1\"' r=\"XFD1048576\"><v>1</v></c></row>",
        # A comment, then the far cell more than a megabyte further on (read in pieces).
        '<!-- ok --><row r="2"><c r="A2" t="inlineStr"><is><t>'
        + "'s " + _incompressible_text(400_000)
        + "</t></is></c>"
        + FAR
        + "</row>",
    ],
)
def test_tricks_that_fool_a_pattern_do_not_fool_the_xml_walk(good, trick):
    hostile = _rewrite(good, {"xl/worksheets/sheet1.xml": _sheet_xml(HEADER_ROW + trick)})
    _refused(hostile, "数据区域过大")


def test_a_sheet_declaring_a_document_type_is_refused(good):
    xml = _sheet_xml(HEADER_ROW).replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet', 1)
    _refused(_rewrite(good, {"xl/worksheets/sheet1.xml": xml}), "文档类型声明")
