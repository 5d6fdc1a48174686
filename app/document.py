"""The open photo and the points being edited, for one subject: the session (core.session) that the canvas, docks,
timeline and renderer follow, with Qt signals and the undo stack."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from app.canvas.commands import SetPoseCommand
from core.errors import PoseError
from core.keypoints import Keypoints
from core.points import PointSet
from core.session import EditingSession
from core.skeleton import LIMBS, Pose
from core.subjects import BODY, Subject


class PoseDocument(QObject):
    """One subject's EditingSession (the photo held once, the typed points); every committed edit is an undo step."""

    photoChanged = Signal()
    poseChanged = Signal(bool)  # True while a drag is in progress (preview only), False once committed

    def __init__(self, parent: QObject | None = None, subject: Subject = BODY) -> None:
        super().__init__(parent)
        self.session = EditingSession(subject)
        self.undo_stack = QUndoStack(self)

    # ----- the session's state, read as attributes by the canvas and the timeline -------------------
    @property
    def subject(self) -> Subject:
        return self.session.subject

    @property
    def path(self) -> str | None:
        return None if self.session.photo is None else self.session.photo.path

    @property
    def image(self) -> np.ndarray | None:
        """(H, W, 3) uint8 RGB, or None without a photo."""
        return None if self.session.photo is None else self.session.photo.image

    @property
    def pose(self) -> Pose | Keypoints:
        """The points being edited, of the subject's type (core.skeleton.Pose or core.keypoints.Keypoints)."""
        return self.session.points

    @property
    def detected(self) -> Pose | Keypoints:
        return self.session.detected

    @detected.setter
    def detected(self, points: PointSet) -> None:
        self.session.detected = self.session.make_points(points)

    def body_pose(self) -> Pose:
        """The points as a body Pose (the body subject's type); PoseError for another subject's document."""
        points = self.session.points
        if not isinstance(points, Pose):
            raise PoseError(f"the {self.subject.kind} subject's points are not a body pose")
        return points

    @property
    def has_photo(self) -> bool:
        return self.session.has_photo

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the photo in pixels."""
        return self.session.size

    def set_photo(self, path: str, image: np.ndarray, detected: PointSet) -> None:
        """A new photo: its detected points become the points, and the undo history starts again."""
        self.session.set_photo(path, image, detected)
        self.undo_stack.clear()
        self.photoChanged.emit()
        self.poseChanged.emit(False)

    # ----- edits ------------------------------------------------------------------------
    def set_pose(self, pose: PointSet, interactive: bool = False) -> None:
        """Show ``pose`` now without recording it (used by drags and by the undo commands)."""
        self.session.set_points(pose)
        self.poseChanged.emit(interactive)

    def commit(self, pose: PointSet, text: str, before: PointSet | None = None, merge_key: object = None) -> None:
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
            x, y = self.detected.xy[index]
            return float(x), float(y)
        present = self.pose.present
        for a, b in LIMBS:
            other = b if a == index else a if b == index else None
            if other is not None and present[other]:
                x, y = self.pose.xy[other]
                return float(x) + 20.0, float(y) + 20.0
        return self.centre()

    def centre(self) -> tuple[float, float]:
        """The centre of the present points, else of the photo."""
        bounds = self.pose.bounds()
        if bounds is not None:
            return (bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0
        w, h = self.size
        return w / 2.0, h / 2.0
