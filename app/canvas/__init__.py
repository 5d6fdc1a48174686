"""The photo-and-keypoints editor view for any keypoint layout: items, hit testing, drag, nudge, zoom and pan."""

from app.canvas.modes import drag_mode_actions, edit_toggle_actions, view_actions
from app.canvas.view import PoseCanvas
from core.keypoints import Keypoints

__all__ = ["Keypoints", "PoseCanvas", "drag_mode_actions", "edit_toggle_actions", "view_actions"]
