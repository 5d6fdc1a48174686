"""Help ▸ Keyboard Shortcuts: every key of the window's menus and canvas, and the mouse gestures, in one table."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Keys and gestures that are not QActions of a menu (the canvas's mouse, the timeline strip's own shortcuts).
GESTURES: tuple[tuple[str, str, str], ...] = (
    ("Canvas", "Drag a joint", "Move it (in the drag mode chosen: Free, Rotate or IK)"),
    ("Canvas", "Alt+drag", "Move freely for this drag, whatever the mode"),
    ("Canvas", "Shift+drag", "Move the whole skeleton (face mode: the landmark's whole part)"),
    ("Canvas", "Ctrl+click · drag in empty space", "Add a joint to the selection · select with a rubber band"),
    ("Canvas", "R+drag · S+drag · Ctrl+wheel", "Rotate · scale the selection about its centre"),
    ("Canvas", "Arrows (Shift: ×10)", "Nudge the selected joint"),
    ("Canvas", "Delete · right-click", "Hide the selected joint · hide or restore joints, pin"),
    ("Canvas", "Wheel · middle drag · Space+drag", "Zoom about the cursor · pan · pan"),
    ("Canvas", "Space", "Play or pause the animation"),
    ("Timeline", "Space", "Play or pause"),
    ("Timeline", "Left · Right · Home · End", "Previous · next · first · last frame"),
    ("Timeline", "Delete · Shift+D · Ctrl+C · Ctrl+V", "Delete · duplicate · copy · paste keyframes"),
    ("Timeline", "Drag a ◆ · click the strip", "Move a keyframe · go to a frame"),
)


def action_rows(section: str, actions: Iterable[QAction]) -> list[tuple[str, str, str]]:
    """(where, keys, what) for each action that has a shortcut, in its native text (e.g. "Ctrl+Shift+Z")."""
    rows = []
    for action in actions:
        keys = " · ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
        if keys:
            rows.append((section, keys, action.text().replace("&", "").rstrip("…")))
    return rows


class ShortcutsDialog(QDialog):
    """A read-only table of (where, keys, what), sorted by where it works."""

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.rows = rows
        table = QTableWidget(len(rows), 3, self)
        table.setHorizontalHeaderLabels(["Where", "Keys", "What it does"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.table = table
        self.resize(720, 560)
