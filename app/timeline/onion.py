"""Onion skin: the skeletons (or face landmarks) of the keyframes before and after the playhead, drawn faintly on the
photo canvas."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsSimpleTextItem

from app.timeline.controller import TimelineController
from core.face.layout import KeypointLayout, body_layout
from core.keypoints import Keypoints
from core.skeleton import Pose

BEFORE_COLOUR = QColor(90, 170, 255)  # the keyframe before the playhead: cool blue
AFTER_COLOUR = QColor(255, 150, 60)  # the keyframe after it: warm orange
OPACITY = 0.5
Z = 3  # above the photo (0), below the live skeleton (5+)


class _Ghost:
    """One faint skeleton (limbs as one path, joints as dots) with a small frame tag."""

    def __init__(self, scene: QGraphicsScene, colour: QColor, arrow: str, below: bool,
                 edges: tuple[tuple[int, int], ...]) -> None:
        self.arrow, self.below, self.edges = arrow, below, edges
        self.path = QGraphicsPathItem()
        pen = QPen(colour, 3)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.path.setPen(pen)
        self.path.setBrush(QBrush(colour))
        self.path.setOpacity(OPACITY)
        self.path.setZValue(Z)
        self.tag = QGraphicsSimpleTextItem()
        self.tag.setBrush(QBrush(colour))
        font = QFont()
        font.setBold(True)
        self.tag.setFont(font)
        self.tag.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.tag.setZValue(Z)
        scene.addItem(self.path)
        scene.addItem(self.tag)
        self.frame: int | None = None

    def show(self, pose: Pose | Keypoints | None, frame: int | None, joint_r: float) -> None:
        self.frame = frame if pose is not None else None
        if pose is None or not pose.present.any():
            self.path.hide()
            self.tag.hide()
            return
        xy, ok = pose.xy, pose.present
        path = QPainterPath()
        for a, b in self.edges:
            if ok[a] and ok[b]:
                path.moveTo(QPointF(*xy[a]))
                path.lineTo(QPointF(*xy[b]))
        for i in range(len(ok)):
            if ok[i]:
                path.addEllipse(QPointF(*xy[i]), joint_r, joint_r)
        self.path.setPath(path)
        self.path.show()
        bounds = pose.bounds()
        if bounds is None:  # not reached: a pose with a present point has bounds
            self.tag.hide()
            return
        x0, y0, _, y1 = bounds
        self.tag.setText(self.arrow.format(frame=frame))
        self.tag.setPos(QPointF(x0, y1 + 2 * joint_r) if self.below else QPointF(x0, y0 - 6 * joint_r))
        self.tag.show()


class OnionSkin:
    """Keeps the two ghosts in step with the playhead and the track; ``enabled`` switches them on and off."""

    def __init__(self, scene: QGraphicsScene, ctl: TimelineController, layout: KeypointLayout | None = None) -> None:
        self.ctl = ctl
        layout = layout or body_layout()
        self.point_scale = 1.0 if layout.name == "body18" else 0.35  # a face's 68 points sit close together
        edges = layout.edges
        self.before = _Ghost(scene, BEFORE_COLOUR, "◀ key {frame}", False, edges)  # tag above the head
        self.after = _Ghost(scene, AFTER_COLOUR, "key {frame} ▶", True, edges)  # tag under the feet
        self.enabled = True
        ctl.trackChanged.connect(self.update)
        ctl.frameChanged.connect(self.update)
        self.update()

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        self.update()

    def update(self, *_: object) -> None:
        doc = self.ctl.doc
        r = (max(2.0, 0.006 * max(doc.size)) if doc.has_photo else 3.0) * self.point_scale
        before, after = self.ctl.track.neighbours(self.ctl.frame) if self.enabled else (None, None)
        self.before.show(before.pose if before else None, before.frame if before else None, r)
        self.after.show(after.pose if after else None, after.frame if after else None, r)

    @property
    def shown_frames(self) -> tuple[int | None, int | None]:
        """The keyframes drawn as ghosts now (None where none is drawn)."""
        return (self.before.frame if self.before.path.isVisible() else None,
                self.after.frame if self.after.path.isVisible() else None)
