"""The self-test's own PDF reader agrees with pypdf on what a printed sign-in sheet says."""

from __future__ import annotations

from pdf_checks import RARE_NAMES, base_fonts, pdf_pages

from branchdesk.printing.pdf import write_pdf
from branchdesk.printing.pdf_text import read_pdf
from branchdesk.printing.signin import SigninDocument, SigninRow, SigninSheet


def _sheet(names: list[str]) -> SigninSheet:
    return SigninSheet(
        branch_name="自检党支部",
        kind_text="主题党日",
        rows=[SigninRow(name=name) for name in names],
        place="党员活动室",
    )


def test_fonts_and_every_name_are_read_back_from_a_two_page_sheet(tmp_path, qapp):
    names = RARE_NAMES + [f"党员{n:03d}" for n in range(60)]
    path = tmp_path / "签到表.pdf"
    pages = write_pdf(SigninDocument(_sheet(names)), path)
    assert pages >= 2
    content = read_pdf(path.read_bytes())
    assert content.fonts == {font.lstrip("/").split("+")[-1] for font in base_fonts(path)}
    assert "WenQuanYiMicroHei" in content.fonts
    for name in names:
        assert name in content.text
    # Nothing the reader could not map: every glyph shown has its character.
    assert "\ufffd" not in content.text
    pypdf_text = "".join(pdf_pages(path)).replace("\n", "").replace(" ", "")
    assert all(name in pypdf_text for name in RARE_NAMES)


def test_text_of_something_that_is_not_a_pdf_is_empty():
    content = read_pdf(b"not a pdf at all")
    assert content.fonts == frozenset() and content.text == ""
