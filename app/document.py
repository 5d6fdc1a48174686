"""The open photo and the pose being edited: one source of truth that the canvas, docks and renderer follow."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from app.canvas.commands import SetPoseCommand
from core.skeleton import LIMBS, Pose


class PoseDocument(QObject):
    """Holds the photo, its detected pose and the edited pose; every committed edit goes through the undo stack."""

    photoChanged = Signal()
    poseChanged = Signal(bool)  # True while a drag is in progress (preview only), False once committed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.path: str | None = None
        self.image: np.ndarray | None = None  # (H, W, 3) uint8 RGB
        self.detected: Pose = Pose.empty()
        self.pose: Pose = Pose.empty()

    @property
    def has_photo(self) -> bool:
        return self.image is not None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the photo in pixels."""
        if self.image is None:
            return (0, 0)
        return int(self.image.shape[1]), int(self.image.shape[0])

    def set_photo(self, path: str, image: np.ndarray, detected: Pose) -> None:
        """A new photo: its detected pose becomes the pose, and the undo history starts again."""
        self.path, self.image, self.detected, self.pose = path, image, detected, detected
        self.undo_stack.clear()
        self.photoChanged.emit()
        self.poseChanged.emit(False)

    # ----- edits ------------------------------------------------------------------------
    def set_pose(self, pose: Pose, interactive: bool = False) -> None:
        """Show ``pose`` now without recording it (used by drags and by the undo commands)."""
        self.pose = pose
        self.poseChanged.emit(interactive)

    def commit(self, pose: Pose, text: str, before: Pose | None = None, merge_key: object = None) -> None:
        """Record an edit as one undo step. ``before`` is the pose the step undoes to (a drag's start)."""
        before = self.pose if before is None else before
        if pose == before:
            if pose != self.pose:
                self.set_pose(pose)
            return
        self.undo_stack.push(SetPoseCommand(self, before, pose, text, merge_key))

    def move_joint(self, index: int, xy: tuple[float, float] | None, text: str, merge_key: object = None) -> None:
        self.commit(self.pose.with_joint(index, xy), text, merge_key=merge_key)

    def restore_position(self, index: int) -> tuple[float, float]:
        """Where a hidden joint comes back: its detected place, else beside a connected joint, else the pose centre."""
        if self.detected.present[index]:
            return tuple(self.detected.xy[index])  # type: ignore[return-value]
        present = self.pose.present
        for a, b in LIMBS:
            other = b if a == index else a if b == index else None
            if other is not None and present[other]:
                x, y = self.pose.xy[other]
                return float(x) + 20.0, float(y) + 20.0
        bounds = self.pose.bounds()
        if bounds is not None:
            return (bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0
        w, h = self.size
        return w / 2.0, h / 2.0
