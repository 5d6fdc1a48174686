"""The canvas's own keys: arrows nudge, Delete hides, Escape deselects, Space pans, R / S held turn / scale a drag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent

if TYPE_CHECKING:
    from app.canvas.view import PoseCanvas

NUDGE_PX, NUDGE_SHIFT_PX = 1.0, 10.0  # arrow-key steps in screen pixels (Shift for the larger one)
ARROWS = {Qt.Key.Key_Left.value: (-1, 0), Qt.Key.Key_Right.value: (1, 0), Qt.Key.Key_Up.value: (0, -1),
          Qt.Key.Key_Down.value: (0, 1)}  # by key code: QKeyEvent.key() is an int
HELD = (Qt.Key.Key_R.value, Qt.Key.Key_S.value)  # while held, dragging the selection rotates (R) or scales (S) it


def key_pressed(canvas: PoseCanvas, event: QKeyEvent) -> bool:
    """Handle a key press on ``canvas``; False when it is not one of the canvas's keys."""
    key, sel = event.key(), canvas.selected
    if key in ARROWS and sel >= 0 and canvas.doc.pose.present[sel]:
        nudge(canvas, sel, *ARROWS[key], large=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
    elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
        canvas.set_space(True)
    elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and sel >= 0:
        canvas.doc.move_joint(sel, None, f"Hide {canvas.label(sel).lower()}")
    elif key == Qt.Key.Key_Escape:
        canvas.select(-1)
    elif key in HELD and event.modifiers() == Qt.KeyboardModifier.NoModifier:
        canvas.rig.held.add(key)
    else:
        return False
    return True


def key_released(canvas: PoseCanvas, event: QKeyEvent) -> bool:
    """Handle a key release on ``canvas``; False when it is not one of the canvas's keys."""
    key = event.key()
    if event.isAutoRepeat():
        return key == Qt.Key.Key_Space or key in HELD
    if key == Qt.Key.Key_Space:
        canvas.set_space(False)
    elif key in HELD:
        canvas.rig.held.discard(key)
    else:
        return False
    return True


def nudge(canvas: PoseCanvas, index: int, dx: int, dy: int, large: bool = False) -> None:
    """Move a point by a fixed number of screen pixels; repeated nudges of one point are one undo step."""
    step = (NUDGE_SHIFT_PX if large else NUDGE_PX) / max(canvas.transform().m11(), 1e-6)
    x, y = canvas.doc.pose.xy[index]
    xy = canvas.clamped(QPointF(x + dx * step, y + dy * step))
    canvas.doc.move_joint(index, xy, f"Nudge {canvas.label(index).lower()}", merge_key=("nudge", index))
