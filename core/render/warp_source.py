"""Once-per-photo preparation for the warp renderer: the source state with its part layers and background plate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import RenderError
from core.imageio_utils import import_cv2
from core.render.base import SourceState
from core.render.warp_matte import unmix_outline
from core.render.warp_parts import CORE, Layer, cut_layers, label_parts, refine_by_colour, upsample_to_photo
from core.render.warp_reach import limb_regions
from core.render.warp_rig import ARM_PARTS, PART_INDEX, PARTS, Rig, build_rig
from core.skeleton import Pose

WORK_SIDE = 512  # long side of the working resolution for masks, labels and layers
PLATE_SIDE = 256
ENCLOSED_GAP = 0.45  # body scales: the widest gap in the body (arms taken out) that counts as covered body  # long side at which the background hole is inpainted


@dataclass
class WarpSourceState(SourceState):
    """What the warp renderer keeps per photo (everything that does not depend on the target pose)."""

    rig: Rig  # the source skeleton's shapes, in photo pixels
    layers: list[Layer]  # back to front
    background: np.ndarray  # (H, W, 3) uint8: the photo with the person removed and the hole filled
    person_mask: np.ndarray  # (H, W) float32 in [0, 1]: the person, feathered into a ring of background
    hole: np.ndarray  # (H, W) bool: where the background plate is inpainted (mask plus ring)
    flow_step: float  # spacing (photo px) of the grid on which flows are computed before upsampling


def _coerce_image(image: np.ndarray) -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise RenderError(f"the warp renderer needs an RGB image of shape (H, W, 3), got {arr.shape}")
    if arr.dtype != np.uint8:
        raise RenderError(f"the warp renderer needs an 8-bit RGB image, got {arr.dtype}")
    return np.ascontiguousarray(arr[..., :3])


def encode(image: np.ndarray, pose: Pose | np.ndarray, mask: np.ndarray | None = None) -> WarpSourceState:
    """Cut the person into part layers and fill the background behind them (see WarpRenderer.encode_source)."""
    cv2 = import_cv2()
    image = _coerce_image(image)
    pose = Pose.coerce(pose)
    if not pose.present.any():
        raise RenderError("the source pose has no joints: detect the person or place the skeleton first")
    H, W = image.shape[:2]
    xy = np.clip(pose.copy_array(), -10.0 * max(H, W), 11.0 * max(H, W))
    rig = build_rig(xy, fallback_scale=max(H, W) / 4.0)
    S = rig.scale

    # working resolution
    ws = min(1.0, WORK_SIDE / max(H, W))
    hw, ww = max(1, round(H * ws)), max(1, round(W * ws))
    sx, sy = ww / W, hw / H  # work px per photo px
    img_w = image if (hw, ww) == (H, W) else cv2.resize(image, (ww, hw), interpolation=cv2.INTER_AREA)
    px_w = S * min(sx, sy)  # body scale in work px

    sdf = _part_distances(rig, xy[pose.present], (hw, ww), sx, sy)
    nearest = sdf.min(axis=0)
    person = _person_pixels(mask, nearest, img_w, S, (H, W), cv2)

    # a ring of background that travels with the person and fades out, so untouched parts stay exact
    ring = max(2.0, 0.04 * px_w)
    d_out = cv2.distanceTransform((~person).astype(np.uint8), cv2.DIST_L2, 3)
    carry = np.clip(1.0 - d_out / ring, 0.0, 1.0).astype(np.float32)  # (hw, ww): 1 on the person
    hole = carry > 0
    wrists = {part: ((xy[j, 0] + 0.5) * sx - 0.5, (xy[j, 1] + 0.5) * sy - 0.5)
              for part, j in (("r_fore", 4), ("l_fore", 7)) if pose.present[j]}  # fmt: skip
    regions = limb_regions(person, rig, sx, sy)
    label = np.where(hole, label_parts(sdf, img_w, person, S, wrists, min(sx, sy), regions), -1)

    # the background plate: inpaint the hole at low resolution, then paste it into the photo
    background, hole_full = _background_plate(image, img_w, hole, sx, sy, cv2)
    carry_full = upsample_to_photo(carry, (0, 0, W, H), sx, sy, cv2).astype(np.float32)
    # the person's outline pixels as person colour plus coverage, the background taken out
    colours, matte = unmix_outline(image, background, carry_full >= CORE, max(2, round(1.0 / ws)), cv2)

    occluders, torso_tex = _torso_behind_arms(sdf, person, label, img_w, colours, S, px_w, (W, H), sx, sy, cv2)

    # one premultiplied RGBA layer per part
    layers = cut_layers(colours, torso_tex, label, occluders, carry_full, matte, xy, pose.present, sx, sy, px_w, cv2)

    person_mask = carry_full
    step = float(max(1.0, min(4.0 / ws, 0.05 * S)))
    return WarpSourceState(image=image, pose=pose, rig=rig, layers=layers, background=background,
                           person_mask=person_mask, hole=hole_full, flow_step=step)  # fmt: skip


def _part_distances(rig, points: np.ndarray, work_hw: tuple[int, int], sx: float, sy: float) -> np.ndarray:  # noqa: ANN001
    """(parts, h, w) signed distance (photo px) of every work pixel near the person to each part's outline."""
    hw, ww = work_hw
    S = rig.scale
    margin = 0.6 * S
    pts_all = np.concatenate([b.points for b in rig.bones.values()]) if rig.bones else points
    bx0 = int(np.clip(np.floor((pts_all[:, 0].min() - margin) * sx), 0, ww))
    bx1 = int(np.clip(np.ceil((pts_all[:, 0].max() + margin) * sx) + 1, 0, ww))
    by0 = int(np.clip(np.floor((pts_all[:, 1].min() - margin) * sy), 0, hw))
    by1 = int(np.clip(np.ceil((pts_all[:, 1].max() + margin) * sy) + 1, 0, hw))
    sdf = np.full((len(PARTS), hw, ww), 1e9, dtype=np.float32)
    if bx1 > bx0 and by1 > by0:
        gy, gx = np.mgrid[by0:by1, bx0:bx1]
        pts = np.stack([(gx.ravel() + 0.5) / sx - 0.5, (gy.ravel() + 0.5) / sy - 0.5], axis=1)  # photo px
        for i, spec in enumerate(PARTS):
            sdf[i, by0:by1, bx0:bx1] = rig.part_signed_distance(spec.name, pts).reshape(by1 - by0, bx1 - bx0)
    return sdf


def _person_pixels(mask: np.ndarray | None, nearest: np.ndarray, img_w: np.ndarray, S: float,
                   photo_hw: tuple[int, int], cv2) -> np.ndarray:  # noqa: ANN001
    """(h, w) bool person pixels: the detector's segmentation near the skeleton, else the skeleton's outline
    refined by colour."""
    hw, ww = nearest.shape
    person = None
    if mask is not None:
        m = np.asarray(mask, dtype=np.float32)
        if m.shape != photo_hw:
            raise RenderError(f"the person mask has shape {m.shape}, the photo {photo_hw}")
        m_w = m if (hw, ww) == photo_hw else cv2.resize(m, (ww, hw), interpolation=cv2.INTER_AREA)
        seg = (m_w > 0.5) & (nearest < 0.35 * S)
        if seg.sum() > 0.2 * (nearest < 0).sum():  # else the segmentation missed this person
            person = seg
    if person is None:
        person = refine_by_colour(img_w, nearest / S, cv2)
    if not person.any():
        raise RenderError("the source skeleton lies outside the photo: no person pixels to warp")
    return person


def _torso_behind_arms(sdf, person, label, img_w, colours, S: float, px_w: float, photo_wh: tuple[int, int],
                       sx: float, sy: float, cv2) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """(occluders, torso texture): arm pixels lying across the torso, and the torso layer's colours with them
    inpainted from the torso around them, to show when the arm moves away."""
    torso_i = PART_INDEX["torso"]
    in_quad = sdf[torso_i] < -PARTS[torso_i].radius * S - 0.02 * S
    arms = person & np.isin(label, [PART_INDEX[p] for p in ARM_PARTS])
    occluders = arms & in_quad
    for side in ("l", "r"):  # each arm against the rest of the person, the other arm included
        arm = person & np.isin(label, [PART_INDEX[f"{side}_upper"], PART_INDEX[f"{side}_fore"]])
        occluders |= arm & _enclosed(person & ~arm, px_w, cv2)
    if not occluders.any():
        return occluders, colours
    # filled from the torso around them only, never from the arm's own pixels or anti-aliased rim
    around = arms & ((sdf[torso_i] < 0.1 * S) | occluders)
    grown = cv2.dilate(around.astype(np.uint8), np.ones((5, 5), np.uint8))
    filled = cv2.inpaint(img_w, grown, max(3.0, 0.03 * px_w), cv2.INPAINT_TELEA)
    full_box = (0, 0, photo_wh[0], photo_wh[1])
    occ_full = upsample_to_photo(occluders.astype(np.float32), full_box, sx, sy, cv2) > 0.5
    filled_full = upsample_to_photo(filled, full_box, sx, sy, cv2)
    torso_tex = colours.copy()
    torso_tex[occ_full] = filled_full[occ_full]
    return occluders, torso_tex


def _enclosed(body: np.ndarray, px_w: float, cv2) -> np.ndarray:  # noqa: ANN001
    """(h, w) bool: where the rest of the person (``body``, the arms taken out) closes around a gap no wider than
    ENCLOSED_GAP body scales: a sleeve lying across a coat that reaches past the torso's quad, a hand before the
    chest. An arm that moves away from there uncovers the body, not the background."""
    r = max(1, round(0.5 * ENCLOSED_GAP * px_w))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    padded = cv2.copyMakeBorder(body.astype(np.uint8), r, r, r, r, cv2.BORDER_CONSTANT, value=0)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)[r:-r, r:-r].astype(bool)
    return closed & ~body


def _background_plate(image, img_w, hole_w, sx, sy, cv2) -> tuple[np.ndarray, np.ndarray]:
    """The photo with the hole (person plus ring) inpainted; returns (plate (H, W, 3) uint8, hole (H, W) bool)."""
    H, W = image.shape[:2]
    hw, ww = hole_w.shape
    ps = min(1.0, PLATE_SIDE / max(hw, ww))
    hp, wp = max(1, round(hw * ps)), max(1, round(ww * ps))
    small = img_w if (hp, wp) == (hw, ww) else cv2.resize(img_w, (wp, hp), interpolation=cv2.INTER_AREA)
    hole_f = hole_w.astype(np.float32)
    hole_p = (hole_f if (hp, wp) == (hw, ww) else cv2.resize(hole_f, (wp, hp), interpolation=cv2.INTER_AREA)) > 0
    hole_p = cv2.dilate(hole_p.astype(np.uint8), np.ones((3, 3), np.uint8))
    filled = cv2.inpaint(small, hole_p, 3.0, cv2.INPAINT_TELEA)
    hole_full = upsample_to_photo(hole_f, (0, 0, W, H), sx, sy, cv2) > 0
    if not hole_full.any():
        return image.copy(), hole_full
    fx, fy = wp / W, hp / H
    m = np.array([[fx, 0.0, 0.5 * fx - 0.5], [0.0, fy, 0.5 * fy - 0.5]])
    up = cv2.warpAffine(
        filled, m, (W, H), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )
    plate = image.copy()
    plate[hole_full] = up[hole_full]
    return plate, hole_full
