"""Symmetric editing: an edit of one side's limbs repeated, mirrored, on the other side's limbs."""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

import numpy as np

from core.points import PointSet
from core.rig.tree import BODY_TREE, BoneTree

P = TypeVar("P", bound=PointSet)
_EPS = 1e-9


def _z(v: np.ndarray) -> complex:
    return complex(float(v[0]), float(v[1]))


def _bone_turn(before: np.ndarray, after: np.ndarray, j: int, p: int) -> complex | None:
    """after_bone / before_bone as a complex number (turn and stretch), or None when the bone did not change."""
    b, a = _z(before[j] - before[p]), _z(after[j] - after[p])
    if abs(a - b) <= _EPS or abs(b) <= _EPS:
        return None
    return a / b


def mirror_edit(before: P, after: P, pins: Collection[int] = (), tree: BoneTree = BODY_TREE) -> P:
    """``after`` with each bone edit (turn and stretch, ``before`` → ``after``) mirrored onto the other side.

    A bone that turned by θ makes its mirror bone turn by -θ (the mirror's own length kept, stretched by the same
    factor), about its parent; the mirror side's subtree follows rigidly. Bones edited on both sides are left as
    they are; pinned and missing joints stay; the midline (nose, neck) is never mirrored.
    """
    b, a = np.asarray(before.xy), np.asarray(after.xy)  # (N, 2)
    out = np.array(a)
    redone: set[int] = set()
    for j in tree.order:
        p, src = tree.parent[j], tree.mirror[j]
        if p < 0 or src == j or j in pins or np.isnan(np.stack([b[j], b[p], a[src], a[tree.parent[src]]])).any():
            continue
        own, turn = _bone_turn(b, a, j, p), _bone_turn(b, a, src, tree.parent[src])
        if turn is not None and own is None:
            bone = _z(b[j] - b[p]) * turn.conjugate()
            out[j] = out[p] + (bone.real, bone.imag)
            redone.add(j)
        elif p in redone:
            out[j] = out[p] + (a[j] - a[p])
            redone.add(j)
    return type(after)(out)
