"""Undo commands for pose edits: each stores the whole point set before and after (they are small and immutable)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.undo import MERGE_WINDOW_S, ReplaceCommand
from core.points import PointSet

if TYPE_CHECKING:
    from app.document import PoseDocument

__all__ = ["MERGE_WINDOW_S", "SetPoseCommand"]


class SetPoseCommand(ReplaceCommand[PointSet]):
    """Replace the document's points; undo puts the previous ones back."""

    merge_id = 0x5E7

    def __init__(self, doc: PoseDocument, before: PointSet, after: PointSet, text: str,
                 merge_key: object = None) -> None:
        super().__init__(doc, doc.set_pose, before, after, text, merge_key)
        self.doc = doc
