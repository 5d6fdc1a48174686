"""The embedded renderer: a skeleton-driven 2-D warp (layered, dual-number blend skinning) that needs no checkpoint."""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

from core.errors import RenderError
from core.render.base import FrameByFrame, RenderResult, SourceState
from core.render.sampling import sample_pixels
from core.render.targets import PoseTarget
from core.render.warp_parts import Layer
from core.render.warp_rig import PART_INDEX, PARTS, SCALE_LIMITS, Shape
from core.render.warp_skin import Transform, blend_backward, solve_transforms, target_shapes
from core.render.warp_source import WarpSourceState, encode
from core.skeleton import Pose

__all__ = ["WarpRenderer", "WarpSourceState"]

MOVED_PX = 0.05  # a target pixel whose source lies farther than this (px) away shows a moved part


class WarpRenderer(FrameByFrame[PoseTarget]):
    """Reposes the person in a photo by warping body-part layers along the skeleton's bones.

    ``encode_source`` cuts the person into parts (torso, head, upper/lower arms and legs) with smooth
    per-bone weights and inpaints the background behind them; ``render`` moves every bone with a 2-D
    transform (rotation plus stretch along the bone), blends the inverse transforms into a dense
    backward flow per part, samples each part with the shared bilinear sampler and composites the
    parts back to front (forearms over upper arms over head, legs and torso) over the background. The
    feathered ring of background that each part carries along is drawn beneath every part's person
    pixels, and the outline pixels are un-mixed from the background (warp_matte), so a moved limb
    leaves no light seam over the body.
    """

    name = "Skeleton warp (no checkpoint)"

    def __init__(self, device: str = "cpu") -> None:
        device = (device or "cpu").lower()
        self.device = "cpu" if device == "auto" else device
        if self.device != "cpu" and not self.device.startswith("cuda"):
            raise RenderError(f"unknown device {device!r}: use auto, cpu or cuda")
        if self.device.startswith("cuda") and not torch.cuda.is_available():
            raise RenderError("CUDA was requested but no CUDA device is available; choose CPU or Auto")

    def encode_source(
        self, image: np.ndarray, pose: Pose | np.ndarray, mask: np.ndarray | None = None
    ) -> WarpSourceState:
        """Prepare a photo (H, W, 3) uint8 and its skeleton; ``mask`` (H, W) float is an optional person segmentation.

        Without a mask the person's outline is derived from the skeleton (capsules around the limbs, a
        polygon for the torso, a disc for the head), sized from the skeleton's scale.
        """
        state = encode(image, pose, mask)
        if self.device != "cpu":
            for layer in state.layers:
                layer.rgba = layer.rgba.to(self.device)
                layer.ring = None if layer.ring is None else layer.ring.to(self.device)
        return state

    def render(self, state: SourceState, target: Pose | np.ndarray) -> RenderResult:
        """The whole photo with the person moved to ``target``; flows[0] is the backward flow target→source."""
        t0 = time.perf_counter()
        with _torch_threads(1 if self.device == "cpu" else None):
            result = self._render(state, target)
        result.seconds = time.perf_counter() - t0
        return result

    def _render(self, state: SourceState, target: Pose | np.ndarray) -> RenderResult:
        if not isinstance(state, WarpSourceState):
            raise RenderError("this source was prepared by another renderer; open the photo again")
        H, W = state.image.shape[:2]
        xy = np.clip(Pose.coerce(target).copy_array(), -10.0 * max(H, W), 11.0 * max(H, W))
        transforms = solve_transforms(state.rig, xy)
        shapes = target_shapes(state.rig, transforms)
        across = float(np.clip(math.sqrt(abs(np.linalg.det(transforms["torso"].A))), *SCALE_LIMITS))

        dev = self.device
        boxes = []  # (layer, part spec, blend width, target box) of every part that lands on the photo
        for layer in state.layers:
            spec = PARTS[PART_INDEX[layer.part]]
            sigma = spec.sigma * state.rig.scale * across
            box = _target_box(layer, spec.bones, transforms, 2.0 * sigma + 2.0, W, H)
            if box is not None:
                boxes.append((layer, spec, sigma, box))
        image = state.background.copy()
        alpha = torch.zeros(H, W, device=dev)  # (H, W) coverage of the warped person
        flow = torch.zeros(2, H, W, device=dev)  # (2, H, W) backward flow, x then y
        if boxes:  # composite in float only over the region the parts can reach
            X0, Y0 = min(b[3][0] for b in boxes), min(b[3][1] for b in boxes)
            X1, Y1 = max(b[3][2] for b in boxes), max(b[3][3] for b in boxes)
            canvas = torch.from_numpy(image[Y0:Y1, X0:X1]).to(dev, torch.float32).permute(2, 0, 1).contiguous()
            # A part that moves takes the ring of background around its outline along; that ring must not cover
            # the person pixels of the parts behind it, so the rings of the moving parts are drawn first, beneath
            # every part. The back part, and the parts behind all moving ones (they stay where they are), cover no
            # person pixels with their rings and are drawn whole.
            moving = next((k for k, b in enumerate(boxes) if not _still(b[1].blend, transforms, shapes)), len(boxes))
            moving = max(moving, 1)
            touched = torch.zeros(Y1 - Y0, X1 - X0, device=dev)  # where a moving part was or is drawn
            later = []  # (box, premultiplied RGB, alpha) drawn after the rings, back to front
            for k, (layer, spec, sigma, (x0, y0, x1, y1)) in enumerate(boxes):  # canvas: (3, Y1 - Y0, X1 - X0)
                src = _backward_coords(
                    (x0, y0, x1, y1), state.flow_step, spec.bones, spec.blend, transforms, shapes, sigma, dev
                )  # (1, 2, h, w) source positions
                coords = src.permute(0, 2, 3, 1) - torch.tensor(layer.origin, dtype=torch.float32, device=dev)
                rgba = sample_pixels(layer.rgba, coords, padding_mode="zeros")[0]  # (4, h, w)
                a = rgba[3]  # (h, w)
                src[0, 0].sub_(torch.arange(x0, x1, dtype=torch.float32, device=dev))
                src[0, 1].sub_(torch.arange(y0, y1, dtype=torch.float32, device=dev)[:, None])  # now offsets
                flow[:, y0:y1, x0:x1] = torch.where(a > 0.5, src[0], flow[:, y0:y1, x0:x1])
                if not _still(spec.blend, transforms, shapes):
                    _touch(touched, layer, a, src[0], (x0 - X0, y0 - Y0), (X0, Y0))
                if k >= moving and layer.ring is not None:
                    share = sample_pixels(layer.ring, coords, padding_mode="zeros")[0, 0]  # (h, w)
                    ring, ring_rgb = a * share, rgba[:3] * share
                    _over(canvas[:, y0 - Y0 : y1 - Y0, x0 - X0 : x1 - X0], alpha[y0:y1, x0:x1], ring_rgb, ring)
                    rgba[:3].sub_(ring_rgb)
                    a.sub_(ring)
                later.append(((x0, y0, x1, y1), rgba[:3], a))
            for (x0, y0, x1, y1), rgb, a in later:
                _over(canvas[:, y0 - Y0 : y1 - Y0, x0 - X0 : x1 - X0], alpha[y0:y1, x0:x1], rgb, a)
            image[Y0:Y1, X0:X1] = _keep_photo_off(touched, canvas, state.image[Y0:Y1, X0:X1])
        extras = {}
        if not Pose.coerce(target).present.any():
            extras["note"] = "the target pose has no joints: the photo is shown unchanged"
        return RenderResult(image=image, renderer=self.name, crop_box=None, flows=[flow.cpu().numpy()],
                            masks=[alpha.cpu().numpy()], extras=extras)  # fmt: skip


def _still(bones: tuple[str, ...], transforms: dict[str, Transform], shapes: dict[str, Shape]) -> bool:
    """True when every one of ``bones`` that is present stays where it is (its transform is the identity)."""
    for b in bones:
        if b in shapes:
            T = transforms[b]
            if float(np.abs(T.A - np.eye(2)).max()) > 1e-9 or float(np.abs(T.t).max()) > 1e-6:
                return False
    return True


def _mark(touched: torch.Tensor, alpha: torch.Tensor, at: tuple[int, int]) -> None:
    """Raise ``touched`` (h, w) to ``alpha`` (a, b) placed with its top-left corner at ``at`` (x, y), clipped."""
    x, y = at
    h, w = touched.shape
    ax0, ay0 = max(0, -x), max(0, -y)
    bx0, by0, bx1, by1 = max(0, x), max(0, y), min(w, x + alpha.shape[1]), min(h, y + alpha.shape[0])
    if bx1 > bx0 and by1 > by0:
        win = touched[by0:by1, bx0:bx1]
        torch.maximum(win, alpha[ay0 : ay0 + by1 - by0, ax0 : ax0 + bx1 - bx0].to(win), out=win)


def _touch(touched: torch.Tensor, layer: Layer, a: torch.Tensor, offsets: torch.Tensor, at: tuple[int, int],
           corner: tuple[int, int]) -> None:
    """Mark in ``touched`` (canvas-sized) the pixels a moving part changes: where it is now drawn displaced
    (``a`` (h, w) its coverage, ``offsets`` (2, h, w) its backward flow, the box's corner ``at`` on the canvas),
    and where it was (its source coverage) unless it is still drawn there undisplaced. A part moves as a whole
    only where its bones move: an upper arm whose forearm turns stays put at the shoulder."""
    moved = (offsets.abs().amax(dim=0) > MOVED_PX).to(a)  # (h, w)
    _mark(touched, a * moved, at)
    was = layer.rgba[0, 3].clone()  # (hs, ws) coverage in the photo
    ox, oy = layer.origin[0] - corner[0], layer.origin[1] - corner[1]  # the layer's corner on the canvas
    x0, y0 = max(at[0], ox), max(at[1], oy)
    x1, y1 = min(at[0] + a.shape[1], ox + was.shape[1]), min(at[1] + a.shape[0], oy + was.shape[0])
    if x1 > x0 and y1 > y0:  # where the box drawn now overlaps the part's own pixels
        was[y0 - oy : y1 - oy, x0 - ox : x1 - ox] *= moved[y0 - at[1] : y1 - at[1], x0 - at[0] : x1 - at[0]]
    _mark(touched, was, (ox, oy))


def _keep_photo_off(touched: torch.Tensor, canvas: torch.Tensor, photo: np.ndarray) -> np.ndarray:
    """The composite (3, h, w) where a moving part was or now is, the photo (h, w, 3) uint8 everywhere else.

    The parts that stay where they are would be re-composited over the background plate with their matted
    outlines, which reproduces the photo only where the segmentation is right: on a real photo a mask that
    cuts into a coat or takes in a strip of lawn changed pixels along the whole silhouette. So only the
    footprints of the moving parts (source and target, grown by a pixel or two) take the composite, with a
    soft 2-pixel edge; everything else is the photo itself. Returns (h, w, 3) uint8.
    """
    near = F.max_pool2d((touched > 1.0 / 255.0).float()[None, None], 3, stride=1, padding=1)
    share = F.avg_pool2d(near, 3, stride=1, padding=1, count_include_pad=False)[0]  # (1, h, w) soft edge
    if float(share.max()) <= 0.0:
        return photo.copy()
    still = torch.from_numpy(np.array(photo, copy=True)).to(canvas).permute(2, 0, 1)  # (3, h, w); may be read-only
    out = torch.lerp(still, canvas, share)
    return out.round_().clamp_(0, 255).to(torch.uint8).permute(1, 2, 0).cpu().numpy()


def _over(canvas: torch.Tensor, coverage: torch.Tensor, rgb: torch.Tensor, a: torch.Tensor) -> None:
    """Composite premultiplied ``rgb`` (3, h, w) with alpha ``a`` (h, w) over ``canvas`` (3, h, w) in place."""
    keep = 1.0 - a
    torch.addcmul(rgb, canvas, keep, out=canvas)  # rgb + canvas × keep, in one pass
    torch.addcmul(a, coverage, keep, out=coverage)


@contextlib.contextmanager
def _torch_threads(n: int | None):
    """Run torch's CPU kernels on ``n`` threads inside the block (None: leave as is).

    The warp's kernels are small (a few ten thousand pixels per body part): a second thread gains
    little and, on a busy 2-core machine, waiting for it costs several times the kernel itself.
    """
    before = torch.get_num_threads()
    if n is None or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _target_box(layer: Layer, bones: tuple[str, ...], transforms: dict[str, Transform], pad: float, W: int, H: int):
    """Photo-pixel box (x0, y0, x1, y1), end exclusive, that the part can cover in the target; None if off-photo.

    The part's source box is carried by each of its own bones' transforms; ``pad`` leaves room for the
    blend with the neighbours around the joints.
    """
    ox, oy = layer.origin
    h, w = layer.rgba.shape[-2:]
    corners = np.array([[ox, oy], [ox + w - 1, oy], [ox, oy + h - 1], [ox + w - 1, oy + h - 1]], dtype=np.float64)
    p = np.concatenate([corners @ transforms[b].A.T + transforms[b].t for b in bones if b in transforms])
    x0, y0 = np.floor(p.min(axis=0) - pad)
    x1, y1 = np.ceil(p.max(axis=0) + pad) + 1
    x0, x1 = int(max(0, x0)), int(min(W, x1))
    y0, y1 = int(max(0, y0)), int(min(H, y1))
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def _backward_coords(
    box: tuple[int, int, int, int],
    step: float,
    own: tuple[str, ...],
    blend: tuple[str, ...],
    transforms: dict[str, Transform],
    shapes: dict[str, Shape],
    sigma: float,
    device: str,
) -> torch.Tensor:
    """Source pixel positions (1, 2, h, w) for every target pixel of ``box``: blended on a coarse grid, upsampled."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    nx = 1 if w == 1 else max(2, math.ceil((w - 1) / step) + 1)
    ny = 1 if h == 1 else max(2, math.ceil((h - 1) / step) + 1)
    gx, gy = np.meshgrid(np.linspace(x0, x1 - 1, nx), np.linspace(y0, y1 - 1, ny))
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (ny*nx, 2)
    src = blend_backward(pts, own, blend, transforms, shapes, sigma).reshape(ny, nx, 2)
    grid = torch.from_numpy(src.astype(np.float32)).permute(2, 0, 1)[None].to(device)  # (1, 2, ny, nx)
    if (ny, nx) != (h, w):
        grid = F.interpolate(grid, size=(h, w), mode="bilinear", align_corners=True)  # (1, 2, h, w)
    return grid
