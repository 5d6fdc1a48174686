"""Dragging one joint of a bone tree: Free (just it), Rotate (FK about its parent) and two-bone IK, honouring pins.

Every function takes and returns immutable point sets (core.points.PointSet); missing joints (NaN) stay missing and
are never moved. Rotations are rigid, so every bone keeps its length to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from enum import Enum
from typing import TypeVar

import numpy as np

from core.points import PointSet
from core.rig.tree import BODY_TREE, BoneTree

P = TypeVar("P", bound=PointSet)
XY = tuple[float, float]


class DragMode(Enum):
    """What dragging one joint does."""

    FREE = "free"  # only the joint moves (bones stretch)
    ROTATE = "rotate"  # the joint's bone turns about its parent, the child chain follows rigidly
    IK = "ik"  # a chain end is reached by bending the two bones above it


def _rotate_arr(arr: np.ndarray, pivot: np.ndarray, angle: float, joints: Collection[int]) -> None:
    """Rotate rows ``joints`` of ``arr`` ((N, 2), in place) by ``angle`` radians about ``pivot``; NaN rows stay."""
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    idx = [j for j in joints if not np.isnan(arr[j]).any()]
    if idx:
        arr[idx] = (arr[idx] - pivot) @ rot.T + pivot


def _angle(v: np.ndarray) -> float:
    return math.atan2(float(v[1]), float(v[0]))


def _moving(tree: BoneTree, j: int) -> tuple[int, ...]:
    return (j, *tree.descendants(j))


def _blocked(joints: Collection[int], pins: Collection[int]) -> bool:
    return any(j in pins for j in joints)


def rotate_bone(pose: P, j: int, target: XY, pins: Collection[int] = (), tree: BoneTree = BODY_TREE) -> P:
    """Turn the bone into ``j`` about its parent so that ``j`` points at ``target``; j's subtree follows rigidly.

    The root (no parent) moves the whole tree by the drag instead. Nothing moves when that would move a pinned
    joint, or when ``j`` or its parent is missing.
    """
    arr = pose.copy_array()  # (N, 2)
    p = tree.parent[j]
    joints = _moving(tree, j) if p >= 0 else tuple(range(tree.size))
    if np.isnan(arr[j]).any() or _blocked(joints, pins):
        return pose
    if p < 0:
        arr[list(joints)] += np.asarray(target, dtype=np.float64) - arr[j]
        return type(pose)(arr)
    if np.isnan(arr[p]).any():
        return pose
    to = np.asarray(target, dtype=np.float64) - arr[p]
    if float(np.hypot(*to)) < 1e-9:
        return pose
    _rotate_arr(arr, arr[p], _angle(to) - _angle(arr[j] - arr[p]), joints)
    return type(pose)(arr)


def _bend_sign(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """+1 or -1: the side of the line a→c that the middle joint b lies on (+1 when straight)."""
    u, v = b - a, c - a
    cross = float(u[0] * v[1] - u[1] * v[0])
    return -1.0 if cross > 0 else 1.0


def ik_two_bone(pose: P, j: int, target: XY, pins: Collection[int] = (), tree: BoneTree = BODY_TREE) -> P:
    """Reach ``target`` with chain end ``j`` by turning its two bones (base = grandparent, which stays).

    The middle joint bends to the side it was on. A target out of reach straightens the chain toward it; one too
    close folds it. A pinned middle joint turns only the end bone; a pinned end (or any pinned joint that would
    move) keeps the pose. Without a grandparent this is ``rotate_bone``.
    """
    mid = tree.parent[j]
    base = tree.parent[mid] if mid >= 0 else -1
    if base < 0 or mid in pins:
        return rotate_bone(pose, j, target, pins, tree)
    arr = pose.copy_array()  # (N, 2)
    a, b, c = arr[base], arr[mid], arr[j]
    if np.isnan(np.stack([a, b, c])).any() or _blocked(_moving(tree, mid), pins):
        return pose
    t = np.asarray(target, dtype=np.float64)
    l1, l2 = float(np.hypot(*(b - a))), float(np.hypot(*(c - b)))
    to = t - a
    d = float(np.hypot(*to))
    if d < 1e-9 or l1 < 1e-12 or l2 < 1e-12:
        return rotate_bone(pose, j, target, pins, tree)
    d = min(max(d, abs(l1 - l2)), l1 + l2)
    cos_a = (l1 * l1 + d * d - l2 * l2) / (2.0 * l1 * d)
    bend = _bend_sign(a, b, c) * math.acos(max(-1.0, min(1.0, cos_a)))
    new_mid_angle = _angle(to) + bend
    _rotate_arr(arr, a.copy(), new_mid_angle - _angle(b - a), _moving(tree, mid))
    end_at = a + to / float(np.hypot(*to)) * d  # where the end must be
    b2 = arr[mid].copy()
    _rotate_arr(arr, b2, _angle(end_at - b2) - _angle(arr[j] - b2), _moving(tree, j))
    return type(pose)(arr)


def drag_joint(pose: P, j: int, target: XY, mode: DragMode, pins: Collection[int] = (),
               tree: BoneTree | None = BODY_TREE) -> P:
    """One drag step of joint ``j`` to ``target`` from ``pose`` (the drag's start) in ``mode``.

    ``tree=None`` (a layout without bones, e.g. a face) is always Free. A pinned ``j`` never moves.
    """
    if j in pins:
        return pose
    if tree is None or mode is DragMode.FREE:
        return pose.with_joint(j, target)
    if mode is DragMode.IK and tree.is_end(j):
        return ik_two_bone(pose, j, target, pins, tree)
    return rotate_bone(pose, j, target, pins, tree)
