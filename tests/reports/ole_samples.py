"""Compound files (OLE2, MS-CFB version 3) built byte by byte, as Excel writes them.

A password-protected workbook, whether named .xlsx or .xls, is such a file holding an
``EncryptionInfo`` and an ``EncryptedPackage`` stream; an Excel 97-2003 workbook holds a
``Workbook`` stream. Only the container matters to the reader, so the stream contents here
are filler of the right size. Genuine Excel 97-2003 workbooks are written with xlwt, and
an encrypted .xlsx with msoffcrypto-tool, as Excel encrypts it.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from typing import Any

SECTOR = 512
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _entry(
    name: str,
    kind: int,
    *,
    right: int = NOSTREAM,
    child: int = NOSTREAM,
    start: int = ENDOFCHAIN,
    size: int = 0,
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)  # length, type, black
        + struct.pack("<III", NOSTREAM, right, child)  # left sibling, right sibling, child
        + bytes(16 + 4 + 8 + 8)  # CLSID, state bits, creation and modified times
        + struct.pack("<IQ", start, size)
    )


def compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    """A compound file whose root holds ``streams`` (each at least 4096 bytes, so in the FAT).

    The names must be given shortest first: siblings form a right-leaning chain, which is
    a valid red-black tree only in the spec's order (by length, then case-blind).
    """
    assert len(streams) <= 3 and all(len(data) >= 4096 for _name, data in streams)
    fat = [FATSECT, ENDOFCHAIN]  # sector 0: this FAT, sector 1: the directory
    starts, body = [], b""
    for _name, data in streams:
        count = -(-len(data) // SECTOR)
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
        body += data.ljust(count * SECTOR, b"\0")
    assert len(fat) <= SECTOR // 4
    fat += [FREESECT] * (SECTOR // 4 - len(fat))
    header = (
        MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # minor, major 3, byte order, shifts
        + bytes(6)
        + struct.pack(
            "<IIIIIIIII",
            0,  # directory sectors (always 0 in version 3)
            1,  # FAT sectors
            1,  # first directory sector
            0,  # transaction signature
            4096,  # mini stream cutoff
            ENDOFCHAIN,  # first mini FAT sector
            0,  # mini FAT sectors
            ENDOFCHAIN,  # first DIFAT sector
            0,  # DIFAT sectors
        )
        + struct.pack("<109I", 0, *[FREESECT] * 108)
    )
    assert len(header) == SECTOR
    entries = [_entry("Root Entry", 5, child=1)]
    for index, ((name, data), start) in enumerate(zip(streams, starts, strict=True), start=1):
        right = index + 1 if index < len(streams) else NOSTREAM
        entries.append(_entry(name, 2, right=right, start=start, size=len(data)))
    unused = struct.pack("<64xHBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM).ljust(128, b"\0")
    entries += [unused] * (4 - len(entries))
    directory = b"".join(entries)
    assert len(directory) == SECTOR
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + body


def encrypted_workbook() -> bytes:
    """What Excel writes for a workbook saved with a password (agile encryption)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 6000) + bytes(range(256)) * 24
    return compound_file(
        [("EncryptionInfo", info.ljust(4096, b"\0")), ("EncryptedPackage", package)]
    )


def legacy_workbook() -> bytes:
    """An unprotected Excel 97-2003 workbook's container (BIFF8 in a ``Workbook`` stream)."""
    bof = struct.pack("<HHHH", 0x0809, 16, 0x0600, 0x0005) + bytes(12)
    return compound_file([("Workbook", bof.ljust(4096, b"\0"))])


# ------------------------------------------------------------- genuine Excel 97-2003 files

XLS_DATE = "yyyy-mm-dd"


def xls_workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A real .xls as Excel 97-2003 writes it (BIFF8, through xlwt); dates get a date format."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str=XLS_DATE)
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_stream(data: bytes) -> bytes:
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        return ole.openstream("Workbook").read()


def with_workbook_stream(data: bytes, stream: bytes) -> bytes:
    """The same compound file with its Workbook stream replaced by one of the same size."""
    import olefile

    buffer = io.BytesIO(data)
    ole = olefile.OleFileIO(buffer, write_mode=True)
    ole.write_stream("Workbook", stream)
    ole.close()
    return buffer.getvalue()


def biff_records(stream: bytes) -> list[tuple[int, int, int]]:
    """(type, offset of the record header, data length) of every record in a BIFF stream."""
    records, position = [], 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        records.append((kind, position, length))
        position += 4 + length
    return records


def encrypted_xlsx(plain: bytes, password: str) -> bytes:
    """An .xlsx encrypted as Excel does it for 用密码进行加密 (ECMA-376 agile encryption)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    return out.getvalue()


def rc4_encrypted_xls(plain: bytes, password: str) -> bytes:
    """An .xls encrypted as Excel 2003 and later do by default (RC4 CryptoAPI, 128-bit).

    RC4 is a stream cipher, so msoffcrypto's decryption applied to the plain records (with
    a FilePass record inserted after the first BOF) is their encryption; the FilePass that
    the decryption blanks is then put back.
    """
    from hashlib import sha1

    from cryptography.hazmat.primitives.ciphers import Cipher

    try:
        from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
    except ImportError:  # cryptography < 43
        from cryptography.hazmat.primitives.ciphers.algorithms import ARC4
    from msoffcrypto.format.xls97 import Xls97File
    from msoffcrypto.method.rc4_cryptoapi import _makekey

    salt, verifier = bytes(range(16)), bytes(range(16, 32))
    encryptor = Cipher(ARC4(_makekey(password, salt, 128, 0)), mode=None).encryptor()
    encrypted_verifier = encryptor.update(verifier)
    encrypted_hash = encryptor.update(sha1(verifier).digest())
    csp = "Microsoft Enhanced Cryptographic Provider v1.0\0".encode("utf-16-le")
    header = struct.pack("<8I", 0x04, 0, 0x6801, 0x8004, 128, 1, 0, 0) + csp
    body = (
        struct.pack("<HHHII", 1, 2, 2, 0x04, len(header))  # RC4, CryptoAPI version 2.2
        + header
        + struct.pack("<I", 16)
        + salt
        + encrypted_verifier
        + struct.pack("<I", 20)
        + encrypted_hash
    )
    filepass = struct.pack("<HH", 0x002F, len(body)) + body

    stream = workbook_stream(plain)
    last_eof = max(o for kind, o, _n in biff_records(stream) if kind == 0x000A)
    stream = stream[: last_eof + 4]  # xlwt pads the stream with zeros, not with records
    first_length = struct.unpack_from("<H", stream, 2)[0]
    cut = 4 + first_length
    stream = bytearray(stream[:cut] + filepass + stream[cut:])
    for kind, offset, _length in biff_records(bytes(stream)):
        if kind == 0x0085:  # BoundSheet8: where each sheet starts moved by the FilePass
            position = struct.unpack_from("<I", stream, offset + 4)[0]
            struct.pack_into("<I", stream, offset + 4, position + len(filepass))
    padding = max(4096 - len(stream), 0)
    stream += bytes(padding + -padding % 4)  # empty records, whole ones, to reach 4096 bytes
    container = compound_file([("Workbook", bytes(stream))])
    office = Xls97File(io.BytesIO(container))
    office.load_key(password=password)
    out = io.BytesIO()
    office.decrypt(out)
    encrypted = bytearray(workbook_stream(out.getvalue()))
    encrypted[cut : cut + len(filepass)] = filepass
    return with_workbook_stream(out.getvalue(), bytes(encrypted))
