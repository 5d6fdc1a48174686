"""ComfyUI's POSE_KEYPOINT JSON: a top-level list of frames ``{people, canvas_width, canvas_height}``.

One frame reads as one PoseDocument, several as a list of them (timeline keyframes, one per frame). Each frame
follows the ControlNet rules of core.formats.openpose (pixel or normalised coordinates, decided per frame from its
canvas) and is written in ControlNet's flavour, present points at confidence 1.0.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.errors import PoseError
from core.formats.openpose import document_from_json, document_to_json
from core.posedoc import PoseDocument


def documents_from_json(where: str, frames: object) -> list[PoseDocument]:
    """Every frame of a POSE_KEYPOINT list; ``where`` (the file) starts every error."""
    if not isinstance(frames, list):
        raise PoseError(f"{where}: a POSE_KEYPOINT file is a list of frames, got {type(frames).__name__}")
    if not frames:
        raise PoseError(f"{where}: the POSE_KEYPOINT list has no frames")
    docs = []
    for i, frame in enumerate(frames):
        if not isinstance(frame, dict):
            raise PoseError(f"{where}: [{i}] is {type(frame).__name__}, expected a frame object with 'people'")
        docs.append(document_from_json(f"{where}: [{i}]", frame))
    return docs


def documents_to_json(docs: PoseDocument | Sequence[PoseDocument], normalised: bool = False) -> list[dict]:
    """The POSE_KEYPOINT list of one document or several (one frame each)."""
    items = [docs] if isinstance(docs, PoseDocument) else list(docs)
    if not items:
        raise PoseError("a POSE_KEYPOINT file needs at least one frame")
    return [document_to_json(d, "controlnet", normalised) for d in items]
