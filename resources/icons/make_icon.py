"""Draw the BranchDesk application icon: a red rounded square with a white 支.

Run from the repository root to regenerate ``branchdesk.png`` (256 px) and
``branchdesk.ico`` (16-256 px, PNG-compressed entries):

    QT_QPA_PLATFORM=offscreen python resources/icons/make_icon.py

The glyph comes from the bundled WenQuanYi Micro Hei font, so the output is the same
on every machine. The ICO container is written here rather than through Qt's ico
plugin, whose presence and entry sizes vary between Qt builds.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "wqy-microhei.ttc"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
RED = QColor("#C0161B")  # close to the party flag's red, a little darker for contrast
WHITE = QColor("#FFFFFF")
GOLD = QColor("#F5C518")


def draw(size: int, family: str) -> QImage:
    """Return the icon drawn at ``size`` x ``size`` pixels."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    margin = max(1.0, size / 32)
    box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    radius = box.width() * 0.18
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(RED)
    painter.drawRoundedRect(box, radius, radius)
    if size >= 32:  # a thin gold rule under the glyph, dropped where it would blur
        rule = QRectF(
            box.left() + box.width() * 0.22,
            box.bottom() - box.height() * 0.16,
            box.width() * 0.56,
            max(1.0, size / 40),
        )
        painter.setBrush(GOLD)
        painter.drawRect(rule)
    font = QFont(family)
    font.setPixelSize(round(box.height() * (0.72 if size >= 32 else 0.8)))
    font.setBold(size >= 24)
    painter.setFont(font)
    painter.setPen(WHITE)
    text_box = QRectF(box)
    if size >= 32:
        text_box.setBottom(box.bottom() - box.height() * 0.1)
    painter.drawText(text_box, Qt.AlignmentFlag.AlignCenter, "支")
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: list[bytes], sizes: tuple[int, ...]) -> bytes:
    """Pack PNG images into an ICO file (ICONDIR + ICONDIRENTRY table + PNG payloads)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, data in zip(sizes, images, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(images)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0], "-platform", "offscreen"])
    font_id = QFontDatabase.addApplicationFont(str(FONT))
    if font_id < 0:
        sys.stderr.write(f"cannot load {FONT}\n")
        return 1
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    (HERE / "branchdesk.png").write_bytes(png_bytes(draw(256, family)))
    pngs = [png_bytes(draw(size, family)) for size in ICO_SIZES]
    (HERE / "branchdesk.ico").write_bytes(ico_bytes(pngs, ICO_SIZES))
    print(f"wrote {HERE / 'branchdesk.png'} and {HERE / 'branchdesk.ico'}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
