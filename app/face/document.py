"""The open portrait and its landmarks: the editor's document for the face subject (core.subjects.FACE)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject

from app.document import PoseDocument
from core.face.layout import FACE68, KeypointLayout
from core.keypoints import Keypoints
from core.subjects import FACE


class KeypointDocument(PoseDocument):
    """A PoseDocument whose points are ``Keypoints`` of ``layout`` (own undo stack, same signals)."""

    def __init__(self, layout: KeypointLayout = FACE68, parent: QObject | None = None) -> None:
        super().__init__(parent, FACE if layout == FACE.layout else replace(FACE, layout=layout))
        self.layout = layout

    def mirrored(self) -> Keypoints:
        """The points with left and right swapped about their own centre."""
        return Keypoints(self.pose.xy).mirrored(self.layout)

    def restore_position(self, index: int) -> tuple[float, float]:
        """Where a hidden point comes back: its detected place, else the centre of the others, else the photo's."""
        if self.detected.present[index]:
            x, y = self.detected.xy[index]
            return float(x), float(y)
        return self.centre()
