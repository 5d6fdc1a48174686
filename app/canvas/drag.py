"""Mouse editing on the canvas: joint drags in the Free / Rotate / IK modes, pins, symmetric edits, part moves
(Shift), multi-selection (rubber band, Ctrl+click) and moving / rotating (R) / scaling (S) it. The maths is core.rig;
each drag previews with ``interactive=True`` and is committed as one undo step on release."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QRubberBand

from core.rig import BODY_TREE, BoneTree, DragMode, drag_joint, group_shifted, mirror_edit, selection_transformed
from core.rig.group import centroid

if TYPE_CHECKING:
    from app.canvas.view import PoseCanvas
    from core.keypoints import Keypoints
    from core.skeleton import Pose

VERBS = {DragMode.FREE: "Move", DragMode.ROTATE: "Rotate", DragMode.IK: "Reach with"}
CLICK_PX = 3  # a press and release closer than this (viewport pixels) is a click, not a rubber band


class Overlay(Protocol):
    """Takes the presses that miss the edited points (app.canvas.people_items: other people, hands, faces)."""

    def press(self, pos: QPoint) -> bool: ...
    def hover(self, pos: QPoint) -> bool: ...
    def move(self, scene: QPointF) -> None: ...
    def release(self) -> None: ...


@dataclass
class _Drag:
    kind: str  # "joint", "group", "selection", "band" or "overlay"
    before: Pose | Keypoints
    start: QPointF  # scene point where the drag began
    origin: QPoint  # viewport point where the drag began
    joint: int = -1
    mode: DragMode = DragMode.FREE
    op: str = "move"  # for "selection": "move", "rotate" or "scale"
    offset: QPointF = field(default_factory=QPointF)  # grabbed point minus the cursor (scene)
    additive: bool = False  # Ctrl held: the band adds to the selection


class DragController(QObject):
    """The canvas's edit state (mode, bone-length lock, symmetric, pins) and its mouse drags. It filters the
    viewport's mouse events itself, so a drag goes from the mouse to the document without passing the view."""

    def __init__(self, canvas: PoseCanvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.mode = DragMode.FREE
        self.lock_lengths = True
        self.symmetric = False
        self.pins: set[int] = set()
        self.held: set[int] = set()  # key codes held down (R rotates, S scales the selection)
        self.drag: _Drag | None = None
        self.overlay: Overlay | None = None
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, canvas.viewport())
        canvas.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Left-button presses, moves while dragging and their release are edits; the rest goes on to the view."""
        kind, c = event.type(), self.canvas
        if not isinstance(event, QMouseEvent) or watched is not c.viewport():
            return False
        left = event.button() == Qt.MouseButton.LeftButton
        if kind == QEvent.Type.MouseButtonPress and left and not c.panning and c.doc.has_photo:
            c.setFocus()
            self.press(event)
        elif kind == QEvent.Type.MouseMove and self.drag is not None and not c.panning:
            self.move(event)
        elif kind == QEvent.Type.MouseButtonRelease and left and self.drag is not None:
            self.release(event)
        else:
            return False
        c.update_cursor()
        return True

    # ----- state --------------------------------------------------------------------------
    @property
    def tree(self) -> BoneTree | None:
        """The bone tree of the canvas's layout; None (Free only) for a layout without bones, e.g. a face."""
        return BODY_TREE if self.canvas.keypoint_layout.name == "body18" else None

    @property
    def dragging(self) -> bool:
        return self.drag is not None and self.drag.kind != "band"

    def set_mode(self, mode: DragMode) -> None:
        self.mode = mode
        self.canvas.canvas_actions.modes[mode].setChecked(True)

    def set_lock(self, on: bool) -> None:
        self.lock_lengths = on
        self.canvas.canvas_actions.lock.setChecked(on)

    def set_symmetric(self, on: bool) -> None:
        self.symmetric = on
        self.canvas.canvas_actions.symmetric.setChecked(on)

    def toggle_pins(self, joints: set[int] | frozenset[int] | None = None) -> None:
        """Pin the given joints (default: the selection), or unpin them when all are pinned already."""
        joints = set(self.canvas.selection if joints is None else joints)
        if joints:
            self.pins = self.pins - joints if joints <= self.pins else self.pins | joints
            self.canvas.skeleton.set_pins(self.pins)

    def clear_pins(self) -> None:
        self.pins = set()
        self.canvas.skeleton.set_pins(self.pins)

    def _effective_mode(self, event: QMouseEvent) -> DragMode:
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        return DragMode.FREE if alt or not self.lock_lengths or self.tree is None else self.mode

    # ----- mouse --------------------------------------------------------------------------
    def press(self, event: QMouseEvent) -> None:
        c = self.canvas
        pos = event.position().toPoint()
        mods = event.modifiers()
        j = c.joint_at(pos)
        start = c.mapToScene(pos)
        sel_op = "rotate" if Qt.Key.Key_R in self.held else "scale" if Qt.Key.Key_S in self.held else "move"
        if j >= 0 and mods & Qt.KeyboardModifier.ControlModifier:
            c.toggle_selected(j)
            return
        if len(c.selection) > 1 and ((j >= 0 and j in c.selection) or (j < 0 and sel_op != "move")):
            self.drag = _Drag("selection", c.doc.pose, start, pos, joint=j, op=sel_op)
        elif j < 0 and self.overlay is not None and self.overlay.press(pos):
            self.drag = _Drag("overlay", c.doc.pose, start, pos)  # pyright: ignore[reportArgumentType]
        elif j >= 0:
            c.select(j)
            shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            offset = QPointF(*c.doc.pose.xy[j]) - start
            self.drag = _Drag("group" if shift else "joint", c.doc.pose, start, pos, joint=j,
                              mode=self._effective_mode(event), offset=offset)
        else:
            self.drag = _Drag("band", c.doc.pose, start, pos,
                              additive=bool(mods & Qt.KeyboardModifier.ControlModifier))
            self._band.setGeometry(QRect(pos, pos))
            self._band.show()

    def move(self, event: QMouseEvent) -> None:
        d, c = self.drag, self.canvas
        if d is None:
            return
        pos = event.position().toPoint()
        if d.kind == "band":
            self._band.setGeometry(QRect(d.origin, pos).normalized())
            return
        if d.kind == "overlay":
            if self.overlay is not None:
                self.overlay.move(c.mapToScene(pos))
            return
        c.doc.set_pose(self._pose_at(d, c.mapToScene(pos)), interactive=True)
        if d.joint >= 0:
            c.show_hover(d.joint)

    def _pose_at(self, d: _Drag, scene: QPointF) -> Pose | Keypoints:
        c = self.canvas
        if d.kind == "selection":
            return self._selection_pose(d, scene)
        xy = c.clamped(scene + d.offset)
        if d.kind == "group":
            name, members = c.keypoint_layout.drag_group(d.joint)
            return group_shifted(d.before, d.joint, xy, members, c.doc.size, c.keypoint_layout.followers(name))
        tree = self.tree
        pose = drag_joint(d.before, d.joint, xy, d.mode, self.pins, tree)
        if self.symmetric and tree is not None:
            pose = mirror_edit(d.before, pose, self.pins, tree)
        return pose

    def _selection_pose(self, d: _Drag, scene: QPointF) -> Pose | Keypoints:
        sel = self.canvas.selection
        centre = centroid(d.before, sel)
        if centre is None:
            return d.before
        cx, cy = centre
        if d.op == "move":
            return selection_transformed(d.before, sel, offset=(scene.x() - d.start.x(), scene.y() - d.start.y()),
                                         pins=self.pins)
        a0, a1 = (d.start.x() - cx, d.start.y() - cy), (scene.x() - cx, scene.y() - cy)
        if d.op == "rotate":
            angle = math.atan2(a1[1], a1[0]) - math.atan2(a0[1], a0[0])
            return selection_transformed(d.before, sel, angle=angle, pins=self.pins)
        r0 = math.hypot(*a0)
        factor = math.hypot(*a1) / r0 if r0 > 1e-6 else 1.0
        return selection_transformed(d.before, sel, scale=factor, pins=self.pins)

    def release(self, event: QMouseEvent) -> None:
        d, c = self.drag, self.canvas
        self.drag = None
        if d is None:
            return
        if d.kind == "band":
            self._band.hide()
            self._finish_band(d, event.position().toPoint())
            return
        if d.kind == "overlay":
            if self.overlay is not None:
                self.overlay.release()
            return
        c.doc.commit(c.doc.pose, self._step_text(d), before=d.before)
        if c.doc.pose != d.before:
            c.dragFinished.emit()

    def _finish_band(self, d: _Drag, pos: QPoint) -> None:
        c = self.canvas
        rect = QRect(d.origin, pos).normalized()
        if rect.width() < CLICK_PX and rect.height() < CLICK_PX:
            if not d.additive:
                c.select(-1)
            return
        pose = c.doc.pose
        inside = {i for i in range(len(pose)) if pose.present[i] and rect.contains(c.joint_viewport_pos(i))}
        c.set_selection((set(c.selection) | inside) if d.additive else inside)

    def _step_text(self, d: _Drag) -> str:
        c = self.canvas
        if d.kind == "selection":
            return f"{d.op.capitalize()} {len(c.selection)} {c.noun}s"
        if d.kind == "group":
            return f"Move {c.keypoint_layout.drag_group(d.joint)[0].replace('_', ' ')}"
        return f"{VERBS[d.mode]} {c.label(d.joint).lower()}"

    def wheel_scale(self, steps: float) -> None:
        """Ctrl+wheel: scale the selection about its centroid (quick steps fold into one undo step)."""
        c = self.canvas
        sel = c.selection
        if len(sel) < 2:
            return
        pose = selection_transformed(c.doc.pose, sel, scale=1.05**steps, pins=self.pins)
        c.doc.commit(pose, f"Scale {len(sel)} {c.noun}s", merge_key=("scale", frozenset(sel)))
