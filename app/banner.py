"""A dismissible, non-modal message strip for errors and notices (never a modal wall of text)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

_STYLES = {  # (frame, text colour): the text colour is set on the label itself, which a frame's does not reach
    "error": ("background:#5c1f1f; border:1px solid #a33;", "#ffecec"),
    "info": ("background:#1f3a5c; border:1px solid #3a6ea5;", "#eaf3ff"),
}


class Banner(QFrame):
    """Shows one message at a time with a close button; info messages fade out by themselves."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        self.close_button = close
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self._label, 1)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def text(self) -> str:
        return self._label.text()

    def show_error(self, text: str) -> None:
        self._show("error", text, 0)

    def show_info(self, text: str, timeout_ms: int = 6000) -> None:
        if self.isVisible() and self.kind == "error":
            return  # an unread error stays until dismissed
        self._show("info", text, timeout_ms)

    def _show(self, kind: str, text: str, timeout_ms: int) -> None:
        self.kind = kind
        frame, colour = _STYLES[kind]
        self.setStyleSheet(f"Banner {{{frame} border-radius:4px;}} "
                           f"QLabel, QToolButton {{color:{colour}; border:none; background:transparent;}}")
        self._label.setText(("⚠  " if kind == "error" else "ℹ  ") + text)
        self._timer.stop()
        if timeout_ms:
            self._timer.start(timeout_ms)
        self.show()

    def dismiss(self) -> None:
        self._timer.stop()
        self.kind = ""
        self.hide()
