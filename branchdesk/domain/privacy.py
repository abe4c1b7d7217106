"""Masking personal data (身份证号, 联系电话) for lists and for copies that leave the branch."""

from __future__ import annotations


def mask_id_number(id_number: str) -> str:
    """Keep the first 6 and last 4 characters: ``141002********0014``."""
    if len(id_number) <= 10:
        return id_number
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """Hide the middle of a mobile number: ``138****5678``; landlines keep area and last 4."""
    digits = phone.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(phone) > 4:
        head = phone.split("-")[0] + "-" if "-" in phone else ""
        return head + "*" * max(len(phone) - len(head) - 4, 0) + phone[-4:]
    return phone
