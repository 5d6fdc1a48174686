"""The strip that offers back what the last session left unsaved: a message with Recover and Discard buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class RecoveryBanner(QFrame):
    """'Recover the unsaved animation from your last session?' with Recover and Discard buttons."""

    recover = Signal()
    discard = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("RecoveryBanner {background:#23442c; border:1px solid #3f8a55; border-radius:4px;} "
                           "QLabel {color:#eafff0;}")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.recover_button, self.discard_button = QPushButton("Recover"), QPushButton("Discard")
        self.recover_button.clicked.connect(self.recover)
        self.discard_button.clicked.connect(self.discard)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.recover_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.discard_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()
