"""Undo commands for pose edits: each stores the whole pose before and after (poses are small and immutable)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from core.skeleton import Pose

if TYPE_CHECKING:
    from app.document import PoseDocument

_MERGE_ID = 0x5E7  # commands with the same merge key (e.g. repeated nudges of one joint) fold into one step
MERGE_WINDOW_S = 1.5  # ... when they follow each other within this many seconds


class SetPoseCommand(QUndoCommand):
    """Replace the document's pose; undo puts the previous one back."""

    def __init__(self, doc: PoseDocument, before: Pose, after: Pose, text: str, merge_key: object = None) -> None:
        super().__init__(text)
        self.doc, self.before, self.after, self.merge_key = doc, before, after, merge_key
        self.stamp = time.monotonic()

    def redo(self) -> None:
        self.doc.set_pose(self.after)

    def undo(self) -> None:
        self.doc.set_pose(self.before)

    def id(self) -> int:
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetPoseCommand) or other.merge_key != self.merge_key:
            return False
        if other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        self.after, self.stamp = other.after, other.stamp
        return True
