"""The canvas's right-click menu: hide / reset / pin the point under the cursor, restore hidden points, modes, view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from app.canvas.modes import drag_mode_actions, edit_toggle_actions, view_actions

if TYPE_CHECKING:
    from app.canvas.view import PoseCanvas


def build_context_menu(canvas: PoseCanvas, pos: QPoint) -> QMenu:
    """The menu for viewport position ``pos``."""
    menu = QMenu(canvas)
    j = canvas.joint_at(pos)
    doc = canvas.doc
    if j >= 0:
        name = canvas.label(j).lower()
        menu.addAction(f"Hide {name}", lambda: doc.move_joint(j, None, f"Hide {name}"))
        if doc.detected.present[j]:
            xy = tuple(doc.detected.xy[j])
            menu.addAction(f"Reset {name} to detected", lambda: doc.move_joint(j, xy, f"Reset {name}"))
        pinned = j in canvas.rig.pins
        menu.addAction(f"{'Unpin' if pinned else 'Pin'} {name}", lambda: canvas.rig.toggle_pins({j}))
    hidden = [i for i in range(len(doc.pose.present)) if not doc.pose.present[i]]
    if hidden and doc.has_photo:
        where = canvas.clamped(canvas.mapToScene(pos))
        sub = menu.addMenu(f"Restore hidden {canvas.noun} here")
        for i in hidden:
            sub.addAction(canvas.label(i), lambda i=i: doc.move_joint(i, where, f"Restore {canvas.label(i).lower()}"))
    if canvas.extra_actions:
        menu.addSeparator()
        menu.addActions(canvas.extra_actions)
    if canvas.rig.tree is not None:
        menu.addSeparator()
        menu.addActions(drag_mode_actions(canvas))
        menu.addActions(edit_toggle_actions(canvas)[:2])
    menu.addSeparator()
    menu.addAction("Fit photo in view", canvas.fit)
    menu.addActions(view_actions(canvas)[1:])
    return menu
