"""Whole-body, several-people pose documents: per image a canvas size and people with body, feet, hands and face.

Every part is an immutable point array (core.points.PointSet) in image pixels with NaN for a missing point. A part
nobody found or drew is absent (None), never zero-filled. ``Person.body`` is the COCO-18 core.skeleton.Pose that the
renderers and GFLA consume; the other parts travel alongside it.

Orders (OpenPose's): feet are BODY_25's points 19-24; hands are OpenPose's 21 hand points (wrist, then thumb, index,
middle, ring, little finger, base to tip); the face is OpenPose's 70 points (the 68 iBUG landmarks, then the right
and left pupil).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from core.errors import PoseError
from core.points import PointSet
from core.skeleton import Pose

FOOT_NAMES: tuple[str, ...] = (
    "left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe", "right_heel",
)
N_FEET = len(FOOT_NAMES)
N_HAND = 21
N_FACE = 70  # 68 landmarks + right pupil (68) + left pupil (69)
PART_NAMES: tuple[str, ...] = ("body", "feet", "left_hand", "right_hand", "face")
PART_SIZES: dict[str, int] = {"body": 18, "feet": N_FEET, "left_hand": N_HAND, "right_hand": N_HAND, "face": N_FACE}


def _check_points(arr: np.ndarray, n: int, what: str) -> None:
    if arr.shape != (n, 2):
        raise PoseError(f"{what} must have shape ({n}, 2) (x, y per point), got {arr.shape}")
    if np.isinf(arr).any():
        raise PoseError(f"{what} has infinite coordinates")
    if (np.isnan(arr).any(axis=1) & ~np.isnan(arr).all(axis=1)).any():
        raise PoseError(f"{what} has points with only one of x, y (use NaN for both to mark a point missing)")


@dataclass(frozen=True, eq=False)
class Feet(PointSet):
    """(6, 2) foot points in BODY_25 order: left big toe, left small toe, left heel, then the right ones."""

    def _validate(self, arr: np.ndarray) -> None:
        _check_points(arr, N_FEET, "feet")


@dataclass(frozen=True, eq=False)
class Hand(PointSet):
    """(21, 2) hand points in OpenPose order: wrist, then four points per finger from thumb to little finger."""

    def _validate(self, arr: np.ndarray) -> None:
        _check_points(arr, N_HAND, "a hand")


@dataclass(frozen=True, eq=False)
class Face(PointSet):
    """(70, 2) face points in OpenPose order: the 68 iBUG landmarks, then the right and the left pupil."""

    def _validate(self, arr: np.ndarray) -> None:
        _check_points(arr, N_FACE, "a face")


Part = Pose | Feet | Hand | Face
_PART_TYPES: dict[str, type[PointSet]] = {"body": Pose, "feet": Feet, "left_hand": Hand, "right_hand": Hand,
                                          "face": Face}


def make_part(name: str, xy: np.ndarray | PointSet | None) -> PointSet | None:
    """The part ``name`` (one of PART_NAMES) from an (N, 2) array; None, or an array with no point, is absent."""
    if xy is None:
        return None
    if isinstance(xy, PointSet):
        return xy if xy.present.any() or name == "body" else None
    part = _PART_TYPES[name](np.asarray(xy, dtype=np.float64))
    return part if part.present.any() or name == "body" else None


@dataclass(frozen=True)
class Person:
    """One person: a COCO-18 body (always there, possibly with every joint missing) and the optional parts."""

    body: Pose
    feet: Feet | None = None
    left_hand: Hand | None = None
    right_hand: Hand | None = None
    face: Face | None = None

    def part(self, name: str) -> PointSet | None:
        """The part called ``name`` (one of PART_NAMES), or None when absent."""
        if name not in PART_NAMES:
            raise PoseError(f"unknown part {name!r}: choose one of {', '.join(PART_NAMES)}")
        return getattr(self, name)

    def parts(self) -> Iterator[tuple[str, PointSet]]:
        """(name, points) of each part that is there, in PART_NAMES order."""
        for name in PART_NAMES:
            value = getattr(self, name)
            if value is not None:
                yield name, value

    def with_part(self, name: str, xy: np.ndarray | PointSet | None) -> Person:
        """A copy with part ``name`` replaced (None or an all-missing array removes it; the body stays)."""
        self.part(name)
        value = make_part(name, xy)
        if name == "body":
            body = Pose.empty() if value is None else value if isinstance(value, Pose) else Pose.coerce(value.xy)
            return replace(self, body=body)
        return replace(self, **{name: value})

    def without(self, names: Iterable[str]) -> Person:
        """A copy without the parts in ``names`` (removing "body" leaves every body joint missing)."""
        out = self
        for name in names:
            out = out.with_part(name, Pose.empty() if name == "body" else None)
        return out

    def found_parts(self) -> list[str]:
        """Names of the parts with at least one point, e.g. ['body', 'left_hand', 'face']."""
        return [name for name, pts in self.parts() if pts.present.any()]

    def summary(self) -> str:
        """One line, e.g. 'body 17/18, feet 6/6, left hand 21/21, face 70/70' (absent parts left out)."""
        items = []
        for name, pts in self.parts():
            items.append(f"{name.replace('_', ' ')} {int(pts.present.sum())}/{len(pts)}")
        return ", ".join(items) if items else "nothing"

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) over every present point of every part, or None."""
        boxes = [b for _, pts in self.parts() if (b := pts.bounds()) is not None]
        if not boxes:
            return None
        arr = np.array(boxes)
        return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max())

    @property
    def area(self) -> float:
        """Area of the body's joint box (0 without two joints): how "large" people are compared."""
        b = self.body.bounds()
        return 0.0 if b is None else (b[2] - b[0]) * (b[3] - b[1])

    def transformed(self, scale: float | tuple[float, float] = 1.0, offset: tuple[float, float] = (0.0, 0.0)) -> Person:
        """Every part mapped by x' = x * sx + ox, y' = y * sy + oy."""
        sx, sy = (float(scale), float(scale)) if isinstance(scale, (int, float, np.number)) else scale
        factor, shift = np.array([sx, sy]), np.array(offset, dtype=np.float64)
        out = self
        for name, pts in self.parts():
            out = out.with_part(name, pts.xy * factor + shift)
        return out


@dataclass(frozen=True)
class PoseDocument:
    """The poses of one image: its canvas (width, height), None when the file did not say, and its people."""

    canvas: tuple[int, int] | None
    people: tuple[Person, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "people", tuple(self.people))
        if self.canvas is not None:
            w, h = int(self.canvas[0]), int(self.canvas[1])
            if w <= 0 or h <= 0:
                raise PoseError(f"canvas size must be positive, got {w}x{h}")
            object.__setattr__(self, "canvas", (w, h))

    @classmethod
    def from_pose(cls, pose: Pose | np.ndarray, canvas: tuple[int, int] | None = None) -> PoseDocument:
        """A document with one person who has only a body."""
        return cls(canvas, (Person(Pose.coerce(pose)),))

    def largest(self) -> Person:
        """The person whose body box is largest (first in file order on ties); PoseError when empty."""
        if not self.people:
            raise PoseError("the pose document has no people")
        return max(self.people, key=lambda p: p.area)

    def person(self, index: int) -> Person:
        """People[index] with a one-line error naming the range when it does not exist."""
        if not 0 <= index < len(self.people):
            raise PoseError(f"there are {len(self.people)} people (0 to {len(self.people) - 1}); "
                            f"person {index} does not exist")
        return self.people[index]

    def with_people(self, people: Iterable[Person]) -> PoseDocument:
        return replace(self, people=tuple(people))

    def summary(self) -> str:
        """One line per person, e.g. 'person 0: body 18/18, left hand 21/21'."""
        if not self.people:
            return "no people"
        return "\n".join(f"person {i}: {p.summary()}" for i, p in enumerate(self.people))
