"""Cell looks, text and widths of the workbooks BranchDesk writes, read back through openpyxl."""

import unicodedata

import openpyxl
import pytest
from openpyxl import Workbook

from branchdesk.reports import xlsx_style as style


def _width_by_hand(text: str) -> int:
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        for line in (text.splitlines() or [""])
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "张三",
        "张三（出差）、李四",
        "Ａ全角ｂ",
        "“引号”—破折号·",
        "第一行\n第二行很长很长",
        "𠀋字",
        "a\r\nbb",
    ],
)
def test_display_width_counts_wide_characters_twice(text):
    assert style.display_width(text) == _width_by_hand(text)


def test_column_widths_fit_the_widest_value_within_bounds():
    rows = [["序号", "主题"], [1, "短"], [2, "很长的会议主题" * 10], [3, None]]
    assert style.column_widths(rows, minimum=4, maximum=40) == [6, 40]
    assert style.column_widths([["姓名"], ["张三"]], minimum=8) == [8]
    assert style.column_widths([["a\nbbbbbb"]], minimum=1) == [8]


def test_looks_read_back_as_font_alignment_border_and_format(tmp_path):
    wb = Workbook()
    ws = wb.active
    bold = style.write_text(ws, 1, 1, "标题", font=style.HEADER_FONT, alignment=style.CENTER)
    body = style.write_text(ws, 2, 1, "=1+1")
    number = style.write_number(ws, 2, 2, 0.5, number_format="0.0%")
    plain = style.write_text(ws, 3, 1, "无框", border=None, alignment=style.LEFT_NOWRAP)
    style.apply_style(ws.cell(row=3, column=2), style.BODY_FONT, style.CENTER, style.BORDER)
    bold.font = style.BODY_FONT  # changing one cell leaves the others of its look alone
    path = tmp_path / "looks.xlsx"
    wb.save(path)

    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].font.name == "宋体" and not ws["A1"].font.b
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s"
    assert ws["A2"].number_format == "@" and ws["A2"].font.sz == style.BODY_SIZE
    assert ws["A2"].alignment.horizontal == "left" and ws["A2"].alignment.wrap_text
    assert {ws["A2"].border.left.style, ws["A2"].border.bottom.style} == {"thin"}
    assert ws["B2"].number_format == "0.0%" and ws["B2"].alignment.horizontal == "center"
    assert ws["A3"].border.left is None or ws["A3"].border.left.style is None
    assert not ws["A3"].alignment.wrap_text
    assert ws["B3"].border.top.style == "thin" and ws["B3"].value is None
    assert number.font.name == body.font.name == plain.font.name == "宋体"
    names = [s if isinstance(s, str) else s.name for s in openpyxl.load_workbook(path).named_styles]
    assert sum(name.startswith("BranchDesk") for name in names) == 5  # one per look


def test_control_characters_go_and_text_is_capped():
    assert style.clean_text("王五（出差\x07）") == "王五（出差）"
    assert style.clean_text("两行\n文字\t") == "两行\n文字\t"
    assert len(style.clean_text("长" * 40_000)) == style.MAX_CELL_CHARS
    assert style.clean_text(None) == "" and style.clean_text(12) == "12"


def test_line_count_of_wrapped_text():
    assert style.line_count("短", 10) == 1
    assert style.line_count("一二三四五六七八九十", 12) == 2  # 20 units in 10 usable
    assert style.line_count("一\n二\n三", 30) == 3


def test_preloading_imports_every_workbook_module_and_openpyxl():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from branchdesk.reports import preload_workbook_modules\n"
        "assert 'openpyxl' not in sys.modules\n"
        "names = preload_workbook_modules()\n"
        "assert 'openpyxl' in sys.modules and all(n in sys.modules for n in names), names\n"
        "assert 'PySide6' not in sys.modules  # safe in a worker thread\n"
        "print(len(names))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == 5
