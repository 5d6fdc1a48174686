"""The one place the canvas imports the keypoint layouts from (a move of core's face modules is a one-line fix here)."""

from core.face.layout import KeypointLayout, body_layout

__all__ = ["KeypointLayout", "body_layout"]
