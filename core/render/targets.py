"""What each kind of renderer renders to: one target type per subject (core.subjects).

A renderer is typed by its target: ``Renderer[PoseTarget]`` for bodies, ``Renderer[FaceTarget]`` for faces,
``Renderer[ViewTarget]`` for object views (core.render.base.Renderer): each renderer class declares its target
(``load_renderer`` itself returns ``Renderer[Any]``: which network a file holds is known only once it is read,
and its registry record's subject says which target it takes). Point targets are typed by their layout, never guessed from an array's size: a body pose is
a ``core.skeleton.Pose`` (18 COCO joints), a face a ``core.keypoints.Keypoints`` of the 68-point layout
(core.face.layout.FACE68). Renderers also take plain (N, 2) arrays of their own layout, which they check.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core.face.layout import FACE68
from core.keypoints import Keypoints
from core.skeleton import Pose

PoseTarget = Pose  # a body: the 18 COCO joints, photo pixels
FaceTarget = Keypoints  # a face: FACE68's 68 landmarks, photo pixels


class ViewTarget(NamedTuple):
    """An object view: azimuth and elevation in degrees (snapped to a trained view by the renderer)."""

    azimuth: float
    elevation: float


def face_target(points: object) -> FaceTarget:
    """``points`` (Keypoints or a (68, 2) array) as a face target, or PoseError naming the expected shape."""
    if isinstance(points, Keypoints):
        FACE68.check(points.xy)
        return points
    return Keypoints(FACE68.check(np.asarray(points, dtype=np.float64)))


def view_target(view: object) -> ViewTarget:
    """``view`` ((azimuth°, elevation°) or a ViewTarget) as a ViewTarget."""
    azimuth, elevation = view  # type: ignore[misc]  # a pair
    return ViewTarget(float(azimuth), float(elevation))
