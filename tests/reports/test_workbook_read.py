"""The files branches really have are read by what they contain, not by their names."""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from ole_samples import encrypted_xlsx, rc4_encrypted_xls, xls_workbook
from roster_samples import (
    MESSY_ADDED_NAMES,
    WANG_FANG_ID,
    wps_xlsx,
    write_messy_roster,
    write_roster,
)

from branchdesk.reports.roster_import import read_roster
from branchdesk.reports.workbook_read import FILE_PATTERNS, KINDS, read_sheet, read_workbook_rows
from branchdesk.reports.xlsx_safety import PasswordRequired, WrongPassword, XlsxFileError

ROSTER = [
    ["姓名", "性别", "身份证号", "入党时间", "序号"],
    ["王芳", "女", WANG_FANG_ID, dt.date(2015, 7, 1), 1],
    ["李华", "女", "11010519491231002X", dt.date(1972, 3, 15), 2],
]


def _plain_rows(book) -> list[tuple[int, tuple]]:
    return [(n, tuple(v.date() if isinstance(v, dt.datetime) else v for v in values))
            for n, values in book.sheets[0].rows]  # fmt: skip


def _messy_as_read(tmp_path: Path):
    return read_workbook_rows(write_messy_roster(tmp_path / "原表.xlsx"))


# ---------------------------------------------------------------------------- Excel 97-2003


def test_a_genuine_xls_is_read_with_types_kept(tmp_path):
    path = tmp_path / "花名册.xls"
    path.write_bytes(xls_workbook({"党员": ROSTER, "说明": [["注：本表信息截至2026年11月30日"]]}))
    book = read_workbook_rows(path)
    assert book.kind == "xls" and not book.date1904
    assert [s.title for s in book.sheets] == ["党员", "说明"]
    assert _plain_rows(book) == [
        (1, ("姓名", "性别", "身份证号", "入党时间", "序号")),
        (2, ("王芳", "女", WANG_FANG_ID, dt.date(2015, 7, 1), 1)),
        (3, ("李华", "女", "11010519491231002X", dt.date(1972, 3, 15), 2)),
    ]
    assert isinstance(book.sheets[0].rows[1][1][4], int)  # 1, not 1.0
    assert book.sheets[1].rows == [(1, ("注：本表信息截至2026年11月30日",))]


def test_the_messy_roster_saved_as_xls_imports_exactly_as_the_xlsx(tmp_path):
    original = _messy_as_read(tmp_path)
    grid: list[list] = []
    for number, values in original.sheets[0].rows:
        grid += [[] for _ in range(number - len(grid))]
        grid[number - 1] = [v.date() if isinstance(v, dt.datetime) else v for v in values]
    path = tmp_path / "花名册.xls"
    path.write_bytes(xls_workbook({"花名册": grid}))
    from_xls, from_xlsx = read_roster(path), read_roster(tmp_path / "原表.xlsx")
    assert [r.member.name for r in from_xls.rows] == [r.member.name for r in from_xlsx.rows]
    assert [r.member for r in from_xls.rows] == [r.member for r in from_xlsx.rows]
    assert set(MESSY_ADDED_NAMES) <= {r.member.name for r in from_xls.rows}


@pytest.mark.parametrize("name", ["花名册.xlsx", "花名册.et", "花名册.XLS"])
def test_an_xls_under_another_name_is_read_as_xls(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(xls_workbook({"党员": ROSTER}))
    book = read_workbook_rows(path)
    assert book.kind == "xls"
    assert book.sheets[0].rows[1][1][0] == "王芳"


@pytest.mark.parametrize("name", ["花名册.xls", "花名册.et", "花名册.xlsm", "花名册"])
def test_an_xlsx_under_another_name_is_read_as_xlsx(tmp_path, name):
    source = write_roster(tmp_path / "source.xlsx", [ROSTER[1][:4]], header=ROSTER[0][:4])
    path = tmp_path / name
    path.write_bytes(source.read_bytes())
    book = read_workbook_rows(path)
    assert book.kind == "xlsx"
    assert _plain_rows(book)[1] == (2, ("王芳", "女", WANG_FANG_ID, dt.date(2015, 7, 1)))
    parsed = read_roster(path)
    assert [r.member.name for r in parsed.rows] == ["王芳"]


# ----------------------------------------------------------------------------------- xlsx


def test_xlsx_values_come_back_as_the_importer_expects(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "序号", "身份证号", "入党时间", "转正时间", "时间", "空白", "比例", "是否"])
    sheet.append(
        ["王芳", 7, 110101199001011234, dt.datetime(2015, 7, 1), dt.datetime(2016, 7, 1, 9, 30),
         dt.time(9, 30), "   ", 0.5, True]
    )  # fmt: skip
    sheet["E2"].number_format = "yyyy-mm-dd hh:mm"
    path = tmp_path / "类型.xlsx"
    workbook.save(path)
    values = read_workbook_rows(path).sheets[0].rows[1][1]
    assert values[0] == "王芳"
    assert values[1] == 7 and isinstance(values[1], int)
    # An ID number typed as a number stays a number (Excel has rounded it): never stringified.
    assert isinstance(values[2], float) and values[2] == pytest.approx(1.10101199001e17)
    assert values[3] == dt.date(2015, 7, 1)
    assert values[4] == dt.datetime(2016, 7, 1, 9, 30)
    assert values[5] == "09:30:00"  # a bare time stays text
    assert values[6] is None  # blank text is no value
    assert values[7] == 0.5 and values[8] is True


def test_one_sheet_is_read_as_the_whole_workbook_reads_it(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "封面"
    workbook.active["A1"] = "报表"
    for title in ("数据", "附表"):
        sheet = workbook.create_sheet(title)
        sheet.append(["键", "值"])
        sheet.append([f"{title}.人数", 12])
        sheet.append([None, None])
        sheet.append([f"{title}.时长", 3.5])
    workbook["数据"].sheet_state = "hidden"
    path = tmp_path / "多表.xlsx"
    workbook.save(path)
    whole = {sheet.title: sheet.rows for sheet in read_workbook_rows(path).sheets}
    one = read_sheet(path, "数据")
    assert one is not None and one.title == "数据"
    assert one.rows == whole["数据"] == [(1, ("键", "值")), (2, ("数据.人数", 12)), (4, ("数据.时长", 3.5))]
    assert read_sheet(path, "附表").rows == whole["附表"]
    assert read_sheet(path, "没有这张表") is None
    # Not an xlsx: read whole, then the sheet picked (a csv's one sheet is named after it).
    csv_path = tmp_path / "名单.csv"
    csv_path.write_text("键,值\n人数,12\n", encoding="utf-8")
    assert read_sheet(csv_path, "名单").rows == [(1, ("键", "值")), (2, ("人数", "12"))]


def test_date1904_workbooks_say_so(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    workbook.active.append(["姓名", "入党时间"])
    workbook.active.append(["王芳", 40000])  # a bare serial number: the importer converts it
    path = tmp_path / "mac.xlsx"
    workbook.save(path)
    assert read_workbook_rows(path).date1904 is True
    assert read_workbook_rows(write_roster(tmp_path / "w.xlsx", [])).date1904 is False


def test_a_wps_saved_workbook_is_read(tmp_path):
    path = wps_xlsx(
        tmp_path / "WPS名册.xlsx",
        "党员名单",
        [["姓名", "性别", "民族", "身份证号"], ["王芳", "女", "汉族", WANG_FANG_ID],
         ["李华", "女", "回族", "11010519491231002X"]],
        numbered=True,
    )  # fmt: skip
    book = read_workbook_rows(path)
    assert book.kind == "xlsx"
    assert book.sheets[0].title == "党员名单"
    assert book.sheets[0].rows[1] == (2, ("王芳", "女", "汉族", WANG_FANG_ID, 1))
    assert [r.member.name for r in read_roster(path).rows] == ["王芳", "李华"]


# ------------------------------------------------------------------------------------ ods


def test_an_ods_is_read(tmp_path):
    def cell(text: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'

    table = (
        '<table:table table:name="党员">'
        "<table:table-row>" + "".join(cell(t) for t in ROSTER[0]) + "</table:table-row>"
        "<table:table-row>" + cell("王芳") + cell("女") + cell(WANG_FANG_ID)
        + '<table:table-cell office:value-type="date" office:date-value="2015-07-01">'
        "<text:p>2015-07-01</text:p></table:table-cell>"
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{table}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    path = tmp_path / "花名册.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            'spreadsheet"/></manifest:manifest>',
        )
    book = read_workbook_rows(path)
    assert book.kind == "ods"
    assert _plain_rows(book)[1] == (2, ("王芳", "女", WANG_FANG_ID, dt.date(2015, 7, 1), 1))


# ------------------------------------------------------------------------------------ csv

CSV_ROWS = [("姓名", "性别", "身份证号"), ("王芳", "女", WANG_FANG_ID), ("李华", "女", "11010519491231002X")]


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("名册.csv", "utf-8", ","),
        ("名册.csv", "utf-8-sig", ","),  # Excel's “CSV UTF-8”
        ("名册.csv", "gbk", ","),  # Chinese Excel's plain “CSV”
        ("名册.txt", "gb18030", "\t"),  # “文本文件（制表符分隔）”
        ("名册.txt", "utf-16", "\t"),  # “Unicode 文本”
        ("名册.csv", "utf-8", ";"),
        ("名册.xlsx", "gbk", ","),  # text under a workbook's name is still text
    ],
)
def test_csv_and_text_are_read_in_the_encodings_chinese_excel_saves(tmp_path, name, encoding, delimiter):
    path = tmp_path / name
    text = "\r\n".join(delimiter.join(row) for row in CSV_ROWS) + "\r\n"
    path.write_bytes(text.encode(encoding))
    book = read_workbook_rows(path)
    assert book.kind == "csv" and book.sheets[0].title == "名册"
    assert book.sheets[0].rows == [(n, row) for n, row in enumerate(CSV_ROWS, start=1)]


def test_csv_cells_are_text_with_blanks_dropped_and_excel_text_formulas_unwrapped(tmp_path):
    path = tmp_path / "名册.csv"
    path.write_text(
        f'姓名,身份证号,备注\n王芳,="{WANG_FANG_ID}","支部委员, 宣传"\n,,\n'
        '李华,"11010519491231002X", \n赵磊\n',
        encoding="utf-8",
    )
    rows = read_workbook_rows(path).sheets[0].rows
    assert rows == [
        (1, ("姓名", "身份证号", "备注")),
        (2, ("王芳", WANG_FANG_ID, "支部委员, 宣传")),
        (4, ("李华", "11010519491231002X", None)),
        (5, ("赵磊", None, None)),  # a short line is padded to the sheet's width
    ]
    parsed = read_roster(path)
    assert [(r.member.name, r.member.id_number) for r in parsed.rows] == [
        ("王芳", WANG_FANG_ID),
        ("李华", "11010519491231002X"),
        ("赵磊", ""),
    ]


def test_undecodable_bytes_are_not_taken_for_text(tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes(b"\x81\xff\xfe\x00\x01\x02" * 100)
    with pytest.raises(XlsxFileError) as caught:
        read_workbook_rows(path)
    assert "不是表格文件" in caught.value.message and "名册.csv" in caught.value.message


# ----------------------------------------------------------------------------- passwords


@pytest.fixture
def locked(tmp_path):
    plain = write_roster(tmp_path / "plain.xlsx", [ROSTER[1][:4]], header=ROSTER[0][:4])
    path = tmp_path / "加密名册.xlsx"
    path.write_bytes(encrypted_xlsx(plain.read_bytes(), "党支部2026"))
    plain.unlink()
    return path


def test_an_encrypted_workbook_without_a_password_asks_for_one(locked):
    with pytest.raises(PasswordRequired) as caught:
        read_workbook_rows(locked)
    assert not isinstance(caught.value, WrongPassword)
    assert caught.value.message == "“加密名册.xlsx”有密码保护，请输入打开密码。"


@pytest.mark.parametrize("wrong", ["", "党支部2025", "党支部2026 "])
def test_a_wrong_password_is_told_so(locked, wrong):
    with pytest.raises(WrongPassword) as caught:
        read_workbook_rows(locked, password=wrong)
    assert "加密名册.xlsx" in caught.value.message and "密码不正确" in caught.value.message


@contextlib.contextmanager
def _nothing_written(monkeypatch):
    """Fail on any file opened for writing or any temporary file made inside the block."""
    real_open = builtins.open

    def no_writes(file, mode="r", *args, **kwargs):
        assert not any(flag in mode for flag in "wax+"), f"wrote {file} while decrypting"
        return real_open(file, mode, *args, **kwargs)

    def no_temp_files(*args, **kwargs):
        raise AssertionError("a temporary file was made while decrypting")

    real_os_open = os.open

    def no_os_writes(path, flags, *args, **kwargs):
        written = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND
        assert not flags & written, f"wrote {path} while decrypting"
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_writes)
    monkeypatch.setattr(io, "open", no_writes)
    monkeypatch.setattr(os, "open", no_os_writes)
    for name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp", "SpooledTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_temp_files)
    yield
    monkeypatch.undo()


def test_the_right_password_opens_it_in_memory_only(locked, monkeypatch):
    with _nothing_written(monkeypatch):
        book = read_workbook_rows(locked, password="党支部2026")
    assert book.kind == "xlsx"
    assert _plain_rows(book)[1] == (2, ("王芳", "女", WANG_FANG_ID, dt.date(2015, 7, 1)))


@pytest.fixture
def locked_xls(tmp_path):
    path = tmp_path / "加密名册.xls"
    path.write_bytes(rc4_encrypted_xls(xls_workbook({"党员": ROSTER}), "党支部2026"))
    return path


def test_an_encrypted_xls_asks_for_its_password_and_opens_in_memory(locked_xls, monkeypatch):
    import python_calamine

    with pytest.raises(python_calamine.PasswordError):  # the file really is encrypted
        python_calamine.CalamineWorkbook.from_path(locked_xls)
    with pytest.raises(PasswordRequired) as caught:
        read_workbook_rows(locked_xls)
    assert not isinstance(caught.value, WrongPassword) and "加密名册.xls" in caught.value.message
    with pytest.raises(WrongPassword):
        read_workbook_rows(locked_xls, password="党支部2025")
    with _nothing_written(monkeypatch):
        book = read_workbook_rows(locked_xls, password="党支部2026")
    assert book.kind == "xls"
    assert _plain_rows(book)[1] == (2, ("王芳", "女", WANG_FANG_ID, dt.date(2015, 7, 1), 1))


def test_an_xls_only_protected_against_changes_opens_without_asking(tmp_path):
    # Excel encrypts it with a fixed password that every program knows.
    path = tmp_path / "只读名册.xls"
    path.write_bytes(rc4_encrypted_xls(xls_workbook({"党员": ROSTER}), "VelvetSweatshop"))
    assert read_workbook_rows(path).sheets[0].rows[1][1][0] == "王芳"


def test_the_decrypted_workbook_passes_the_same_guards(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "姓名"
    workbook.active["XFD1048576"] = "远处的一格"
    plain = tmp_path / "plain.xlsx"
    workbook.save(plain)
    path = tmp_path / "加密.xlsx"
    path.write_bytes(encrypted_xlsx(plain.read_bytes(), "123"))
    with pytest.raises(XlsxFileError) as caught:
        read_workbook_rows(path, password="123")
    assert "数据区域过大" in caught.value.message and "加密.xlsx" in caught.value.message


# --------------------------------------------------------------------------------- naming


def test_every_kind_and_file_pattern_is_declared():
    assert KINDS == ("xlsx", "xls", "ods", "csv")
    assert {"*.xlsx", "*.xls", "*.et", "*.ods", "*.csv"} <= set(FILE_PATTERNS)


def test_a_changed_decryption_library_is_refused_rather_than_writing_to_disk(locked_xls, monkeypatch):
    from msoffcrypto.format import xls97

    monkeypatch.delattr(xls97, "tempfile")
    with pytest.raises(XlsxFileError) as caught:
        read_workbook_rows(locked_xls, password="党支部2026")
    assert "无法在内存中解密" in caught.value.message


def test_a_date_shown_to_the_month_only_reads_as_the_month(tmp_path):
    """calamine gives no formats: the styles say which date cells show no day."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["姓名", "入党时间", "转正时间"])
    ws.append(["王芳", dt.date(2016, 7, 1), dt.date(2017, 7, 1)])
    ws["B2"].number_format = 'yyyy"年"m"月"'  # known to the month
    ws["C2"].number_format = 'yyyy"年"m"月"d"日"'  # a real day
    other = wb.create_sheet("另一表")
    other.append([dt.date(2020, 3, 1)])
    wb.save(tmp_path / "m.xlsx")
    book = read_workbook_rows(tmp_path / "m.xlsx")
    assert book.sheets[0].rows[1] == (2, ("王芳", "2016-07", dt.date(2017, 7, 1)))
    assert book.sheets[1].rows[0] == (1, (dt.date(2020, 3, 1),))
