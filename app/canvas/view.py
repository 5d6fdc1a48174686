"""The canvas: a photo with its editable keypoints (body skeleton or face landmarks); mouse and keys edit, zoom, pan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeyEvent, QMouseEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QMenu, QWidget

from app.canvas.items import SkeletonLayer
from app.qimage import rgb_to_qimage
from core.face.layout import KeypointLayout, body_layout

if TYPE_CHECKING:
    from app.document import PoseDocument

NUDGE_PX, NUDGE_SHIFT_PX = 1.0, 10.0  # arrow-key steps in screen pixels (Shift for the larger one)
ZOOM_LIMITS = (0.25, 40.0)  # relative to the fitted view
EMPTY_TEXT = "Open a photo of a person (Ctrl+O) or drop one here"


class PoseCanvas(QGraphicsView):
    """Shows ``doc``'s photo and points; edits go to ``doc`` (drags as one undo step on release).

    ``layout`` (core.face.layout.KeypointLayout; default the 18-joint body) names, colours and joins the
    points. ``doc`` is an app.document.PoseDocument whose ``pose`` is a core.skeleton.Pose (the body), or a
    subclass holding core.keypoints.Keypoints of the layout (app.face.document.KeypointDocument).
    """

    hoveredJointChanged = Signal(int)  # -1 when no joint is under the cursor
    selectedJointChanged = Signal(int)
    dragFinished = Signal()

    def __init__(self, doc: PoseDocument, parent: QWidget | None = None, layout: KeypointLayout | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.keypoint_layout = layout or body_layout()  # not ``layout``: QWidget.layout() is a method
        self.empty_text = EMPTY_TEXT
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)  # zoom_by keeps the cursor point
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(QColor(38, 38, 42))
        self.setAcceptDrops(False)  # the window takes dropped files
        self.viewport().setAcceptDrops(False)
        self._photo_item = QGraphicsPixmapItem()
        self._photo_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._photo_item)
        self.skeleton = SkeletonLayer(self.scene(), self.keypoint_layout)
        self.noun = self.skeleton.style.noun  # "joint" or "landmark", for menus
        self.hovered = -1
        self.selected = -1
        self.extra_actions: list[QAction] = []  # window-wide actions also offered in the context menu
        self._drag_joint = -1
        self._drag_before = None
        self._drag_offset = QPointF()
        self._drag_group: tuple[int, ...] = ()  # Shift+drag: the grabbed point's group moves with it
        self._pan_from: QPoint | None = None
        self._space = False
        self._fitted = True
        self._auto_box: tuple[float, float, float, float] | None = None  # focus_on's box, kept on resize until zoom/pan
        doc.photoChanged.connect(self._on_photo)
        doc.poseChanged.connect(self._on_pose)

    # ----- document ---------------------------------------------------------------------
    def _on_photo(self) -> None:
        if self.doc.image is not None:
            self._photo_item.setPixmap(QPixmap.fromImage(rgb_to_qimage(self.doc.image)))
            w, h = self.doc.size
            self.scene().setSceneRect(QRectF(0, 0, w, h))
        self.select(-1)
        self.fit()

    def _on_pose(self, _interactive: bool = False) -> None:
        self.skeleton.set_pose(self.doc.pose)
        if self.selected >= 0 and not self.doc.pose.present[self.selected]:
            self.select(-1)
        self._set_hover(self.hovered if self.hovered >= 0 and self.doc.pose.present[self.hovered] else -1)

    # ----- view -------------------------------------------------------------------------
    def fit(self) -> None:
        """Show the whole photo."""
        if self.doc.has_photo:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._fitted, self._auto_box = True, None

    def focus_on(self, box: tuple[float, float, float, float]) -> None:
        """Fit scene rectangle ``box`` (x0, y0, x1, y1 photo pixels) in the view, e.g. a face in a portrait."""
        x0, y0, x1, y1 = box
        if self.doc.has_photo and x1 > x0 and y1 > y0:
            self.fitInView(QRectF(x0, y0, x1 - x0, y1 - y0), Qt.AspectRatioMode.KeepAspectRatio)
            self._fitted, self._auto_box = False, box  # a resize keeps this box in view until the user zooms or pans

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by ``factor`` keeping the scene point under ``anchor`` (viewport pixels) in place."""
        fit_scale = self._fit_scale()
        current = self.transform().m11()
        target = float(np.clip(current * factor, ZOOM_LIMITS[0] * fit_scale, ZOOM_LIMITS[1] * fit_scale))
        factor = target / current
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        before = self.mapToScene(anchor)
        self.scale(factor, factor)
        after = self.mapToScene(anchor)
        delta = self.mapFromScene(after) - self.mapFromScene(before)
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
        self._fitted, self._auto_box = False, None

    def _fit_scale(self) -> float:
        w, h = self.doc.size
        if not w or not h:
            return 1.0
        vp = self.viewport().rect()
        return min(vp.width() / w, vp.height() / h)

    def joint_at(self, pos: QPoint | QPointF) -> int:
        """Index of the present point nearest to viewport position ``pos`` within the hit radius, else -1."""
        pose = self.doc.pose
        best, best_d = -1, self.skeleton.style.hit_radius
        for i in np.flatnonzero(pose.present):
            p = self.mapFromScene(QPointF(*pose.xy[i]))
            d = float(np.hypot(p.x() - pos.x(), p.y() - pos.y()))
            if d <= best_d:
                best, best_d = int(i), d
        return best

    def joint_viewport_pos(self, index: int) -> QPoint:
        """Where joint ``index`` is drawn, in viewport pixels (tests and the screenshot script use it)."""
        return self.mapFromScene(QPointF(*self.doc.pose.xy[index]))

    def label(self, index: int) -> str:
        """The readable name of point ``index``, e.g. 'Right wrist' or 'Upper lip top'."""
        return self.keypoint_layout.label(index)

    def select(self, index: int) -> None:
        if index != self.selected:
            self.selected = index
            self.skeleton.set_highlight(self.hovered, self.selected)
            self.selectedJointChanged.emit(index)

    def _set_hover(self, index: int) -> None:
        label = self.skeleton.label
        if index >= 0:
            label.set_text(self.label(index))
            label.setPos(QPointF(*self.doc.pose.xy[index]))
            label.show()
            self.viewport().setToolTip(f"{self.label(index)} — drag to move, right-click to hide")
        else:
            label.hide()
            self.viewport().setToolTip("")
        if index != self.hovered:
            self.hovered = index
            self.skeleton.set_highlight(self.hovered, self.selected)
            self.hoveredJointChanged.emit(index)
            self._update_cursor()

    def _update_cursor(self) -> None:
        if self._pan_from is not None:
            shape = Qt.CursorShape.ClosedHandCursor
        elif self._space:
            shape = Qt.CursorShape.OpenHandCursor
        elif self._drag_joint >= 0:
            shape = Qt.CursorShape.ClosedHandCursor
        elif self.hovered >= 0:
            shape = Qt.CursorShape.PointingHandCursor
        else:
            shape = Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(shape)

    def _clamped(self, p: QPointF) -> tuple[float, float]:
        w, h = self.doc.size
        return float(np.clip(p.x(), 0, max(w - 1, 0))), float(np.clip(p.y(), 0, max(h - 1, 0)))

    # ----- mouse ------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space
        ):
            self._pan_from = pos
            self._update_cursor()
            return
        if event.button() == Qt.MouseButton.LeftButton and self.doc.has_photo:
            self.setFocus()
            j = self.joint_at(pos)
            self.select(j)
            if j >= 0:
                self._drag_joint, self._drag_before = j, self.doc.pose
                self._drag_offset = QPointF(*self.doc.pose.xy[j]) - self.mapToScene(pos)
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self._drag_group = self.keypoint_layout.drag_group(j)[1] if shift else ()
                self._update_cursor()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self._pan_from is not None:
            delta = pos - self._pan_from
            self._pan_from = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            self._fitted, self._auto_box = False, None
            return
        if self._drag_joint >= 0:
            xy = self._clamped(self.mapToScene(pos) + self._drag_offset)
            if self._drag_group:
                self.doc.set_pose(self._group_moved(xy), interactive=True)
            else:
                self.doc.set_pose(self.doc.pose.with_joint(self._drag_joint, xy), interactive=True)
            self._set_hover(self._drag_joint)
            return
        self._set_hover(self.joint_at(pos))
        super().mouseMoveEvent(event)

    def _group_moved(self, xy: tuple[float, float]):  # noqa: ANN202 - the document's pose type
        """The pose at the drag's start with the grabbed point at ``xy`` and its group moved by as much (clamped)."""
        before = self._drag_before
        arr = np.array(before.xy)
        members = [i for i in self._drag_group if before.present[i]]
        w, h = self.doc.size
        lo, hi = arr[members].min(axis=0), arr[members].max(axis=0)
        # one shift for the whole part, limited so that every point stays on the photo: the part keeps its shape
        delta = np.clip(np.array(xy) - arr[self._drag_joint], -lo, np.array([max(w - 1, 0), max(h - 1, 0)]) - hi)
        arr[members] += delta
        name = self.keypoint_layout.drag_group(self._drag_joint)[0]
        for i, fraction in self.keypoint_layout.followers(name):  # e.g. the chin drops with the lower lip
            if before.present[i] and i not in members:
                arr[i] = np.clip(arr[i] + fraction * delta, 0, [max(w - 1, 0), max(h - 1, 0)])
        return type(before)(arr)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            self._update_cursor()
            return
        if self._drag_joint >= 0 and event.button() == Qt.MouseButton.LeftButton:
            j, before, group = self._drag_joint, self._drag_before, self._drag_group
            self._drag_joint, self._drag_before, self._drag_group = -1, None, ()
            what = self.keypoint_layout.drag_group(j)[0].replace("_", " ") if group else self.label(j).lower()
            self.doc.commit(self.doc.pose, f"Move {what}", before=before)
            self._update_cursor()
            if self.doc.pose != before:
                self.dragFinished.emit()
            return
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        if self._drag_joint < 0:
            self._set_hover(-1)
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps and self.doc.has_photo:
            self.zoom_by(1.2**steps, event.position().toPoint())
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        super().resizeEvent(event)
        if self._fitted:
            self.fit()
        elif self._auto_box is not None:
            self.focus_on(self._auto_box)

    # ----- keyboard ---------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        arrows = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        if key in arrows and self.selected >= 0 and self.doc.pose.present[self.selected]:
            self.nudge(self.selected, *arrows[key], large=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            return
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self._update_cursor()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected >= 0:
            self.doc.move_joint(self.selected, None, f"Hide {self.label(self.selected).lower()}")
            return
        if key == Qt.Key.Key_Escape:
            self.select(-1)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self._pan_from = None
            self._update_cursor()
            return
        super().keyReleaseEvent(event)

    def nudge(self, index: int, dx: int, dy: int, large: bool = False) -> None:
        """Move a joint by a fixed number of screen pixels; repeated nudges of one joint are one undo step."""
        step = (NUDGE_SHIFT_PX if large else NUDGE_PX) / max(self.transform().m11(), 1e-6)
        x, y = self.doc.pose.xy[index]
        xy = self._clamped(QPointF(x + dx * step, y + dy * step))
        self.doc.move_joint(index, xy, f"Nudge {self.label(index).lower()}", merge_key=("nudge", index))

    # ----- context menu -----------------------------------------------------------------
    def build_context_menu(self, pos: QPoint) -> QMenu:
        """The right-click menu at viewport position ``pos`` (separate from showing it, for tests)."""
        menu = QMenu(self)
        j = self.joint_at(pos)
        doc = self.doc
        if j >= 0:
            name = self.label(j).lower()
            menu.addAction(f"Hide {name}", lambda: doc.move_joint(j, None, f"Hide {name}"))
            if doc.detected.present[j]:
                xy = tuple(doc.detected.xy[j])
                menu.addAction(f"Reset {name} to detected", lambda: doc.move_joint(j, xy, f"Reset {name}"))
        hidden = [i for i in range(len(doc.pose.present)) if not doc.pose.present[i]]
        if hidden and doc.has_photo:
            where = self._clamped(self.mapToScene(pos))
            sub = menu.addMenu(f"Restore hidden {self.noun} here")
            for i in hidden:
                sub.addAction(self.label(i), lambda i=i: doc.move_joint(i, where, f"Restore {self.label(i).lower()}"))
        if self.extra_actions:
            menu.addSeparator()
            menu.addActions(self.extra_actions)
        menu.addSeparator()
        menu.addAction("Fit photo in view", self.fit)
        return menu

    def contextMenuEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        if self.doc.has_photo:
            self.build_context_menu(event.pos()).exec(event.globalPos())

    # ----- empty state ------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawForeground(painter, rect)
        if not self.doc.has_photo:
            painter.save()
            painter.resetTransform()
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.restore()
