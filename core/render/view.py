"""The GFLA novel-view renderer: an object photo (car or chair) re-rendered from another azimuth and elevation.

Framing. The published ShapeNet loader reads 256 × 256 renders of one object on a white background
and resizes them (bilinear) to 256 × 256. A photo is brought into that frame as follows: when its
border is one plain colour, the pixels of that colour connected to the border are the backdrop; they
become white and the object's bounding box is framed so that its larger side spans ``OBJECT_FILL``
of the frame (an estimate: the renders' object size was not measured). Otherwise the whole photo is
framed, padded to a square with white. The frame is resized bilinear to 256 × 256.

Views. The network knows 18 azimuths (0°, 20°, …, 340°) and 3 elevations (0°, 10°, 20°); requested
angles snap to the nearest (core.gfla.shapenet.view_labels) and each result reports the view used.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

from core.errors import CheckpointError, RenderError
from core.gfla.shapenet import view_code, view_labels
from core.render import resolve_device
from core.render.base import FrameByFrame, RenderResult, SourceState
from core.render.framing import OBJECT_FILL, border_colour
from core.render.gfla import PoseNetwork, device_label, image_to_tensor, network_result, tensor_to_image
from core.render.targets import ViewTarget, view_target

VIEW_SIZE = 256
__all__ = ["OBJECT_FILL", "VIEW_SIZE", "ViewRenderer", "ViewSourceState", "frame_object", "open_view_renderer",
           "turntable", "view_angles"]
BACKDROP_TOLERANCE = 24  # max |channel difference| from the border colour that still counts as backdrop
_WHITE = np.array([255, 255, 255], np.uint8)


def view_angles(labels: tuple[int, int]) -> tuple[float, float]:
    """(azimuth°, elevation°) of raw (h, v) view labels."""
    return 10.0 * labels[0], float(labels[1])


def backdrop_mask(image: np.ndarray, tolerance: int = BACKDROP_TOLERANCE) -> np.ndarray | None:
    """(H, W) bool: the plain backdrop connected to the border, or None when the border is not one colour."""
    from core.imageio_utils import import_cv2

    cv2 = import_cv2()
    colour = border_colour(image).astype(np.int16)
    near = (np.abs(image.astype(np.int16) - colour).max(axis=2) <= tolerance).astype(np.uint8)  # (H, W)
    border = np.concatenate([near[0], near[-1], near[:, 0], near[:, -1]])
    if border.mean() < 0.9:  # the border itself is busy: no plain backdrop
        return None
    _, labels = cv2.connectedComponents(near, connectivity=4)
    edge_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    mask = np.isin(labels, edge_labels[edge_labels > 0]) & (near > 0)
    fraction = 1.0 - mask.mean()
    return mask if 0.002 <= fraction <= 0.98 else None


def frame_object(image: np.ndarray) -> tuple[np.ndarray, tuple[float, float, float, float], bool]:
    """(256, 256, 3) uint8 network frame, its box (x0, y0, x1, y1) in photo pixels, and whether a backdrop was removed."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or min(image.shape[:2]) < 1:
        raise RenderError(f"the object photo must be an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}")
    h, w = image.shape[:2]
    mask = backdrop_mask(image)
    if mask is not None:
        image = np.where(mask[..., None], _WHITE, image)
        ys, xs = np.nonzero(~mask)
        x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
        side = max(x1 - x0, y1 - y0) / OBJECT_FILL
        cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    else:
        side, cx, cy = float(max(h, w)), w / 2.0, h / 2.0
    box = (cx - side / 2.0, cy - side / 2.0, cx + side / 2.0, cy + side / 2.0)
    ix0, iy0 = int(np.floor(box[0])), int(np.floor(box[1]))
    ix1, iy1 = max(int(np.ceil(box[2])), ix0 + 1), max(int(np.ceil(box[3])), iy0 + 1)
    canvas = np.full((iy1 - iy0, ix1 - ix0, 3), 255, np.uint8)  # white outside the photo
    sy0, sx0 = max(iy0, 0), max(ix0, 0)
    sy1, sx1 = min(iy1, h), min(ix1, w)
    canvas[sy0 - iy0 : sy1 - iy0, sx0 - ix0 : sx1 - ix0] = image[sy0:sy1, sx0:sx1]
    sub = (box[0] - ix0, box[1] - iy0, box[2] - ix0, box[3] - iy0)
    framed = Image.fromarray(canvas).resize((VIEW_SIZE, VIEW_SIZE), Image.Resampling.BILINEAR, box=sub)
    return np.array(framed, dtype=np.uint8), box, mask is not None


@dataclass
class ViewSourceState(SourceState[tuple[int, int]]):
    """The framed object photo and its features. ``pose`` holds the photo's raw (h, v) view labels."""

    box: tuple[float, float, float, float] | None = None  # the square frame in photo pixels
    labels: tuple[int, int] = (0, 0)  # the photo's own view (h, v)
    source: torch.Tensor | None = None  # (1, 3, 256, 256) in [-1, 1]
    features: list[torch.Tensor] = field(default_factory=list)
    network_image: np.ndarray | None = None  # (256, 256, 3) uint8, the frame the network sees
    backdrop_removed: bool = False


class ViewRenderer(FrameByFrame[ViewTarget]):
    """Novel views of an object photo with a published ShapeNet (car or chair) network.

    ``kind`` must be "shapenet"; ``accel`` is accepted for the registry's common call and ignored.
    """

    kind = "shapenet"

    def __init__(self, model: nn.Module, kind: str = "shapenet", device: str = "auto", accel: str = "plain") -> None:
        if kind != self.kind:
            raise CheckpointError(f"{kind} is not the ShapeNet view-synthesis network")
        self.device = resolve_device(device)
        # a ShapeNetGenerator: nn.Module's typing hides its encode_source behind __getattr__
        self.model = cast(PoseNetwork, model.to(self.device).eval())
        self.name = f"GFLA shapenet ({device_label(self.device)})"

    def encode_source(self, image: np.ndarray, pose: tuple[float, float] | None = None) -> ViewSourceState:
        """Frame the photo; ``pose`` is its own view as (azimuth°, elevation°), default (0, 0), snapped to a trained view."""
        azimuth, elevation = (0.0, 0.0) if pose is None else (float(pose[0]), float(pose[1]))
        labels = view_labels(azimuth, elevation)
        framed, box, removed = frame_object(image)
        with torch.inference_mode():
            source = image_to_tensor(framed, self.device)  # (1, 3, 256, 256)
            features = self.model.encode_source(source)
        return ViewSourceState(
            image=image, pose=labels, box=box, labels=labels, source=source, features=list(features),
            network_image=framed, backdrop_removed=removed,
        )

    def render_view(self, state: SourceState, azimuth_deg: float, elevation_deg: float | None = None) -> RenderResult:
        """The object seen from (azimuth°, elevation°), snapped to the nearest trained view (elevation default: the photo's)."""
        if not isinstance(state, ViewSourceState) or state.source is None:
            raise RenderError("this source was prepared by another renderer; open the object photo again")
        start = time.perf_counter()
        elevation = view_angles(state.labels)[1] if elevation_deg is None else float(elevation_deg)
        target = view_labels(float(azimuth_deg), elevation)
        with torch.inference_mode():
            out = self.model(
                state.source, view_code(state.labels).to(self.device), view_code(target).to(self.device),
                source_features=state.features,
            )
        image = tensor_to_image(out["image"])  # (256, 256, 3)
        snapped = view_angles(target)
        return network_result(self, out, image, state.box, start, network_image=image, azimuth_deg=snapped[0],
                              elevation_deg=snapped[1], labels=target, requested=(float(azimuth_deg), elevation),
                              source_view=view_angles(state.labels))

    def render(self, state: SourceState, target: ViewTarget | tuple[float, float]) -> RenderResult:
        """``target`` is (azimuth°, elevation°)."""
        azimuth, elevation = view_target(target)
        return self.render_view(state, azimuth, elevation)


def turntable(elevation_deg: float = 0.0) -> list[tuple[float, float]]:
    """The 18 trained azimuths at one elevation, as (azimuth°, elevation°) targets."""
    return [(20.0 * i, float(elevation_deg)) for i in range(18)]


def open_view_renderer(path: str | os.PathLike | None, device: str = "auto") -> ViewRenderer:
    """The view renderer for a checkpoint (None: the newest imported ``shapenet`` weights), loaded strictly."""
    from core.render.registry import build_renderer

    renderer = build_renderer(path, device, kind="shapenet", subject="object")
    assert isinstance(renderer, ViewRenderer)  # the shapenet record's class
    return renderer
