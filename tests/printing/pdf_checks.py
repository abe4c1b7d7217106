"""Read printed PDFs the way a person checks them: pages, size, words, fonts."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

# Names that fonts and printers get wrong: rare characters and minority names with “·”.
RARE_NAMES = ["王堃", "李喆", "赵玥", "刘犇", "阿依古丽·买买提", "买买提·艾力"]
_SURNAMES = "陈张杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢"
_GIVEN = [
    "建国",
    "秀英",
    "志强",
    "丽华",
    "海燕",
    "文斌",
    "雨萱",
    "晨阳",
    "国庆",
    "玉兰",
    "德胜",
    "一鸣",
]


def member_names(count: int) -> list[str]:
    """``count`` distinct names, none inside another, the rare ones first."""
    names = list(RARE_NAMES)
    for surname in _SURNAMES:
        for given in _GIVEN:
            names.append(surname + given)
    assert count <= len(names)
    return names[:count]


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def page_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def assert_a4(path: Path) -> None:
    for page in PdfReader(str(path)).pages:
        assert abs(float(page.mediabox.width) - 595.3) < 1.5
        assert abs(float(page.mediabox.height) - 841.9) < 1.5


def base_fonts(path: Path) -> set[str]:
    fonts = set()
    for page in PdfReader(str(path)).pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.add(str(ref.get_object()["/BaseFont"]))
    return fonts


def assert_clean_text(pages: list[str]) -> None:
    """No missing glyphs (``\\x00`` or U+FFFD) and the bundled font, embedded."""
    for text in pages:
        assert "\x00" not in text and "\ufffd" not in text
