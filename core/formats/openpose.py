"""OpenPose JSON and ControlNet's flavour of it: ``people[]`` of flat [x, y, c, ...] lists, to and from PoseDocument.

Reading, per file:

* A body of 54 numbers is COCO-18, 75 BODY_25 (its mid-hip is dropped, its points 19-24 become the feet), 51 COCO-17.
  Hands have 21 points (63 numbers), the face 70 (210 numbers). ``null``, ``[]`` or a missing key is an absent part;
  a point with confidence 0 is a missing point.
* Coordinates are pixels, except in a file that has a canvas (``canvas_width``/``canvas_height``, at least
  MIN_NORMALISED_CANVAS pixels each way) in which no present coordinate exceeds 1 in magnitude: a whole pose drawn
  inside one pixel of such a canvas is not a pose anyone drew, so that file is normalised to [0, 1] and is scaled by
  the canvas. The decision is one per file. In a pixel file, a part whose points (two or more) all lie within
  [-1, 1] is a normalised part mixed into pixels: refused.

Writing: present points at confidence exactly 1.0 (ControlNet's decoder drops every point below 1.0), missing
points as 0, 0, 0, absent parts as ``[]``. The OpenPose flavour writes a BODY_25 body when the person has feet, else
COCO-18; the ControlNet flavour always COCO-18 (its drawer reads 18 body points), so feet are not stored there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import PoseError
from core.formats.common import flatten_points, parse_canvas, parse_triplets
from core.posedoc import N_FACE, N_HAND, Person, PoseDocument
from core.skeleton import N_JOINTS, Pose

# A keypoint table maps each COCO-18 joint to a source index, or to a pair of source indices
# whose midpoint it is (present only when both are).
KeypointTable = Sequence[int | tuple[int, int]]

# OpenPose BODY_25: 8 is the mid-hip and 19-24 are feet; the rest are COCO-18 joints shifted.
BODY25_TO_COCO18: KeypointTable = (0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
BODY25_FEET = slice(19, 25)
# COCO-17 (mmpose, COCO keypoint files): no neck; the face joints come first.
COCO17_TO_COCO18: KeypointTable = (0, (5, 6), 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3)
BODY_LAYOUTS: dict[int, str] = {18: "COCO-18", 25: "BODY_25", 17: "COCO-17"}
_TABLES: dict[int, KeypointTable | None] = {18: None, 25: BODY25_TO_COCO18, 17: COCO17_TO_COCO18}
PART_FIELDS: dict[str, str] = {
    "face": "face_keypoints_2d", "left_hand": "hand_left_keypoints_2d", "right_hand": "hand_right_keypoints_2d",
}
_PART_COUNTS: dict[str, dict[int, str]] = {
    "face": {N_FACE: "70 face points"}, "left_hand": {N_HAND: "21 hand points"},
    "right_hand": {N_HAND: "21 hand points"},
}
MIN_NORMALISED_CANVAS = 16
FLAVOURS = ("openpose", "controlnet")


def remap_keypoints(xy: np.ndarray, conf: np.ndarray, table: KeypointTable) -> tuple[np.ndarray, np.ndarray]:
    """(K, 2) points and (K,) confidences in a source layout -> (18, 2) and (18,) in COCO-18.

    A source point is missing when its confidence is not positive or it is NaN; missing
    output joints get NaN and confidence 0.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    conf = np.asarray(conf, dtype=np.float64).reshape(-1)
    ok = (conf > 0) & np.isfinite(xy).all(axis=1)
    out = np.full((N_JOINTS, 2), np.nan)
    out_conf = np.zeros(N_JOINTS)
    for j, src in enumerate(table):
        if isinstance(src, tuple):
            a, b = src
            if ok[a] and ok[b]:
                out[j] = (xy[a] + xy[b]) / 2.0
                out_conf[j] = min(conf[a], conf[b])
        elif ok[src]:
            out[j] = xy[src]
            out_conf[j] = conf[src]
    return out, out_conf


@dataclass(frozen=True)
class ParsedPerson:
    """One person of a file: the Person, the body's (18,) confidences (0 = missing) and the body layout read."""

    index: int
    person: Person
    body_confidence: np.ndarray
    layout: str


def _raw_person(where: str, entry: object) -> dict[str, np.ndarray | None]:
    """The (K, 3) triplets of each field of one ``people[i]`` entry (None where absent)."""
    if not isinstance(entry, dict):
        raise PoseError(f"{where} is not an object")
    key = "pose_keypoints_2d" if "pose_keypoints_2d" in entry else "pose_keypoints"
    if key not in entry:
        raise PoseError(f"{where} has no 'pose_keypoints_2d' list")
    raw = {"body": parse_triplets(f"{where}.{key}", entry[key], BODY_LAYOUTS)}
    for name, fld in PART_FIELDS.items():
        raw[name] = parse_triplets(f"{where}.{fld}", entry.get(fld), _PART_COUNTS[name])
    return raw


def _present_xy(trip: np.ndarray | None) -> np.ndarray:
    return np.zeros((0, 2)) if trip is None else trip[trip[:, 2] > 0, :2]


def _is_normalised(canvas: tuple[int, int] | None, raws: list[dict[str, np.ndarray | None]]) -> bool:
    coords = [_present_xy(t) for raw in raws for t in raw.values()]
    flat = np.concatenate([c.reshape(-1) for c in coords]) if coords else np.zeros(0)
    if canvas is None or min(canvas) < MIN_NORMALISED_CANVAS or flat.size == 0:
        return False
    return bool(np.abs(flat).max() <= 1.0)


def _check_not_mixed(where: str, raws: list[dict[str, np.ndarray | None]]) -> None:
    """In a pixel file, refuse a part whose points all lie within [-1, 1] (a normalised part)."""
    for i, raw in enumerate(raws):
        for name, trip in raw.items():
            pts = _present_xy(trip)
            if len(pts) >= 2 and np.abs(pts).max() <= 1.0:
                fld = "pose_keypoints_2d" if name == "body" else PART_FIELDS[name]
                raise PoseError(f"{where}: people[{i}].{fld}: every coordinate within [0, 1] (normalised) while "
                                "the rest of the file is in pixels; mixed normalised and pixel coordinates")


def _to_points(trip: np.ndarray | None, scale: np.ndarray) -> np.ndarray | None:
    if trip is None:
        return None
    return np.where((trip[:, 2] > 0)[:, None], trip[:, :2] * scale, np.nan)


def _build_person(index: int, raw: dict[str, np.ndarray | None], scale: np.ndarray) -> ParsedPerson:
    body = raw["body"]
    layout, feet = "COCO-18", None
    if body is None:
        xy, conf = np.full((N_JOINTS, 2), np.nan), np.zeros(N_JOINTS)
    else:
        layout, table = BODY_LAYOUTS[len(body)], _TABLES[len(body)]
        pts = _to_points(body, scale)
        assert pts is not None
        if table is None:
            xy, conf = pts, np.where(body[:, 2] > 0, body[:, 2], 0.0)
        else:
            xy, conf = remap_keypoints(pts, body[:, 2], table)
        if len(body) == 25:
            feet = pts[BODY25_FEET]
    person = Person(Pose(xy)).with_part("feet", feet)
    for name in PART_FIELDS:
        person = person.with_part(name, _to_points(raw[name], scale))
    return ParsedPerson(index=index, person=person, body_confidence=conf, layout=layout)


def parse_people(where: str, doc: object) -> tuple[tuple[int, int] | None, list[ParsedPerson]]:
    """(canvas, people) of one OpenPose / ControlNet JSON object; ``where`` (the file) starts every error."""
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise PoseError(f"{where} has no 'people' list; is it an OpenPose JSON file?")
    canvas = parse_canvas(where, doc)
    raws = [_raw_person(f"{where}: people[{i}]", e) for i, e in enumerate(doc["people"])]
    normalised = _is_normalised(canvas, raws)
    if not normalised:
        _check_not_mixed(where, raws)
    scale = np.array(canvas if normalised and canvas else (1, 1), dtype=np.float64)
    return canvas, [_build_person(i, raw, scale) for i, raw in enumerate(raws)]


def document_from_json(where: str, doc: object) -> PoseDocument:
    """A PoseDocument from one parsed OpenPose / ControlNet JSON object."""
    canvas, people = parse_people(where, doc)
    return PoseDocument(canvas, tuple(p.person for p in people))


def _body25(person: Person) -> np.ndarray:
    out = np.full((25, 2), np.nan)
    out[list(BODY25_TO_COCO18)] = person.body.xy
    hips = person.body.xy[[8, 11]]
    if not np.isnan(hips).any():
        out[8] = hips.mean(axis=0)
    if person.feet is not None:
        out[BODY25_FEET] = person.feet.xy
    return out


def person_to_json(person: Person, flavour: str = "openpose", scale: tuple[float, float] = (1.0, 1.0),
                   body_confidence: np.ndarray | None = None) -> dict:
    """One ``people[]`` entry: coordinates divided by ``scale`` (the canvas, for normalised output)."""
    if flavour not in FLAVOURS:
        raise PoseError(f"unknown JSON flavour {flavour!r}: choose one of {', '.join(FLAVOURS)}")
    use25 = flavour == "openpose" and person.feet is not None
    body = _body25(person) if use25 else person.body.xy
    conf = None if body_confidence is None or use25 else body_confidence
    entry: dict = {"person_id": [-1]} if flavour == "openpose" else {}
    entry["pose_keypoints_2d"] = flatten_points(body, conf, scale)
    for name, fld in PART_FIELDS.items():
        part = person.part(name)
        entry[fld] = [] if part is None else flatten_points(part.xy, None, scale)
    return entry


def document_to_json(doc: PoseDocument, flavour: str = "openpose", normalised: bool = False) -> dict:
    """The JSON object of a document in ``flavour`` ("openpose" or "controlnet"); ``normalised`` divides every
    coordinate by the canvas (ControlNet files may be either way)."""
    if flavour == "controlnet" and doc.canvas is None:
        raise PoseError("a ControlNet pose file needs the canvas size (canvas_width, canvas_height)")
    if normalised and doc.canvas is None:
        raise PoseError("normalised coordinates need the canvas size")
    scale = (float(doc.canvas[0]), float(doc.canvas[1])) if normalised and doc.canvas else (1.0, 1.0)
    people = [person_to_json(p, flavour, scale) for p in doc.people]
    if flavour == "controlnet":
        assert doc.canvas is not None
        return {"people": people, "canvas_width": doc.canvas[0], "canvas_height": doc.canvas[1]}
    out: dict = {"version": 1.3}
    if doc.canvas is not None:
        out["canvas_width"], out["canvas_height"] = doc.canvas
    out["people"] = people
    return out
