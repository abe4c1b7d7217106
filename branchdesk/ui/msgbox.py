"""Every message box goes through here, so tests and headless runs can replace them.

Each box carries the icon of what it says: information for a result (``information``,
``done``), a warning for a risk (``warning``, ``choose``), a red cross for a failure
(``error``), a question mark only for a question (``confirm``, ``choose(question=True)``).
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


def information(parent: QWidget | None, title: str, text: str) -> None:
    log.info("%s: %s", title, text)
    QMessageBox.information(parent, title, text)


def warning(parent: QWidget | None, title: str, text: str) -> None:
    log.info("%s: %s", title, text)
    QMessageBox.warning(parent, title, text)


def error(parent: QWidget | None, title: str, text: str) -> None:
    log.error("%s: %s", title, text)
    QMessageBox.critical(parent, title, text)


def done(parent: QWidget | None, title: str, text: str, *, action: str) -> bool:
    """Say that something was done (a file saved) and offer one follow-up, or 关闭.

    True when ``action`` (打开所在文件夹) was chosen.
    """
    log.info("%s: %s", title, text)
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    follow_up = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    close = box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    box.exec()
    return box.clickedButton() is follow_up


def confirm(parent: QWidget | None, title: str, text: str, *, yes: str = "确定") -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ok


def choose(
    parent: QWidget | None, title: str, text: str, buttons: list[str], *, question: bool = False
) -> int:
    """Ask with several answers; return the index of the one chosen (the last on Esc).

    A warning icon by default (a risk to decide on); ``question`` for a plain choice.
    """
    icon = QMessageBox.Icon.Question if question else QMessageBox.Icon.Warning
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    made = [box.addButton(label, QMessageBox.ButtonRole.ActionRole) for label in buttons]
    box.setEscapeButton(made[-1])
    box.exec()
    clicked = box.clickedButton()
    return made.index(clicked) if clicked in made else len(buttons) - 1
