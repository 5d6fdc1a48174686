"""Graphics items for the skeleton: joints and limbs in OpenPose colours, and the floating joint-name label."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsScene, QStyleOptionGraphicsItem, QWidget

from core.skeleton import COLORS, LIMBS_DRAWN, N_JOINTS, Pose

JOINT_RADIUS = 5.0  # screen pixels; joints keep their size at any zoom
LIMB_WIDTH = 4.0


def qcolor(index: int, alpha: int = 255) -> QColor:
    r, g, b = COLORS[index % len(COLORS)]
    return QColor(r, g, b, alpha)


class JointItem(QGraphicsItem):
    """One joint: a dot in its OpenPose colour that grows with a white ring when hovered or selected."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index
        self.hovered = False
        self.selected = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(10)

    def boundingRect(self) -> QRectF:
        r = JOINT_RADIUS * 2 + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def set_state(self, hovered: bool, selected: bool) -> None:
        if (hovered, selected) != (self.hovered, self.selected):
            self.hovered, self.selected = hovered, selected
            self.setZValue(12 if hovered or selected else 10)
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        big = self.hovered or self.selected
        r = JOINT_RADIUS * (1.7 if big else 1.0)
        if big:
            painter.setPen(QPen(QColor(255, 255, 255), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), r + 3, r + 3)
        painter.setPen(QPen(QColor(0, 0, 0, 200), 1.2))
        painter.setBrush(QBrush(qcolor(self.index)))
        painter.drawEllipse(QPointF(0, 0), r, r)


class JointLabel(QGraphicsItem):
    """A small dark tag with a joint's name, drawn beside the hovered joint."""

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
    """All skeleton items of one scene, kept in step with a Pose (missing joints and their limbs are hidden)."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.joints = [JointItem(i) for i in range(N_JOINTS)]
        self.limbs: list[QGraphicsLineItem] = []
        for k, _ in enumerate(LIMBS_DRAWN):
            pen = QPen(qcolor(k, 190), LIMB_WIDTH)
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

    def set_pose(self, pose: Pose) -> None:
        xy, present = pose.xy, pose.present
        for i, item in enumerate(self.joints):
            item.setVisible(bool(present[i]))
            if present[i]:
                item.setPos(float(xy[i, 0]), float(xy[i, 1]))
        for line, (a, b) in zip(self.limbs, LIMBS_DRAWN, strict=True):
            ok = bool(present[a] and present[b])
            line.setVisible(ok)
            if ok:
                line.setLine(QLineF(*map(float, np.r_[xy[a], xy[b]])))

    def set_highlight(self, hovered: int, selected: int) -> None:
        for item in self.joints:
            item.set_state(item.index == hovered, item.index == selected)
