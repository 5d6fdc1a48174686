"""Keypoint layouts as plain data (names, groups, drawing lines, colours, mirror): the 68-point face and the 18-joint body.

The face layout is the dlib / iBUG-300W 68-point markup the published face network was trained on.
"Right" and "left" are the subject's: in an unmirrored photo of a frontal face, the subject's right
eye (points 36-41) is on the image's left. Point order inside each group follows the markup:

    jaw 0-16          from the subject's right ear level, down round the chin (8), up to the left
    right brow 17-21  outer end to inner end        left brow 22-26   inner end to outer end
    nose bridge 27-30 between the eyes down to the tip
    nose base 31-35   right nostril wing, through the base of the nose (33), to the left wing
    right eye 36-41   outer corner, upper lid (37, 38), inner corner (39), lower lid (40, 41)
    left eye 42-47    inner corner, upper lid (43, 44), outer corner (45), lower lid (46, 47)
    outer lips 48-59  right corner, upper lip (49-53, top at 51), left corner (54), lower lip back (55-59)
    inner lips 60-67  right corner, upper inner lip (61-63), left corner (64), lower inner lip back (65-67)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from core.errors import PoseError


@dataclass(frozen=True)
class KeypointLayout:
    """Everything a canvas needs to draw and edit one kind of keypoint set, with no drawing code in it."""

    name: str  # "face68" or "body18"
    names: tuple[str, ...]  # snake_case name per keypoint
    groups: tuple[tuple[str, tuple[int, ...]], ...]  # (group name, keypoint indices) in drawing order
    polylines: tuple[tuple[tuple[int, ...], bool], ...]  # (indices, closed) lines to draw
    colors: tuple[tuple[int, int, int], ...]  # RGB per keypoint
    mirror: tuple[int, ...]  # index permutation swapping left and right (an involution)
    # what a Shift+drag moves together (each point in one group at most); empty: ``groups``
    drag_groups: tuple[tuple[str, tuple[int, ...]], ...] = ()
    # points outside a drag group that follow it part of the way: (group, ((index, fraction), ...))
    drag_followers: tuple[tuple[str, tuple[tuple[int, float], ...]], ...] = ()

    @property
    def size(self) -> int:
        return len(self.names)

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        """Every drawn segment as an (a, b) index pair, e.g. for one graph item."""
        out: list[tuple[int, int]] = []
        for line, closed in self.polylines:
            out.extend(zip(line[:-1], line[1:], strict=True))
            if closed and len(line) > 2:
                out.append((line[-1], line[0]))
        return tuple(out)

    def label(self, index: int) -> str:
        """A readable name, e.g. 'Right eye outer corner'."""
        return self.names[index].replace("_", " ").capitalize()

    def group_of(self, index: int) -> str:
        return next(group for group, members in self.groups if index in members)

    def followers(self, group: str) -> tuple[tuple[int, float], ...]:
        """(index, fraction of the group's move) of the points that follow a Shift+drag of ``group``."""
        return next((f for name, f in self.drag_followers if name == group), ())

    def drag_group(self, index: int) -> tuple[str, tuple[int, ...]]:
        """(name, members) of the points a Shift+drag of point ``index`` moves with it (just it when in none)."""
        for group, members in self.drag_groups or self.groups:
            if index in members:
                return group, members
        return self.names[index], (index,)

    def check(self, xy: ArrayLike) -> np.ndarray:
        """``xy`` as a float64 (size, 2) array, or PoseError naming the expected shape."""
        arr = np.asarray(xy, dtype=np.float64)
        if arr.shape != (self.size, 2):
            raise PoseError(f"{self.name} keypoints must be {self.size} (x, y) points, got an array of shape {arr.shape}")
        return arr

    def mirrored(self, xy: np.ndarray, width: float) -> np.ndarray:
        """Keypoints of the horizontally flipped image (x -> width - x, left and right swapped)."""
        arr = self.check(xy)[list(self.mirror)].copy()
        arr[:, 0] = width - arr[:, 0]
        return arr


def _side(prefix: str, parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}_{p}" for p in parts)


_JAW = tuple([f"jaw_right_{8 - i}" for i in range(8)] + ["chin"] + [f"jaw_left_{i}" for i in range(1, 9)])
_BROW_R = _side("right_brow", ("outer", "outer_middle", "middle", "inner_middle", "inner"))
_BROW_L = _side("left_brow", ("inner", "inner_middle", "middle", "outer_middle", "outer"))
_NOSE = ("nose_bridge_top", "nose_bridge_upper", "nose_bridge_lower", "nose_tip",
         "right_nostril_wing", "right_nostril", "nose_base", "left_nostril", "left_nostril_wing")
_EYE_R = _side("right_eye", ("outer_corner", "upper_outer", "upper_inner", "inner_corner", "lower_inner", "lower_outer"))
_EYE_L = _side("left_eye", ("inner_corner", "upper_inner", "upper_outer", "outer_corner", "lower_outer", "lower_inner"))
_LIPS_OUT = ("right_mouth_corner", "upper_lip_right", "upper_lip_right_peak", "upper_lip_top", "upper_lip_left_peak",
             "upper_lip_left", "left_mouth_corner", "lower_lip_left", "lower_lip_left_middle", "lower_lip_bottom",
             "lower_lip_right_middle", "lower_lip_right")
_LIPS_IN = ("inner_right_mouth_corner", "upper_inner_lip_right", "upper_inner_lip_middle", "upper_inner_lip_left",
            "inner_left_mouth_corner", "lower_inner_lip_left", "lower_inner_lip_middle", "lower_inner_lip_right")
FACE68_NAMES: tuple[str, ...] = (*_JAW, *_BROW_R, *_BROW_L, *_NOSE, *_EYE_R, *_EYE_L, *_LIPS_OUT, *_LIPS_IN)

FACE68_GROUPS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("jaw", tuple(range(0, 17))),
    ("right_brow", tuple(range(17, 22))),
    ("left_brow", tuple(range(22, 27))),
    ("nose_bridge", tuple(range(27, 31))),
    ("nose_base", tuple(range(31, 36))),
    ("right_eye", tuple(range(36, 42))),
    ("left_eye", tuple(range(42, 48))),
    ("outer_lips", tuple(range(48, 60))),
    ("inner_lips", tuple(range(60, 68))),
)
_CLOSED = {"right_eye", "left_eye", "outer_lips", "inner_lips"}
FACE68_POLYLINES: tuple[tuple[tuple[int, ...], bool], ...] = tuple(
    (members, group in _CLOSED) for group, members in FACE68_GROUPS
)
FACE68_GROUP_COLORS: dict[str, tuple[int, int, int]] = {
    "jaw": (255, 200, 0),
    "right_brow": (255, 85, 0),
    "left_brow": (0, 170, 255),
    "nose_bridge": (255, 255, 255),
    "nose_base": (200, 200, 200),
    "right_eye": (255, 0, 85),
    "left_eye": (0, 85, 255),
    "outer_lips": (255, 0, 200),
    "inner_lips": (170, 0, 255),
}


def _face_mirror() -> tuple[int, ...]:
    pairs = [(i, 16 - i) for i in range(8)]  # jaw
    pairs += [(17 + i, 26 - i) for i in range(5)]  # brows
    pairs += [(31, 35), (32, 34)]  # nose base
    pairs += [(36, 45), (37, 44), (38, 43), (39, 42), (40, 47), (41, 46)]  # eyes
    pairs += [(48, 54), (49, 53), (50, 52), (55, 59), (56, 58)]  # outer lips
    pairs += [(60, 64), (61, 63), (65, 67)]  # inner lips
    perm = list(range(68))
    for a, b in pairs:
        perm[a], perm[b] = b, a
    return tuple(perm)


# Shift+drag groups: the parts a person moves as one (a brow, an eyelid set, the lower lip to open the mouth).
FACE68_DRAG_GROUPS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("jaw", tuple(range(0, 17))),
    ("right_brow", tuple(range(17, 22))),
    ("left_brow", tuple(range(22, 27))),
    ("nose", tuple(range(27, 36))),
    ("right_eye", tuple(range(36, 42))),
    ("left_eye", tuple(range(42, 48))),
    ("upper_lip", (49, 50, 51, 52, 53, 61, 62, 63)),
    ("lower_lip", (55, 56, 57, 58, 59, 65, 66, 67)),
    ("right_mouth_corner", (48, 60)),
    ("left_mouth_corner", (54, 64)),
)

# Opening the mouth drops the jaw: the chin follows the lower lip about half way, the jaw line less towards the ears,
# so a lip pulled down never runs over the chin.
FACE68_DRAG_FOLLOWERS: tuple[tuple[str, tuple[tuple[int, float], ...]], ...] = (
    ("lower_lip", ((8, 0.6), (7, 0.5), (9, 0.5), (6, 0.35), (10, 0.35), (5, 0.2), (11, 0.2), (4, 0.08), (12, 0.08))),
)

FACE68 = KeypointLayout(
    name="face68",
    names=FACE68_NAMES,
    groups=FACE68_GROUPS,
    polylines=FACE68_POLYLINES,
    colors=tuple(FACE68_GROUP_COLORS[group] for group, members in FACE68_GROUPS for _ in members),
    mirror=_face_mirror(),
    drag_groups=FACE68_DRAG_GROUPS,
    drag_followers=FACE68_DRAG_FOLLOWERS,
)

# Points that move little with expression: eye corners and the nose. Retargeting fits on these.
FACE68_STABLE: tuple[int, ...] = (27, 28, 29, 30, 31, 33, 35, 36, 39, 42, 45)


def body_layout() -> KeypointLayout:
    """The 18-joint OpenPose body (core.skeleton) in the same form, so one canvas can draw either."""
    from core.skeleton import COLORS, JOINT_NAMES, LIMBS_DRAWN, MIRROR_PERMUTATION

    return KeypointLayout(
        name="body18",
        names=JOINT_NAMES,
        groups=(("body", tuple(range(len(JOINT_NAMES)))),),
        polylines=tuple((limb, False) for limb in LIMBS_DRAWN),
        colors=COLORS,
        mirror=MIRROR_PERMUTATION,
    )
