"""The body skeleton as a bone tree rooted at the neck, and re-targeting a pose onto another person's bone lengths."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import numpy as np

from core.points import PointSet
from core.skeleton import JOINT_INDEX, MIRROR_PERMUTATION, N_JOINTS

P = TypeVar("P", bound=PointSet)


@dataclass(frozen=True)
class BoneTree:
    """``parent[j]`` is the joint bone j hangs from (-1 for the root); ``mirror[j]`` is j's other-side joint."""

    parent: tuple[int, ...]
    mirror: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.parent)

    @cached_property
    def children(self) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(c for c, p in enumerate(self.parent) if p == j) for j in range(self.size))

    @cached_property
    def order(self) -> tuple[int, ...]:
        """Every joint, parents before children (breadth first from the roots)."""
        out = [j for j, p in enumerate(self.parent) if p < 0]
        k = 0
        while k < len(out):
            out.extend(self.children[out[k]])
            k += 1
        return tuple(out)

    def descendants(self, j: int) -> tuple[int, ...]:
        """The joints below ``j`` (not ``j`` itself), parents first."""
        out, k = list(self.children[j]), 0
        while k < len(out):
            out.extend(self.children[out[k]])
            k += 1
        return tuple(out)

    def is_end(self, j: int) -> bool:
        """True for a chain end (wrist, ankle, ear): IK solves the two bones above it."""
        return not self.children[j]


def _body_tree() -> BoneTree:
    names = {
        "nose": "neck", "right_shoulder": "neck", "right_elbow": "right_shoulder", "right_wrist": "right_elbow",
        "left_shoulder": "neck", "left_elbow": "left_shoulder", "left_wrist": "left_elbow", "right_hip": "neck",
        "right_knee": "right_hip", "right_ankle": "right_knee", "left_hip": "neck", "left_knee": "left_hip",
        "left_ankle": "left_knee", "right_eye": "nose", "left_eye": "nose", "right_ear": "right_eye",
        "left_ear": "left_eye",
    }  # fmt: skip
    parent = [-1] * N_JOINTS
    for child, par in names.items():
        parent[JOINT_INDEX[child]] = JOINT_INDEX[par]
    return BoneTree(tuple(parent), MIRROR_PERMUTATION)


BODY_TREE = _body_tree()


def keep_lengths(target: P, source: PointSet, tree: BoneTree = BODY_TREE) -> P:
    """``target`` with each bone's direction kept and its length taken from ``source`` (root stays where it is).

    A bone missing in ``source`` (or of zero length in ``target``) keeps the target's own vector; joints missing in
    ``target`` stay missing; a joint whose parent is missing in ``target`` keeps its own place.
    """
    t, s = np.asarray(target.xy), np.asarray(source.xy)  # (N, 2)
    out = np.array(t)
    for j in tree.order:
        p = tree.parent[j]
        if p < 0 or np.isnan(t[j]).any() or np.isnan(t[p]).any():
            continue
        bone = t[j] - t[p]
        norm = float(np.hypot(*bone))
        length = float(np.hypot(*(s[j] - s[p])))
        if norm > 1e-12 and np.isfinite(length):
            bone = bone / norm * length
        out[j] = out[p] + bone
    return type(target)(out)
