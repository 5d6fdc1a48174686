"""Rigid moves of several points at once: a selection turned/scaled/moved about its centroid, a part shifted as one."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import TypeVar

import numpy as np

from core.points import PointSet

P = TypeVar("P", bound=PointSet)
XY = tuple[float, float]


def centroid(pose: PointSet, joints: Collection[int]) -> XY | None:
    """Mean of the present points among ``joints``, or None when none is present."""
    idx = [j for j in joints if pose.present[j]]
    if not idx:
        return None
    c = pose.xy[idx].mean(axis=0)
    return float(c[0]), float(c[1])


def selection_transformed(pose: P, joints: Collection[int], angle: float = 0.0, scale: float = 1.0,
                          offset: XY = (0.0, 0.0), pins: Collection[int] = (), center: XY | None = None) -> P:
    """``joints`` turned by ``angle`` radians and scaled by ``scale`` about ``center`` (default: their centroid),
    then moved by ``offset``. Pinned and missing points stay; the centroid is that of all present ``joints``."""
    c = center if center is not None else centroid(pose, joints)
    idx = [j for j in joints if pose.present[j] and j not in pins]
    if c is None or not idx:
        return pose
    cs, sn = math.cos(angle) * scale, math.sin(angle) * scale
    m = np.array([[cs, -sn], [sn, cs]])
    arr = pose.copy_array()  # (N, 2)
    pivot = np.asarray(c, dtype=np.float64)
    arr[idx] = (arr[idx] - pivot) @ m.T + pivot + np.asarray(offset, dtype=np.float64)
    return type(pose)(arr)


def group_shifted(pose: P, grabbed: int, xy: XY, members: Collection[int], size: tuple[int, int],
                  followers: Sequence[tuple[int, float]] = ()) -> P:
    """``pose`` with point ``grabbed`` at ``xy`` and every present member moved by the same shift (a rigid part).

    The shift is limited so that every member stays on the ``size`` = (w, h) photo: the part keeps its shape at the
    edge. ``followers`` (index, fraction) move by that fraction of the shift (e.g. the chin with the lower lip),
    clamped to the photo one by one.
    """
    arr = pose.copy_array()  # (N, 2)
    idx = [i for i in members if pose.present[i]]
    if not idx or not pose.present[grabbed]:
        return pose
    w, h = size
    top = np.array([max(w - 1, 0), max(h - 1, 0)], dtype=np.float64)
    lo, hi = arr[idx].min(axis=0), arr[idx].max(axis=0)
    delta = np.clip(np.asarray(xy, dtype=np.float64) - arr[grabbed], -lo, top - hi)
    arr[idx] += delta
    for i, fraction in followers:
        if pose.present[i] and i not in idx:
            arr[i] = np.clip(arr[i] + fraction * delta, 0, top)
    return type(pose)(arr)
