"""Pose files in every format the project reads and writes, behind two calls: read_pose_document, write_pose_document.

Formats: OpenPose JSON (``version``, ``people[]``), ControlNet's flavour of it (``canvas_width``/``canvas_height``,
confidence exactly 1.0, pixel or normalised coordinates), ComfyUI's POSE_KEYPOINT (a top-level list of frames), and
the controlnet_aux skeleton PNG (write only: core.formats.controlnet_png). The published annotation CSV lives in
core.formats.annotation_csv. Each reader's rules are in its module's docstring.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from core.atomic import write_text_atomic
from core.errors import PoseError
from core.formats.comfyui import documents_from_json, documents_to_json
from core.formats.common import load_json
from core.formats.openpose import document_from_json, document_to_json
from core.posedoc import PoseDocument

__all__ = ["WRITE_FORMATS", "read_pose_document", "read_pose_documents", "write_pose_document", "format_of_json"]

WRITE_FORMATS = ("openpose", "controlnet", "comfyui")


def format_of_json(obj: object) -> str:
    """'comfyui' for a top-level list, 'controlnet' for an object with a canvas and no version, else 'openpose'."""
    if isinstance(obj, list):
        return "comfyui"
    if isinstance(obj, dict) and "canvas_width" in obj and "version" not in obj:
        return "controlnet"
    return "openpose"


def read_pose_documents(path: str | os.PathLike) -> list[PoseDocument]:
    """Every pose document of a file: one for OpenPose / ControlNet JSON, one per frame for POSE_KEYPOINT."""
    p = Path(path)
    obj = load_json(p)
    if isinstance(obj, list):
        return documents_from_json(str(p), obj)
    return [document_from_json(str(p), obj)]


def read_pose_document(path: str | os.PathLike) -> PoseDocument | list[PoseDocument]:
    """The pose document of an OpenPose, ControlNet or one-frame POSE_KEYPOINT file; a list of documents for a
    POSE_KEYPOINT file of several frames. PoseError (one line naming the file and the field) when malformed."""
    docs = read_pose_documents(path)
    return docs[0] if len(docs) == 1 else docs


def write_pose_document(
    path: str | os.PathLike,
    doc: PoseDocument | Sequence[PoseDocument],
    format: str = "openpose",  # noqa: A002 - the word users see in --format
    normalised: bool = False,
) -> None:
    """Write atomically as ``format`` (one of WRITE_FORMATS). Several documents need 'comfyui' (one frame each).

    ``normalised`` writes coordinates divided by the canvas (ControlNet and ComfyUI read either way).
    """
    if format not in WRITE_FORMATS:
        raise PoseError(f"unknown pose format {format!r}: choose one of {', '.join(WRITE_FORMATS)}")
    if format == "comfyui":
        obj: object = documents_to_json(doc, normalised)
    else:
        if not isinstance(doc, PoseDocument):
            if len(doc) != 1:
                raise PoseError(f"{len(doc)} frames need the comfyui format (a list of frames)")
            doc = doc[0]
        obj = document_to_json(doc, format, normalised)
    write_text_atomic(path, json.dumps(obj, indent=1) + "\n")
