"""A page whose records arrive in a later version: says so plainly, shows nothing invented."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PendingPage(QWidget):
    def __init__(self, title: str, what: str) -> None:
        super().__init__()
        self.setObjectName(f"pending_{title}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 22px; font-weight: 600;")
        layout.addWidget(heading)
        body = QLabel(
            f"{what}将在这里登记和查看。\n\n本版本尚未提供这一功能；目前可以在“党员”页维护花名册。"
        )
        body.setWordWrap(True)
        body.setStyleSheet("font-size: 15px; color: #555;")
        body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(body)
        layout.addStretch(1)
