"""The photo-and-keypoints editor view for any keypoint layout: items, hit testing, drag, nudge, zoom and pan."""

from app.canvas.points import Keypoints
from app.canvas.view import PoseCanvas

__all__ = ["Keypoints", "PoseCanvas"]
