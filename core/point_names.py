"""Human names for hand and face points (shown when the mouse hovers them), in OpenPose's point order.

Hand (21): 0 wrist, then thumb, index, middle, ring, little finger, four points each from the knuckle to the tip.
Face (70): the 68 iBUG landmarks (jaw 1-17, eyebrows, nose, eyes, lips) and the two pupils (68 right, 69 left);
"left" and "right" are the person's own, as OpenPose uses them.
"""

from __future__ import annotations

from core.errors import PoseError

_FINGERS = ("thumb", "index", "middle", "ring", "little")
_FINGER_JOINTS = ("base", "knuckle", "middle joint", "tip")
_THUMB_JOINTS = ("base", "knuckle", "joint", "tip")

# (first index, count, name): the face's runs of points; a run with one point is named without a number
_FACE_RUNS: tuple[tuple[int, int, str], ...] = (
    (0, 17, "jaw"), (17, 5, "right eyebrow"), (22, 5, "left eyebrow"), (27, 4, "nose bridge"),
    (31, 5, "nose bottom"), (36, 6, "right eye"), (42, 6, "left eye"), (48, 12, "outer lip"),
    (60, 8, "inner lip"), (68, 1, "right pupil"), (69, 1, "left pupil"),
)


def _hand_point(j: int) -> str:
    if j == 0:
        return "wrist"
    finger, k = divmod(j - 1, 4)
    joints = _THUMB_JOINTS if finger == 0 else _FINGER_JOINTS
    return f"{_FINGERS[finger]} {joints[k]}"


def point_name(part: str, index: int) -> str:
    """E.g. ``point_name("left_hand", 8)`` is "left hand: index tip", ``point_name("face", 2)`` is "face: jaw 3"."""
    if part in ("left_hand", "right_hand") and 0 <= index < 21:
        return f"{part.replace('_', ' ')}: {_hand_point(index)}"
    if part == "face":
        for first, count, name in _FACE_RUNS:
            if first <= index < first + count:
                return f"face: {name}" if count == 1 else f"face: {name} {index - first + 1}"
    raise PoseError(f"no point {index} in part {part!r}")
