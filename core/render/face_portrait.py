"""Putting the face network's square frame back into the portrait it was cut from, with a soft edge.

``WholePortrait`` wraps a FaceRenderer so every result (single renders and sequences alike) is the whole
portrait, like the landmark mesh warp's: the face window, its timeline export and "Drive with Video…"
show and write the same kind of frame whichever face renderer made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np
from PIL import Image

from core.render.base import CancelFn, ProgressFn, RenderResult, SourceState
from core.render.targets import FaceTarget

FACE_FRAME = 256  # side of a "face only" frame: the face network's own frame size
FEATHER = 0.1  # width of the blend ramp at the frame's edge, as a fraction of its side


def edge_ramp(h: int, w: int, feather: float = FEATHER) -> np.ndarray:
    """(h, w) float32 weights: 1 inside, falling linearly to ~0 over ``feather`` of the side at the border."""
    ramp = max(1.0, feather * min(h, w))
    ys = np.minimum(np.arange(h) + 0.5, h - np.arange(h) - 0.5) / ramp  # (h,)
    xs = np.minimum(np.arange(w) + 0.5, w - np.arange(w) - 0.5) / ramp  # (w,)
    return np.clip(np.minimum(ys[:, None], xs[None, :]), 0.0, 1.0).astype(np.float32)


def paste_back(photo: np.ndarray, frame: np.ndarray, box: tuple[float, float, float, float],
               feather: float = FEATHER) -> np.ndarray:
    """(H, W, 3) uint8: ``photo`` with ``frame`` (S, S, 3) resized into ``box`` (x0, y0, x1, y1 photo pixels).

    The frame is blended in over a ramp at its edge, so the seam between re-rendered and original pixels is soft;
    the part of the box outside the photo is dropped.
    """
    photo = np.asarray(photo, dtype=np.uint8)
    h, w = photo.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    bw, bh = x1 - x0, y1 - y0
    out = photo.copy()
    if bw < 2 or bh < 2:
        return out
    patch = np.asarray(Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8)).resize((bw, bh), Image.Resampling.BICUBIC),
                       dtype=np.float32)  # (bh, bw, 3)
    alpha = edge_ramp(bh, bw, feather)[..., None]  # (bh, bw, 1)
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if cx1 <= cx0 or cy1 <= cy0:
        return out
    sub = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
    base = out[cy0:cy1, cx0:cx1].astype(np.float32)
    blended = base + alpha[sub] * (patch[sub] - base)
    out[cy0:cy1, cx0:cx1] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return out


class WholePortrait:
    """A face renderer whose results are the whole portrait with the network's face frame pasted back in.

    ``result.extras["network_image"]`` keeps the network's own square frame; ``crop_box`` is None (the whole photo).
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.device: str = inner.device

    def encode_source(self, image: np.ndarray, pose: FaceTarget | np.ndarray | None = None) -> SourceState:
        return self.inner.encode_source(image, pose)

    def _whole(self, state: SourceState, result: RenderResult) -> RenderResult:
        if result.crop_box is None:
            return result
        image = paste_back(state.image, result.image, result.crop_box)
        return replace(result, image=image, crop_box=None, extras={"network_image": result.image, "box": result.crop_box, **result.extras})

    def render(self, state: SourceState, target: FaceTarget | np.ndarray) -> RenderResult:
        return self._whole(state, self.inner.render(state, target))

    def render_sequence(self, state: SourceState, targets: Iterable[FaceTarget | np.ndarray], progress: ProgressFn | None = None,
                        cancel: CancelFn | None = None) -> Iterator[RenderResult]:
        for result in self.inner.render_sequence(state, targets, progress, cancel):
            yield self._whole(state, result)


def face_frame(result: RenderResult, landmarks: np.ndarray, side: int = FACE_FRAME) -> np.ndarray:
    """(side, side, 3) uint8 "face only" frame of a whole-portrait result: the network's own frame when it made one,
    else the square the network would have framed around the portrait's ``landmarks``, resized."""
    frame = result.extras.get("network_image")
    if frame is None:
        from core.render.face import crop_box, face_box

        frame = crop_box(result.image, face_box(np.asarray(landmarks, dtype=np.float64)))
    if frame.shape[:2] != (side, side):
        frame = np.asarray(Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8)).resize((side, side), Image.Resampling.BICUBIC))
    return frame


def open_portrait_renderer(choice: str = "auto", weights: str | None = None, device: str = "auto"
                           ) -> tuple[Any, str | None]:
    """(renderer giving whole-portrait results, note) for the command line.

    ``choice``: "network" (the face network from ``weights`` or the newest imported face checkpoint;
    CheckpointError naming the file when there is none), "warp" (the landmark mesh warp) or "auto" (the
    network when a checkpoint is found, else the warp, with ``note`` saying which file the network needs).
    """
    from core.errors import CheckpointError, StudioError
    from core.render.face import open_face_renderer
    from core.render.face_warp import FaceWarpRenderer
    from core.render.registry import locate_checkpoint

    if choice not in ("auto", "network", "warp"):
        raise StudioError(f"unknown face renderer {choice!r}: use auto, network or warp")
    if choice == "warp":
        if weights:
            raise StudioError("the landmark mesh warp uses no weights: leave out --weights, or use --renderer network")
        return FaceWarpRenderer(), None
    try:
        path = locate_checkpoint("face", weights)
    except CheckpointError as exc:
        if choice == "network":
            raise
        return FaceWarpRenderer(), f"{exc}; rendering with the landmark mesh warp instead"
    return WholePortrait(open_face_renderer(path, device=device)), None  # a wrong file fails here, before any work
