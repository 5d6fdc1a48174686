"""Pose files in and out for one body at a time: OpenPose JSON, skeleton images, the published annotation CSV.

The readers and writers live in core.formats (whole-body, several-people documents: core.posedoc); this module
keeps the single-body calls the app and the CLIs use, delegating to them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.atomic import write_text_atomic
from core.errors import PoseError
from core.formats.annotation_csv import (
    ANNOTATION_HEADER,
    MISSING,
    AnnotationRow,
    annotation_row_to_pose,
    pose_to_annotation_row,
    read_annotation_csv,
    write_annotation_csv,
)
from core.formats.common import load_json, parse_canvas
from core.formats.openpose import (
    BODY25_TO_COCO18,
    COCO17_TO_COCO18,
    KeypointTable,
    parse_people,
    person_to_json,
    remap_keypoints,
)
from core.formats.skeleton_image import draw_landmarks_image, draw_skeleton_image, skeleton_stick_width
from core.posedoc import Person
from core.skeleton import N_JOINTS, Pose

__all__ = [
    "ANNOTATION_HEADER", "BODY25_TO_COCO18", "COCO17_TO_COCO18", "MISSING", "AnnotationRow", "KeypointTable",
    "OpenPosePerson", "annotation_row_to_pose", "draw_landmarks_image", "draw_skeleton_image", "list_people",
    "openpose_canvas_size", "pose_to_annotation_row", "read_annotation_csv", "read_openpose_json",
    "remap_keypoints", "skeleton_stick_width", "write_annotation_csv", "write_openpose_json",
]


@dataclass(frozen=True, eq=False)
class OpenPosePerson:
    """One person of an OpenPose JSON file, converted to COCO-18."""

    index: int  # position in the file's people list
    pose: Pose
    confidence: np.ndarray  # (18,) float, 0 where missing
    layout: str  # "COCO-18", "BODY_25" or "COCO-17" as stored in the file
    person: Person | None = None  # the whole person (feet, hands, face) as core.posedoc reads it

    @property
    def area(self) -> float:
        b = self.pose.bounds()
        return 0.0 if b is None else (b[2] - b[0]) * (b[3] - b[1])


def _first_frame(p: Path) -> tuple[str, object]:
    """(where, object) of an OpenPose / ControlNet file, or of the first frame of a ComfyUI POSE_KEYPOINT list."""
    obj = load_json(p)
    if isinstance(obj, list):
        if not obj:
            raise PoseError(f"{p} is an empty POSE_KEYPOINT list (no frames)")
        return f"{p}: frame 0", obj[0]
    return str(p), obj


def list_people(path: str | os.PathLike) -> list[OpenPosePerson]:
    """Every person in an OpenPose / ControlNet JSON file (or a POSE_KEYPOINT list's first frame), in file order,
    converted to COCO-18."""
    _, people = parse_people(*_first_frame(Path(path)))
    return [OpenPosePerson(q.index, q.person.body, q.body_confidence, q.layout, q.person) for q in people]


def openpose_canvas_size(path: str | os.PathLike) -> tuple[int, int] | None:
    """(width, height) stored in an OpenPose JSON file by editors (canvas_width/height), or None."""
    where, doc = _first_frame(Path(path))
    return parse_canvas(where, doc) if isinstance(doc, dict) else None


def read_openpose_json(path: str | os.PathLike, person: int | None = None) -> Pose:
    """The pose of one person in an OpenPose JSON file, in COCO-18 order.

    ``person`` picks an index in the file's people list; by default the person whose joints
    span the largest box (ties: highest total confidence). Confidence 0 marks a missing joint.
    """
    people = list_people(path)
    if not people:
        raise PoseError(f"{path} contains no people")
    if person is None:
        return max(people, key=lambda q: (q.area, float(q.confidence.sum()))).pose
    if not 0 <= person < len(people):
        raise PoseError(f"{path} has {len(people)} people (0 to {len(people) - 1}); person {person} does not exist")
    return people[person].pose


def write_openpose_json(
    path: str | os.PathLike,
    pose: Pose | np.ndarray,
    canvas_size: tuple[int, int] | None = None,
    confidence: Sequence[float] | np.ndarray | None = None,
) -> None:
    """Write one person atomically as OpenPose JSON in COCO-18 layout (missing joint: 0, 0, 0).

    ``canvas_size`` is (width, height). ``confidence`` defaults to exactly 1 for present joints (what ControlNet
    keeps); a present joint is always written with a positive confidence so that it reads back present.
    Whole-body, several-people documents: core.formats.write_pose_document.
    """
    pose = Pose.coerce(pose)
    conf = None if confidence is None else np.asarray(confidence, dtype=np.float64).reshape(-1)
    if conf is not None and conf.shape != (N_JOINTS,):
        raise PoseError(f"confidence must have {N_JOINTS} values, got {conf.size}")
    doc: dict = {"version": 1.3}
    if canvas_size is not None:
        doc["canvas_width"], doc["canvas_height"] = int(canvas_size[0]), int(canvas_size[1])
    doc["people"] = [person_to_json(Person(pose), "openpose", body_confidence=conf)]
    write_text_atomic(path, json.dumps(doc, indent=1) + "\n")
