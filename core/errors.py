"""Typed errors with messages meant for the user: the UI and the CLI show ``str(error)`` as is."""

from __future__ import annotations


class StudioError(Exception):
    """Base of every error the project raises on purpose; its message is for a person to read."""


class PoseError(StudioError, ValueError):
    """A pose array or pose file is malformed."""


class ImageLoadError(StudioError):
    """An image file cannot be read (missing, corrupt, not an image, unsupported)."""


class NoPersonFound(StudioError):
    """The detector found no person in the image."""


class NoFaceFound(NoPersonFound):
    """The face detector found no face in the image."""


class CheckpointError(StudioError):
    """A checkpoint file does not match any known network, or cannot be read."""


class RenderError(StudioError):
    """A renderer cannot produce an image for the given input."""


class ProjectFileError(StudioError):
    """A project file is malformed or from a newer version."""


class ExportError(StudioError):
    """Writing a video, GIF or image sequence failed."""


class Cancelled(StudioError):
    """A long job was cancelled by the user."""
