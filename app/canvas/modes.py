"""The canvas's own actions: drag modes (Free, Rotate, IK), the edit toggles (lock, symmetric, pin) and view keys.

Their shortcuts work while the canvas has focus (``WidgetWithChildrenShortcut``), so they clash with no window key.
Toolbars and menus add the same QAction objects: ``drag_mode_actions(canvas)``, ``edit_toggle_actions(canvas)``,
``view_actions(canvas)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from core.rig import DragMode

if TYPE_CHECKING:
    from app.canvas.view import PoseCanvas

MODE_KEYS = {DragMode.FREE: "Q", DragMode.ROTATE: "W", DragMode.IK: "E"}
MODE_TIPS = {
    DragMode.FREE: "Free: a dragged joint moves alone, bones stretch (Q)",
    DragMode.ROTATE: "Rotate: a dragged joint turns its bone about the parent joint, the chain below follows (W)",
    DragMode.IK: "IK: drag a wrist, ankle or head end and the elbow or knee bends to reach it (E)",
}
LOCK_KEY, SYMMETRIC_KEY, PIN_KEY, FIT_KEY, ACTUAL_SIZE_KEY = "L", "X", "P", "F", "1"


@dataclass
class CanvasActions:
    """Every QAction the canvas owns (made once per canvas)."""

    modes: dict[DragMode, QAction]
    lock: QAction
    symmetric: QAction
    pin: QAction
    fit: QAction
    actual_size: QAction


def _action(canvas: PoseCanvas, text: str, key: str, tip: str, slot: Callable[[bool], object],
            checkable: bool = False) -> QAction:
    action = QAction(text, canvas)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setToolTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    canvas.addAction(action)
    return action


def build_canvas_actions(canvas: PoseCanvas) -> CanvasActions:
    """Make the canvas's actions, in step with its ``rig`` state (called by the canvas itself)."""
    group = QActionGroup(canvas)
    modes: dict[DragMode, QAction] = {}
    for mode, key in MODE_KEYS.items():
        a = _action(canvas, mode.name.capitalize() if mode is not DragMode.IK else "IK", key, MODE_TIPS[mode],
                    lambda _c=False, m=mode: canvas.rig.set_mode(m), checkable=True)
        group.addAction(a)
        modes[mode] = a
    modes[canvas.rig.mode].setChecked(True)
    lock = _action(canvas, "Lock Bone Lengths", LOCK_KEY,
                   "Rotate and IK keep every bone's length; hold Alt while dragging to move freely (L)",
                   lambda on: canvas.rig.set_lock(bool(on)), checkable=True)
    lock.setChecked(canvas.rig.lock_lengths)
    symmetric = _action(canvas, "Symmetric", SYMMETRIC_KEY, "Repeat a limb edit, mirrored, on the other side (X)",
                        lambda on: canvas.rig.set_symmetric(bool(on)), checkable=True)
    pin = _action(canvas, "Pin / Unpin Joint", PIN_KEY, "Pin the selected joints: they stay while others solve (P)",
                  lambda _c=False: canvas.rig.toggle_pins())
    fit = _action(canvas, "Fit to Window", FIT_KEY, "Show the whole photo (F)", lambda _c=False: canvas.fit())
    actual = _action(canvas, "Actual Size (100 %)", ACTUAL_SIZE_KEY, "One photo pixel per screen pixel (1)",
                     lambda _c=False: canvas.zoom_actual())
    return CanvasActions(modes, lock, symmetric, pin, fit, actual)


def drag_mode_actions(canvas: PoseCanvas) -> list[QAction]:
    """The checkable Free / Rotate / IK actions (exclusive), for a toolbar or menu."""
    return list(canvas.canvas_actions.modes.values())


def edit_toggle_actions(canvas: PoseCanvas) -> list[QAction]:
    """Lock bone lengths (checkable, on by default), Symmetric (checkable) and Pin / Unpin (P)."""
    a = canvas.canvas_actions
    return [a.lock, a.symmetric, a.pin]


def view_actions(canvas: PoseCanvas) -> list[QAction]:
    """Fit to window (F) and actual size 100 % (1)."""
    a = canvas.canvas_actions
    return [a.fit, a.actual_size]
