"""Read back what a PDF written by Qt says: its fonts and its text.

The self-test runs inside the frozen bundle, where no PDF library is shipped, and must still
prove that a printed sign-in sheet carries readable Chinese (the bundled font embedded, the
names extractable) rather than empty boxes. Qt's ``QPdfWriter`` writes every font as a
Type0 font with ``Identity-H`` encoding and a ``ToUnicode`` map, and its text as hex glyph
strings (``<0001> Tj``) in Flate-compressed content streams; that is all this reader
understands. It is not a general PDF parser.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_REF = rb"(\d+) 0 R"


@dataclass(frozen=True)
class PdfContent:
    fonts: frozenset[str]  # base font names, subset tags removed
    text: str  # every shown string, in drawing order, glyph runs joined without spaces


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(num): body for num, body in _OBJECT.findall(data)}


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if match is None:
        return b""
    raw = match.group(1)
    if b"/FlateDecode" in body[: match.start()]:
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return b""
    return raw


def _unicode_map(cmap: bytes) -> dict[int, str]:
    """Glyph id -> text, from a ToUnicode CMap's bfchar and bfrange sections."""
    mapping: dict[int, str] = {}

    def text(hexdigits: bytes) -> str:
        return bytes.fromhex(hexdigits.decode()).decode("utf-16-be", "replace")

    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            mapping[int(src, 16)] = text(dst)
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        # <lo> <hi> <first>  (consecutive code points)  or  <lo> <hi> [<a> <b> ...]
        for lo, hi, dst, listed in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(?:<([0-9A-Fa-f]+)>|\[([^\]]*)\])", section
        ):
            glyphs = range(int(lo, 16), int(hi, 16) + 1)
            if listed:
                for glyph, item in zip(glyphs, re.findall(rb"<([0-9A-Fa-f]+)>", listed), strict=False):
                    mapping[glyph] = text(item)
            else:
                start = ord(text(dst)[0])
                for offset, glyph in enumerate(glyphs):
                    mapping[glyph] = chr(start + offset)
    return mapping


def read_pdf(data: bytes) -> PdfContent:
    """The fonts a Qt-written PDF uses and the text it shows."""
    objects = _objects(data)
    fonts: set[str] = set()
    maps: dict[int, dict[int, str]] = {}  # font object number -> glyph map
    for num, body in objects.items():
        if b"/Type /Font" not in body and b"/Type/Font" not in body:
            continue
        base = re.search(rb"/BaseFont\s*/([^\s/<>\[\]]+)", body)
        if base:
            fonts.add(base.group(1).decode("latin-1").split("+")[-1])
        to_unicode = re.search(rb"/ToUnicode\s+" + _REF, body)
        if to_unicode:
            maps[num] = _unicode_map(_stream(objects.get(int(to_unicode.group(1)), b"")))
    pieces: list[str] = []
    for body in objects.values():
        contents = re.search(rb"/Contents\s+" + _REF, body)
        if not re.search(rb"/Type\s*/Page\b", body) or contents is None:
            continue
        indirect = re.search(rb"/Resources\s+" + _REF, body)
        if indirect:
            body = objects.get(int(indirect.group(1)), b"")
        resources = re.search(rb"/Font\s*<<(.*?)>>", body, re.S)
        if resources is None:
            continue
        by_name = {
            name: maps.get(int(ref), {})
            for name, ref in re.findall(rb"/(\w+)\s+" + _REF, resources.group(1))
        }
        current: dict[int, str] = {}
        stream = _stream(objects.get(int(contents.group(1)), b""))
        for font, hexdigits in re.findall(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj", stream):
            if font:
                current = by_name.get(font, {})
                continue
            for i in range(0, len(hexdigits) - 3, 4):
                pieces.append(current.get(int(hexdigits[i : i + 4], 16), "\ufffd"))
    return PdfContent(frozenset(fonts), "".join(pieces))
