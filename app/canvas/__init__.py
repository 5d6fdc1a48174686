"""The photo-and-skeleton editor view: joint and limb items, hit testing, drag, nudge, zoom and pan."""

from app.canvas.view import PoseCanvas

__all__ = ["PoseCanvas"]
