"""The open portrait and its landmarks: the body editor's document, holding layout-generic keypoints."""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.document import PoseDocument
from core.face.layout import FACE68, KeypointLayout
from core.keypoints import Keypoints


class KeypointDocument(PoseDocument):
    """A PoseDocument whose ``pose`` and ``detected`` are ``Keypoints`` of ``layout`` (own undo stack, same signals)."""

    def __init__(self, layout: KeypointLayout = FACE68, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.layout = layout
        self.detected = self.pose = Keypoints.empty(layout.size)

    def mirrored(self) -> Keypoints:
        """The points with left and right swapped about their own centre."""
        return self.pose.mirrored(self.layout)

    def restore_position(self, index: int) -> tuple[float, float]:
        """Where a hidden point comes back: its detected place, else the centre of the others, else the photo's."""
        if self.detected.present[index]:
            return tuple(self.detected.xy[index])  # type: ignore[return-value]
        bounds = self.pose.bounds()
        if bounds is not None:
            return (bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0
        w, h = self.size
        return w / 2.0, h / 2.0
