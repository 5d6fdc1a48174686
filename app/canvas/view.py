"""The canvas: a photo with its editable keypoints (body skeleton or face landmarks); mouse and keys edit, zoom, pan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeyEvent, QMouseEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QMenu, QWidget

from app.canvas.drag import DragController
from app.canvas.items import SkeletonLayer
from app.canvas.keys import key_pressed, key_released
from app.canvas.layouts import KeypointLayout, body_layout
from app.canvas.menu import build_context_menu
from app.canvas.modes import build_canvas_actions
from app.qimage import rgb_to_qimage

if TYPE_CHECKING:
    from app.document import PoseDocument

ZOOM_LIMITS = (0.25, 40.0)  # relative to the fitted view
EMPTY_TEXT = "Open a photo of a person (Ctrl+O) or drop one here"


class PoseCanvas(QGraphicsView):
    """Shows ``doc``'s photo and points (a Pose, or Keypoints of ``layout``, default the 18-joint body); edits go
    to ``doc``, a drag as one undo step on release. ``rig``: modes, pins, selection drags (app.canvas.drag);
    ``canvas_actions``: their QActions (app.canvas.modes)."""

    hoveredJointChanged = Signal(int)  # -1 when no joint is under the cursor
    selectedJointChanged = Signal(int)
    dragFinished = Signal()
    spaceTapped = Signal()  # Space pressed and released without panning: the window plays or pauses

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
        for w in (self, self.viewport()):
            w.setAcceptDrops(False)  # the window takes dropped files
        self._photo_item = QGraphicsPixmapItem()
        self._photo_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._photo_item)
        self.skeleton = SkeletonLayer(self.scene(), self.keypoint_layout)
        self.noun = self.skeleton.style.noun  # "joint" or "landmark", for menus
        self.hovered = -1
        self.selected = -1  # the primary selected point (the last one clicked)
        self.selection: frozenset[int] = frozenset()  # every selected point (rubber band, Ctrl+click)
        self.extra_actions: list[QAction] = []  # window-wide actions also offered in the context menu
        self.rig = DragController(self)
        self.canvas_actions = build_canvas_actions(self)
        self._pan_from: QPoint | None = None
        self._space = self._space_panned = False
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
        self.rig.clear_pins()
        self.fit()

    def _on_pose(self, _interactive: bool = False) -> None:
        self.skeleton.set_pose(self.doc.pose)
        present = self.doc.pose.present
        if any(not present[i] for i in self.selection):
            self.set_selection({i for i in self.selection if present[i]})
        self.show_hover(self.hovered if self.hovered >= 0 and self.doc.pose.present[self.hovered] else -1)

    # ----- view -------------------------------------------------------------------------
    def fit(self) -> None:
        """Show the whole photo."""
        if self.doc.has_photo:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._fitted, self._auto_box = True, None

    def zoom_actual(self) -> None:
        """100 %: one photo pixel per screen pixel, keeping the centre of the view."""
        centre = self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.centerOn(centre)
        self._fitted, self._auto_box = False, None

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
        """Make point ``index`` the only selected one (-1: select nothing)."""
        self.set_selection({index} if index >= 0 else set(), index)

    def set_selection(self, indices: set[int] | frozenset[int], primary: int | None = None) -> None:
        """Select ``indices``; ``primary`` (default: kept if still selected, else the lowest) is ``selected``."""
        self.selection = frozenset(indices)
        if primary is None:
            primary = self.selected if self.selected in self.selection else min(self.selection, default=-1)
        self.skeleton.set_highlight(self.hovered, self.selection)
        if primary != self.selected:
            self.selected = primary
            self.selectedJointChanged.emit(primary)

    def toggle_selected(self, index: int) -> None:
        """Ctrl+click: add point ``index`` to the selection, or take it out."""
        self.set_selection(self.selection ^ {index}, index if index not in self.selection else None)

    def show_hover(self, index: int) -> None:
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
            self.skeleton.set_highlight(self.hovered, self.selection)
            self.hoveredJointChanged.emit(index)
            self.update_cursor()

    @property
    def panning(self) -> bool:
        """A middle-drag or Space+drag pan is on, or Space is held (a left press then pans, not edits)."""
        return self._pan_from is not None or self._space

    def update_cursor(self) -> None:
        if self._pan_from is not None:
            shape = Qt.CursorShape.ClosedHandCursor
        elif self._space:
            shape = Qt.CursorShape.OpenHandCursor
        elif self.rig.dragging:
            shape = Qt.CursorShape.ClosedHandCursor
        elif self.hovered >= 0:
            shape = Qt.CursorShape.PointingHandCursor
        else:
            shape = Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(shape)

    def clamped(self, p: QPointF) -> tuple[float, float]:
        w, h = self.doc.size
        return float(np.clip(p.x(), 0, max(w - 1, 0))), float(np.clip(p.y(), 0, max(h - 1, 0)))

    # ----- mouse: pans here; left-button edits go straight to app.canvas.drag (an event filter on the viewport) ---
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space
        ):
            self._pan_from, self._space_panned = event.position().toPoint(), self._space_panned or self._space
            self.update_cursor()
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
        joint = self.joint_at(pos)
        self.show_hover(joint)
        if joint < 0 and self.rig.overlay is not None:
            self.rig.overlay.hover(pos)  # a hand or face point's name
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            self.update_cursor()
            return
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        if not self.rig.dragging:
            self.show_hover(-1)
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if steps and self.doc.has_photo and ctrl and len(self.selection) > 1:
            self.rig.wheel_scale(steps)  # Ctrl+wheel scales a multi-selection; otherwise the wheel zooms
        elif steps and self.doc.has_photo:
            self.zoom_by(1.2**steps, event.position().toPoint())
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        super().resizeEvent(event)
        if self._fitted:
            self.fit()
        elif self._auto_box is not None:
            self.focus_on(self._auto_box)

    # ----- keyboard (app.canvas.keys) ----------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not key_pressed(self, event):
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if not key_released(self, event):
            super().keyReleaseEvent(event)

    def set_space(self, down: bool) -> None:
        """Space held: a left drag pans the view; Space tapped without a drag emits spaceTapped."""
        tapped = self._space and not down and not self._space_panned
        self._space, self._space_panned = down, False
        if not down:
            self._pan_from = None
        self.update_cursor()
        if tapped:
            self.spaceTapped.emit()

    # ----- context menu -----------------------------------------------------------------
    def build_context_menu(self, pos: QPoint) -> QMenu:
        """The right-click menu at viewport position ``pos`` (separate from showing it, for tests)."""
        return build_context_menu(self, pos)

    def contextMenuEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        if self.doc.has_photo:
            self.build_context_menu(event.pos()).exec(event.globalPos())

    # ----- empty state ------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        super().drawForeground(painter, rect)
        if not self.doc.has_photo:
            painter.save()
            painter.resetTransform()
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.restore()
