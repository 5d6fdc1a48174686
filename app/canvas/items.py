"""Graphics items for a keypoint layout (body joints, face landmarks): coloured points and lines, and the name tag."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsScene, QStyleOptionGraphicsItem, QWidget

from core.face.layout import KeypointLayout, body_layout
from core.skeleton import COLORS

if TYPE_CHECKING:
    from core.keypoints import Keypoints
    from core.skeleton import Pose

JOINT_RADIUS = 5.0  # screen pixels; body joints keep their size at any zoom
LIMB_WIDTH = 4.0
HIT_RADIUS = 14.0  # screen pixels around a body joint that grab it

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class LayerStyle:
    """How one layout is drawn and grabbed, in screen pixels."""

    point_radius: float
    line_width: float
    line_alpha: int
    hit_radius: float
    edge_colors: tuple[RGB, ...]  # one per ``layout.edges`` entry
    noun: str  # what a point is called in menus: "joint", "landmark"


def style_for(layout: KeypointLayout) -> LayerStyle:
    """The body keeps OpenPose's look (limb k in colour k); other layouts draw each line in its first point's colour,
    with smaller points for their denser markup."""
    edges = layout.edges
    if layout.name == "body18":
        limb_colors = tuple(COLORS[k % len(COLORS)] for k in range(len(edges)))
        return LayerStyle(JOINT_RADIUS, LIMB_WIDTH, 190, HIT_RADIUS, limb_colors, "joint")
    return LayerStyle(3.2, 1.6, 210, 10.0, tuple(layout.colors[a] for a, _ in edges), "landmark")


def qcolor(index: int, alpha: int = 255) -> QColor:
    """OpenPose colour ``index`` (kept for callers that draw body skeletons)."""
    r, g, b = COLORS[index % len(COLORS)]
    return QColor(r, g, b, alpha)


class JointItem(QGraphicsItem):
    """One keypoint: a dot in its colour that grows with a white ring when hovered or selected."""

    def __init__(self, index: int, color: RGB | None = None, radius: float = JOINT_RADIUS) -> None:
        super().__init__()
        self.index = index
        self.color = QColor(*color) if color is not None else qcolor(index)
        self.radius = float(radius)
        self.hovered = False
        self.selected = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(10)

    def boundingRect(self) -> QRectF:
        r = self.radius * 2 + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def set_state(self, hovered: bool, selected: bool) -> None:
        if (hovered, selected) != (self.hovered, self.selected):
            self.hovered, self.selected = hovered, selected
            self.setZValue(12 if hovered or selected else 10)
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        big = self.hovered or self.selected
        r = self.radius * (1.7 if big else 1.0)
        if big:
            painter.setPen(QPen(QColor(255, 255, 255), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), r + 3, r + 3)
        painter.setPen(QPen(QColor(0, 0, 0, 200), 1.2))
        painter.setBrush(QBrush(self.color))
        painter.drawEllipse(QPointF(0, 0), r, r)


class JointLabel(QGraphicsItem):
    """A small dark tag with a keypoint's name, drawn beside the hovered point."""

    def __init__(self) -> None:
        super().__init__()
        self._text = ""
        self._font = QFont()
        self._font.setPointSizeF(10)
        self._font.setBold(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(20)
        self.hide()

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        self._text = text
        self.update()

    def boundingRect(self) -> QRectF:
        fm = QFontMetricsF(self._font)
        return QRectF(14, -fm.height() - 14, fm.horizontalAdvance(self._text) + 12, fm.height() + 6)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.boundingRect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 20, 20, 215))
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(QColor(255, 255, 255))
        painter.setFont(self._font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._text)


class SkeletonLayer:
    """All keypoint items of one scene, kept in step with the points (missing points and their lines are hidden).

    ``layout`` says how many points there are, which lines join them and their colours (default: the body).
    """

    def __init__(self, scene: QGraphicsScene, layout: KeypointLayout | None = None) -> None:
        self.layout = layout or body_layout()
        self.style = style_for(self.layout)
        self.edges = self.layout.edges
        self.joints = [JointItem(i, self.layout.colors[i], self.style.point_radius) for i in range(self.layout.size)]
        self.limbs: list[QGraphicsLineItem] = []
        for rgb in self.style.edge_colors:
            pen = QPen(QColor(*rgb, self.style.line_alpha), self.style.line_width)
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            line = QGraphicsLineItem()
            line.setPen(pen)
            line.setZValue(5)
            self.limbs.append(line)
            scene.addItem(line)
        for item in self.joints:
            scene.addItem(item)
        self.label = JointLabel()
        scene.addItem(self.label)

    def set_pose(self, pose: Pose | Keypoints) -> None:
        """Place the items at ``pose.xy`` ((N, 2), NaN = missing) for N = the layout's size."""
        xy, present = pose.xy, pose.present
        if len(xy) != len(self.joints):
            raise ValueError(f"the {self.layout.name} layout has {len(self.joints)} points, got {len(xy)}")
        for i, item in enumerate(self.joints):
            item.setVisible(bool(present[i]))
            if present[i]:
                item.setPos(float(xy[i, 0]), float(xy[i, 1]))
        for line, (a, b) in zip(self.limbs, self.edges, strict=True):
            ok = bool(present[a] and present[b])
            line.setVisible(ok)
            if ok:
                line.setLine(QLineF(*map(float, np.r_[xy[a], xy[b]])))

    def set_highlight(self, hovered: int, selected: int) -> None:
        for item in self.joints:
            item.set_state(item.index == hovered, item.index == selected)
