"""Every message box goes through here, so tests and headless runs can replace them."""

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


def confirm(parent: QWidget | None, title: str, text: str, *, yes: str = "确定") -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ok


def choose(parent: QWidget | None, title: str, text: str, buttons: list[str]) -> int:
    """Ask with several answers; return the index of the one chosen (the last on Esc)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    made = [box.addButton(label, QMessageBox.ButtonRole.ActionRole) for label in buttons]
    box.setEscapeButton(made[-1])
    box.exec()
    clicked = box.clickedButton()
    return made.index(clicked) if clicked in made else len(buttons) - 1
