"""Bring a person in a photo of any size into the frame a GFLA network was trained on, and back.

Coordinates are continuous image coordinates: pixel (row i, column j) covers [j, j+1) × [i, i+1), so its
centre is (j + 0.5, i + 0.5). A box (x0, y0, x1, y1) in photo pixels maps onto the frame by one uniform
scale; the frame (DeepFashion 176 wide × 256 high, Market 64 × 128) is then resized to the network input
(DeepFashion stretched to 256 × 256, Market unchanged at 128 × 64) exactly as the published loaders do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.encoding import frame_pose_to_annotation, pose18_heatmaps
from core.errors import PoseError, RenderError
from core.skeleton import Pose


@dataclass(frozen=True)
class FrameSpec:
    """How a dataset framed its people: frame size, network size, placement margins and padding."""

    name: str
    frame_wh: tuple[int, int]  # the annotation frame (width, height)
    network_hw: tuple[int, int]  # the network input (height, width)
    top: float  # the highest joint sits this fraction of the frame height below the top
    bottom: float  # the lowest joint sits at this fraction of the frame height
    side: float  # joints keep at least this fraction of the frame width from either side
    pad: str  # "plain": the photo's border colour (studio backdrops); "edge": replicate the border
    resample: str = "bilinear"  # how the loader resized the frame to the network size: "bilinear" | "bicubic"
    output_wh: tuple[int, int] | None = None  # size of rendered images; None = the frame size

    @property
    def annotation_hw(self) -> tuple[int, int]:
        return self.frame_wh[1], self.frame_wh[0]

    @property
    def result_wh(self) -> tuple[int, int]:
        """(width, height) of rendered images: the frame's aspect, undoing the loader's stretch."""
        return self.output_wh or self.frame_wh

    @property
    def aspect(self) -> float:
        """Width / height of the frame (and of every crop box)."""
        return self.frame_wh[0] / self.frame_wh[1]


# DeepFashion (In-shop): full-body people centred on a plain light backdrop, eyes near 10 % and
# ankles near 90 % of the height (the fixtures' standing pose: eyes at y 26, ankles at y 230 of 256).
DEEPFASHION = FrameSpec("deepfashion", (176, 256), (256, 256), top=0.10, bottom=0.90, side=0.05, pad="plain")
# Market-1501: pedestrian-detector crops, the body spans almost the whole height on street backgrounds.
MARKET = FrameSpec("market", (64, 128), (128, 64), top=0.08, bottom=0.92, side=0.04, pad="edge")
# The animation data: whole video frames resized (bicubic) to 256 x 256. FashionVideo frames are
# 720 x 940 portraits of a full-body model on a plain backdrop; iPER frames are 1024 x 1024 squares.
# These placements are estimates (no published frames were available to measure them).
FASHION_VIDEO = FrameSpec(
    "fashion_video", (720, 940), (256, 256), top=0.07, bottom=0.93, side=0.05, pad="plain",
    resample="bicubic", output_wh=(196, 256),
)
IPER = FrameSpec(
    "iper", (1024, 1024), (256, 256), top=0.12, bottom=0.88, side=0.05, pad="edge",
    resample="bicubic", output_wh=(256, 256),
)

# The face network's crop: a square FACE_BOX_SCALE times the head's larger side (an estimate: the published
# FaceForensics crop is unknown; see core.render.face). The novel-view frame: the object's larger side spans
# OBJECT_FILL of the 256-pixel frame (an estimate: the ShapeNet renders' object size was not measured).
FACE_BOX_SCALE = 1.6
OBJECT_FILL = 0.84

_TORSO = (1, 2, 5, 8, 11)  # neck, shoulders, hips: the horizontal centre of the person


@dataclass(frozen=True)
class Framing:
    """A crop box in photo pixels with the frame it maps to."""

    spec: FrameSpec
    box: tuple[float, float, float, float]  # (x0, y0, x1, y1) in photo pixels, aspect = spec.aspect

    @property
    def scale(self) -> float:
        """Frame pixels per photo pixel (the same in x and y)."""
        return self.spec.frame_wh[1] / (self.box[3] - self.box[1])

    def to_frame(self, xy: np.ndarray | Pose) -> np.ndarray:
        """(N, 2) photo x, y → frame x, y (NaN stays NaN)."""
        xy = np.asarray(xy, dtype=np.float64)
        return (xy - np.array(self.box[:2])) * self.scale

    def from_frame(self, xy: np.ndarray) -> np.ndarray:
        """(N, 2) frame x, y → photo x, y."""
        return np.asarray(xy, dtype=np.float64) / self.scale + np.array(self.box[:2])

    def annotation(self, pose: Pose | np.ndarray) -> np.ndarray:
        """(18, 2) int (y, x) annotation of a photo-pixel pose in this frame (-1 = missing)."""
        return frame_pose_to_annotation(self.to_frame(Pose.coerce(pose).xy))

    def heatmaps(self, pose: Pose | np.ndarray) -> np.ndarray:
        """(18, H, W) float32 network heat maps of a photo-pixel pose, as the published loader makes them."""
        return pose18_heatmaps(self.annotation(pose), self.spec.annotation_hw, self.spec.network_hw)

    def crop(self, image: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 network input: the box cut from the photo, padded where it leaves it, resized."""
        image = _as_rgb(image)
        x0, y0, x1, y1 = self.box
        ix0, iy0 = int(np.floor(x0)), int(np.floor(y0))
        ix1, iy1 = max(int(np.ceil(x1)), ix0 + 1), max(int(np.ceil(y1)), iy0 + 1)
        h, w = image.shape[:2]
        rows = np.arange(iy0, iy1)
        cols = np.arange(ix0, ix1)
        region = image[np.clip(rows, 0, h - 1)][:, np.clip(cols, 0, w - 1)]  # (rh, rw, 3), edge-replicated
        if self.spec.pad == "plain":
            outside = ((rows < 0) | (rows >= h))[:, None] | ((cols < 0) | (cols >= w))[None, :]
            region[outside] = border_colour(image)
        net_h, net_w = self.spec.network_hw
        sub_box = (x0 - ix0, y0 - iy0, x1 - ix0, y1 - iy0)
        resample = Image.Resampling.BICUBIC if self.spec.resample == "bicubic" else Image.Resampling.BILINEAR
        resized = Image.fromarray(region).resize((net_w, net_h), resample, box=sub_box)
        return np.array(resized, dtype=np.uint8)  # writable copy

    def output_image(self, network_image: np.ndarray) -> np.ndarray:
        """(h, w, 3) uint8 at the frame's aspect (DeepFashion 176 × 256) from a network-size RGB uint8 image."""
        fw, fh = self.spec.result_wh
        if network_image.shape[:2] == (fh, fw):
            return network_image
        return np.array(Image.fromarray(network_image).resize((fw, fh), Image.Resampling.BILINEAR), dtype=np.uint8)


def _as_rgb(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise RenderError(f"expected an RGB uint8 image of shape (H, W, 3), got {image.dtype} {image.shape}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise RenderError("the image is empty")
    return image


def border_colour(image: np.ndarray) -> np.ndarray:
    """(3,) uint8 median colour of the photo's outer 2 % (its backdrop, for a studio photo)."""
    h, w = image.shape[:2]
    m = max(1, int(round(0.02 * min(h, w))))
    strip = np.concatenate(
        [image[:m].reshape(-1, 3), image[-m:].reshape(-1, 3), image[:, :m].reshape(-1, 3), image[:, -m:].reshape(-1, 3)]
    )
    return np.median(strip, axis=0).astype(np.uint8)


def frame_person(pose: Pose | np.ndarray, spec: FrameSpec) -> Framing:
    """The crop box that places the person as the dataset did: centred on the torso, joints spanning
    ``spec.top``..``spec.bottom`` of the height, every joint inside the side margins. The box may extend
    beyond the photo; ``Framing.crop`` pads there instead of cutting the person off.
    """
    pose = Pose.coerce(pose)
    pts = pose.xy[pose.present]
    if len(pts) < 2:
        raise PoseError("the source pose needs at least two joints to place the person in the frame")
    ymin, ymax = float(pts[:, 1].min()), float(pts[:, 1].max())
    torso = pose.xy[list(_TORSO)]
    torso = torso[~np.isnan(torso).any(axis=1)]
    cx = float(torso[:, 0].mean()) if len(torso) else float(pts[:, 0].min() + pts[:, 0].max()) / 2.0
    spread_x = float(np.abs(pts[:, 0] - cx).max())
    height = max(
        (ymax - ymin) / (spec.bottom - spec.top),  # vertical extent fits the margins
        2.0 * spread_x / (1.0 - 2.0 * spec.side) / spec.aspect,  # horizontal extent fits the side margins
        4.0,  # a degenerate pose (all joints at one point) still gets a box
    )
    # Place the joint span so that its top sits at `top` when the height is set by the vertical extent;
    # a taller box (wide pose) keeps the span centred at the same relative position.
    mid_frac = (spec.top + spec.bottom) / 2.0
    y0 = (ymin + ymax) / 2.0 - mid_frac * height
    width = height * spec.aspect
    return Framing(spec, (cx - width / 2.0, y0, cx + width / 2.0, y0 + height))
