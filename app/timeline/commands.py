"""Undo command for timeline edits: the whole Track before and after (tracks are immutable, so this is cheap)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from core.animation.keyframes import Track

if TYPE_CHECKING:
    from app.timeline.controller import TimelineController

_MERGE_ID = 0x71E  # repeated edits with the same merge key (e.g. spinning the fps box) fold into one step
MERGE_WINDOW_S = 1.5


class SetTrackCommand(QUndoCommand):
    """Replace the controller's track; undo puts the previous one back. Lives on the canvas's undo stack."""

    def __init__(self, ctl: TimelineController, before: Track, after: Track, text: str, merge_key: object = None) -> None:
        super().__init__(text)
        self.ctl, self.before, self.after, self.merge_key = ctl, before, after, merge_key
        self.stamp = time.monotonic()

    def redo(self) -> None:
        self.ctl.apply_track(self.after)

    def undo(self) -> None:
        self.ctl.apply_track(self.before)

    def id(self) -> int:
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetTrackCommand) or other.merge_key != self.merge_key or other.ctl is not self.ctl:
            return False
        if other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        self.after, self.stamp = other.after, other.stamp
        return True
