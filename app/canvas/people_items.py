"""The other people, hands and faces on the canvas: one scene item that draws every visible person's hands (edges in
controlnet_aux's HSV colours, blue points) and face (white points), and the unselected people's bodies as dimmer
skeletons; and the mouse for them (``PeopleOverlay``): a click on another person's skeleton selects that person, a
click on a hand or the face of the selected person selects that part, and a drag moves one of its small points.

Small points are grabbable (drawn as dots) only when their part is selected or when the part is big enough on screen
(zoomed in), so at the fitted zoom the body's joints stay easy to grab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from core.formats.controlnet_png import FACE_POINT_COLOR, HAND_EDGES, HAND_POINT_COLOR, hand_edge_color
from core.people import EDITABLE_PARTS, PeopleState
from core.point_names import point_name
from core.skeleton import COLORS, LIMBS_DRAWN

if TYPE_CHECKING:
    from app.canvas.view import PoseCanvas
    from app.people import PeopleModel
    from core.posedoc import Person

SHOW_JOINTS_PX = 90.0  # a part whose box is at least this big on screen shows its grabbable points
PART_HIT_PX = 8.0
PERSON_HIT_PX = 10.0
OTHER_ALPHA = 150


def _seg_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / max(float(np.dot(ab, ab)), 1e-9), 0.0, 1.0))
    return float(np.hypot(*(p - (a + t * ab))))


class PeopleItem(QGraphicsItem):
    """Paints the people state (in scene pixels; pens and dots keep their screen size)."""

    def __init__(self, overlay: PeopleOverlay) -> None:
        super().__init__()
        self.overlay = overlay
        self.setZValue(4)  # under the selected body's limbs (5) and joints (10)

    def boundingRect(self) -> QRectF:
        w, h = self.overlay.canvas.doc.size  # with a photo's margin all round: a duplicate may stand beside it
        return QRectF(-w, -h, 3 * w, 3 * h)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        px = 1.0 / max(painter.worldTransform().m11(), 1e-6)  # one screen pixel in scene units
        state = self.overlay.model.state
        for i, person in enumerate(state.people):
            if state.hidden[i] and i != state.selected:
                continue
            if i != state.selected:
                self._body(painter, person, px)
            self._hands_and_face(painter, person, px, i == state.selected)

    def _body(self, painter: QPainter, person: Person, px: float) -> None:
        xy, ok = person.body.xy, person.body.present
        for k, (a, b) in enumerate(LIMBS_DRAWN):
            if ok[a] and ok[b]:
                pen = QPen(QColor(*COLORS[k % len(COLORS)], OTHER_ALPHA), 3.0)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.drawLine(QLineF(*xy[a], *xy[b]))
        painter.setPen(QPen(QColor(0, 0, 0, OTHER_ALPHA), 0))
        for j in np.flatnonzero(ok):
            painter.setBrush(QColor(*COLORS[int(j)], OTHER_ALPHA))
            painter.drawEllipse(QPointF(*xy[j]), 3.5 * px, 3.5 * px)

    def _hands_and_face(self, painter: QPainter, person: Person, px: float, selected: bool) -> None:
        for name in EDITABLE_PARTS:
            pts = person.part(name)
            if pts is None:
                continue
            xy, ok = pts.xy, pts.present
            grab = selected and self.overlay.shows_points(person, name)
            if name != "face":
                for k, (a, b) in enumerate(HAND_EDGES):
                    if ok[a] and ok[b]:
                        pen = QPen(QColor(*hand_edge_color(k)), 2.0)
                        pen.setCosmetic(True)
                        painter.setPen(pen)
                        painter.drawLine(QLineF(*xy[a], *xy[b]))
            if not grab and name != "face":
                continue  # a hand too small to edit shows its coloured edges only
            color = QColor(*(FACE_POINT_COLOR if name == "face" else HAND_POINT_COLOR))
            radius = (4.0 if grab else 1.8) * px
            painter.setPen(QPen(QColor(0, 0, 0, 200 if grab else 140), 0))  # white face dots show on white too
            painter.setBrush(color)
            for j in np.flatnonzero(ok):
                painter.drawEllipse(QPointF(*xy[j]), radius, radius)


class PeopleOverlay:
    """The canvas's people layer and its mouse: the DragController hands it presses not on a body joint."""

    def __init__(self, canvas: PoseCanvas, model: PeopleModel) -> None:
        self.canvas, self.model = canvas, model
        self.item = PeopleItem(self)
        canvas.scene().addItem(self.item)
        self.part: str | None = None  # the selected part of the selected person
        self._drag: tuple[PeopleState, str, int] | None = None  # state before, part, point
        model.changed.connect(self.refresh)
        canvas.doc.photoChanged.connect(self.item.prepareGeometryChange)

    def refresh(self) -> None:
        if self.part is not None and self.model.state.current.part(self.part) is None:
            self.part = None
        self.item.update()

    def _screen_scale(self) -> float:
        return float(self.canvas.transform().m11())

    def shows_points(self, person: Person, name: str) -> bool:
        """True when ``name``'s points are grabbable: the part is selected, or big enough on screen."""
        if person is self.model.state.current and name == self.part:
            return True
        pts = person.part(name)
        box = None if pts is None else pts.bounds()
        if box is None:
            return False
        return float(np.hypot(box[2] - box[0], box[3] - box[1])) * self._screen_scale() >= SHOW_JOINTS_PX

    def _view_xy(self, xy: np.ndarray) -> np.ndarray:
        p = self.canvas.mapFromScene(QPointF(float(xy[0]), float(xy[1])))
        return np.array([p.x(), p.y()], dtype=np.float64)

    def point_at(self, pos: QPoint, only_grabbable: bool = True) -> tuple[str, int] | None:
        """(part, point index) of the selected person's hand or face point nearest ``pos`` (viewport pixels)."""
        person, here = self.model.state.current, np.array([pos.x(), pos.y()], dtype=np.float64)
        best, best_d = None, PART_HIT_PX
        for name in EDITABLE_PARTS:
            pts = person.part(name)
            if pts is None or (only_grabbable and not self.shows_points(person, name)):
                continue
            for j in np.flatnonzero(pts.present):
                d = float(np.hypot(*(self._view_xy(pts.xy[j]) - here)))
                if d <= best_d:
                    best, best_d = (name, int(j)), d
        return best

    def person_at(self, pos: QPoint) -> int:
        """Index of the visible unselected person whose skeleton passes nearest ``pos``, else -1."""
        state, here = self.model.state, np.array([pos.x(), pos.y()], dtype=np.float64)
        best, best_d = -1, PERSON_HIT_PX
        for i, person in enumerate(state.people):
            if i == state.selected or state.hidden[i]:
                continue
            xy, ok = person.body.xy, person.body.present
            view = {int(j): self._view_xy(xy[j]) for j in np.flatnonzero(ok)}
            ds = [float(np.hypot(*(v - here))) for v in view.values()]
            ds += [_seg_distance(here, view[a], view[b]) for a, b in LIMBS_DRAWN if a in view and b in view]
            if ds and min(ds) <= best_d:
                best, best_d = i, min(ds)
        return best

    def hover(self, pos: QPoint) -> bool:
        """Name the grabbable hand or face point under ``pos`` with the canvas's hover tag; False when none is."""
        hit = self.point_at(pos)
        if hit is None:
            return False
        pts = self.model.state.current.part(hit[0])
        assert pts is not None
        name, label = point_name(*hit), self.canvas.skeleton.label
        label.set_text(name)
        label.setPos(QPointF(*pts.xy[hit[1]]))
        label.show()
        self.canvas.viewport().setToolTip(f"{name} — drag to move")
        return True

    # ----- the mouse (called by app.canvas.drag.DragController) ---------------------------------
    def press(self, pos: QPoint) -> bool:
        """Handle a left press not on a body joint; True when it was for a person, a part or a part point."""
        hit = self.point_at(pos)
        if hit is not None:
            self.part = hit[0]
            self._drag = (self.model.state, hit[0], hit[1])
            self.item.update()
            return True
        loose = self.point_at(pos, only_grabbable=False)
        if loose is not None:
            self.part = loose[0]
            self.item.update()
            return True
        other = self.person_at(pos)
        if other >= 0:
            self.part = None
            self.model.select(other)
            return True
        if self.part is not None:
            self.part = None
            self.item.update()
        return False

    def move(self, scene: QPointF) -> None:
        if self._drag is None:
            return
        before, name, j = self._drag
        pts = before.current.part(name)
        assert pts is not None
        person = before.current.with_part(name, pts.with_joint(j, self.canvas.clamped(scene)))
        self.model.preview_part(person)

    def release(self) -> None:
        drag, self._drag = self._drag, None
        if drag is not None:
            before, name, _j = drag
            self.model.edit_part(before, self.model.state.current, f"Move {name.replace('_', ' ')} point")
