"""What the body editor's worker sends back: the opened photo, render results, and what a render request asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.skeleton import Pose


@dataclass(frozen=True)
class Photo:
    """A photo that loaded and in which a person was found."""

    photo_id: int
    path: str
    image: np.ndarray  # (H, W, 3) uint8 RGB
    pose: Pose  # the detected (source) pose
    mask: np.ndarray | None  # (H, W) person mask from the detector, when it gives one
    redetected: bool = False  # True: same photo, detection run again
    remember: bool = True  # False: not a file to list in Open Recent (e.g. a photo embedded in a project)
    people: Any = None  # every person found, with hands and face (core.posedoc.PoseDocument), when detected
    selected: int = 0  # the person of ``people`` whose body is ``pose``


@dataclass(frozen=True)
class RenderOutcome:
    """One render result and what it was made for."""

    photo_id: int
    generation: int
    network: bool  # True: made by the checkpoint renderer; False: the warp preview
    result: Any  # core.render.RenderResult
    renderer: str
    device: str
    milliseconds: float  # the render call alone (a first encode_source for the photo is not counted)
    full_size: bool = True  # False: a quick preview of a bounded copy of the photo (the view scales it up)


@dataclass(frozen=True)
class RenderRequest:
    photo_id: int
    generation: int
    pose: Pose
    settled: bool
