"""Cutting the photo into body-part layers for the warp renderer: person mask, part labels and RGBA crops."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.ndimage import gaussian_filter

from core.imageio_utils import import_cv2
from core.render.warp_reach import keep_within_reach
from core.render.warp_rig import PART_INDEX, PARTS, bone_joints

COLOUR_WEIGHT = 0.03  # body scales of distance per unit of -log colour likelihood
GRABCUT_SIDE = 256  # long side (px) at which GrabCut refines a skeleton-derived person mask
FRONT_BIAS = {"l_fore": 0.06, "r_fore": 0.06, "l_upper": 0.02, "r_upper": 0.02}  # arms are usually in front
# Each part reaches this far (body scales, at least SEAM_BAND_MIN photo px) beneath the parts drawn in front
# of it, opaque and in its own colours, so that the background never shows between two parts that meet.
SEAM_BAND = 0.02
SEAM_BAND_MIN = 3
CORE = 0.999  # carry (person coverage) from which a layer pixel is the person, not the ring of background


@dataclass
class Layer:
    """One body part, cut out of the photo: premultiplied RGBA over a crop of the full-resolution photo."""

    part: str
    rgba: torch.Tensor  # (1, 4, h, w) float32: RGB × alpha in 0..255, then alpha in 0..1
    origin: tuple[int, int]  # (x0, y0) of the crop in photo pixels
    # (1, 1, h, w) float32: 1 where the pixel belongs to the ring of background around the person rather than
    # to the person; once a part moves, its ring goes beneath every part's person pixels
    ring: torch.Tensor | None = None


def upsample_to_photo(arr: np.ndarray, box: tuple[int, int, int, int], sx: float, sy: float, cv2) -> np.ndarray:
    """Bilinear resample of a working-resolution map ``arr`` onto the photo pixels of ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    if sx == 1.0 and sy == 1.0:
        return arr[y0:y1, x0:x1].copy()
    m = np.array([[sx, 0.0, (x0 + 0.5) * sx - 0.5], [0.0, sy, (y0 + 0.5) * sy - 0.5]])
    return cv2.warpAffine(arr, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)  # fmt: skip


def refine_by_colour(img_w: np.ndarray, nearest: np.ndarray, cv2) -> np.ndarray:
    """The person as GrabCut separates it from the background, seeded by the skeleton's outline.

    ``nearest`` (hw, ww) is the signed distance to the nearest part outline in body scales: well inside
    is person, well outside is background, and GrabCut decides the band in between by colour. It runs
    at half the working resolution at most (long side 256), which keeps it near 0.1 s.
    """
    outline = nearest < 0
    ys, xs = np.nonzero(nearest < 0.25)
    if len(xs) == 0 or not (nearest < -0.06).any():
        return outline
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    f = min(1.0, GRABCUT_SIDE / max(x1 - x0, y1 - y0))
    size = (max(1, round((x1 - x0) * f)), max(1, round((y1 - y0) * f)))
    near = cv2.resize(nearest[y0:y1, x0:x1], size, interpolation=cv2.INTER_LINEAR)
    seed = np.full(near.shape, cv2.GC_BGD, np.uint8)
    seed[near < 0.25] = cv2.GC_PR_BGD
    seed[near < 0] = cv2.GC_PR_FGD
    seed[near < -0.06] = cv2.GC_FGD
    if min(seed.shape) < 4 or not (seed == cv2.GC_FGD).any() or not np.isin(seed, (cv2.GC_BGD, cv2.GC_PR_BGD)).any():
        return outline
    try:
        small = cv2.resize(np.ascontiguousarray(img_w[y0:y1, x0:x1]), size, interpolation=cv2.INTER_AREA)
        bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
        cv2.setRNGSeed(0)  # GrabCut seeds its colour models at random: the same photo must give the same cut
        cv2.grabCut(small, seed, None, bgd, fgd, 2, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # e.g. too few background or person pixels to learn colours from
        return outline
    fg = ((seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD)).astype(np.float32)
    person = np.zeros_like(outline)
    person[y0:y1, x0:x1] = cv2.resize(fg, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR) > 0.5
    return person


def _box_to_photo(mask_w: np.ndarray, sx: float, sy: float, W: int, H: int, pad: float = 1.5):
    """Photo-pixel box (x0, y0, x1, y1) around the True pixels of a work-resolution mask; None if empty."""
    ys, xs = np.nonzero(mask_w)
    if len(xs) == 0:
        return None
    x0 = max(0, int(np.floor((xs.min() - pad) / sx)))
    x1 = min(W, int(np.ceil((xs.max() + pad) / sx)) + 1)
    y0 = max(0, int(np.floor((ys.min() - pad) / sy)))
    y1 = min(H, int(np.ceil((ys.max() + pad) / sy)) + 1)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def cut_layers(image, torso_tex, label, occluders, carry_full, matte, xy, present, sx, sy, px_w, cv2) -> list[Layer]:
    """Premultiplied RGBA crops of the photo, one per part, back to front.

    ``matte`` (H, W) is the coverage of the person's outline pixels (1 elsewhere; see warp_matte): there
    only the owning part is drawn, with that coverage, so that while nothing moves the plate shows through
    exactly as much as the photo mixes it in.

    Parts split the person exactly (each photo pixel belongs to the part whose smoothed work-resolution
    mask is strongest there), so while nothing moves the layers add up to the photo with no seam. A
    part also reaches a little beneath the parts in front of it around the joints it shares with them,
    which fills the crease of a bent joint; the torso also keeps the arms lying across it, inpainted;
    and every part reaches a few pixels beneath all parts in front of it (``_seam_band``), so no seam
    opens between them once they move. Each layer marks its ring of background (``Layer.ring``).
    """
    H, W = image.shape[:2]
    owner, boxes = _owners(label, (H, W), sx, sy, cv2)
    ext = max(1, round(0.05 * px_w))
    band = max(SEAM_BAND_MIN, round(SEAM_BAND * px_w / min(sx, sy)))  # photo px
    joint_kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * ext + 1, 2 * ext + 1))
    layers: list[Layer] = []
    for i, spec in enumerate(PARTS):
        if i not in boxes:
            continue
        extra = _reach_under(spec, label == i, label, xy, present, sx, sy, px_w, joint_kernel, cv2)
        if spec.name == "torso":
            extra |= occluders
        box = boxes[i]
        extra_box = _box_to_photo(extra, sx, sy, W, H, pad=3.0)
        if extra_box is not None:
            box = (min(box[0], extra_box[0]), min(box[1], extra_box[1]),
                   max(box[2], extra_box[2]), max(box[3], extra_box[3]))
        x0, y0, x1, y1 = box = _grow_box(box, band, W, H)
        cover = owner[y0:y1, x0:x1] == i
        if extra_box is not None:
            cover |= upsample_to_photo(extra.astype(np.float32), box, sx, sy, cv2) > 0.5
        # a faint one-pixel rim anti-aliases the border where the part comes apart from its neighbours; while
        # nothing moves it lies under the parts in front or shows the very pixels of the parts behind
        alpha = np.maximum(cover, 0.5 * cv2.dilate(cover.astype(np.uint8), np.ones((3, 3), np.uint8)))
        carry, m = carry_full[y0:y1, x0:x1], matte[y0:y1, x0:x1]
        alpha = alpha.astype(np.float32) * carry  # (h, w)
        alpha = np.where(m < 1.0, np.where(owner[y0:y1, x0:x1] == i, alpha * m, 0.0), alpha)
        tex = (torso_tex if spec.name == "torso" else image)[y0:y1, x0:x1].astype(np.float32)
        inside = (carry >= CORE) & (m >= 1.0)
        tex, alpha = _seam_band(tex, alpha, cover, owner[y0:y1, x0:x1] > i, inside, band, cv2)
        ring = (carry < CORE).astype(np.float32)  # (h, w): 1 where the alpha is the ring of background
        rgba = np.concatenate([tex * alpha[..., None], alpha[..., None]], axis=2)  # (h, w, 4)
        tensor = torch.from_numpy(np.ascontiguousarray(rgba.transpose(2, 0, 1)))[None]  # (1, 4, h, w)
        layers.append(Layer(spec.name, tensor, (x0, y0), torch.from_numpy(ring)[None, None]))  # ring: (1, 1, h, w)
    return layers


def _owners(label: np.ndarray, photo_hw: tuple[int, int], sx: float, sy: float,
            cv2) -> tuple[np.ndarray, dict[int, tuple[int, int, int, int]]]:  # noqa: ANN001
    """(H, W) int8 the part owning each photo pixel (its smoothed work mask is strongest there; -1: none) and each
    present part's photo box."""
    H, W = photo_hw
    owner = np.full((H, W), -1, dtype=np.int8)
    strength = np.zeros((H, W), dtype=np.float32)
    boxes: dict[int, tuple[int, int, int, int]] = {}
    for i in range(len(PARTS)):
        own = label == i
        box = _box_to_photo(own, sx, sy, W, H, pad=3.0)
        if box is None:
            continue
        soft = upsample_to_photo(cv2.GaussianBlur(own.astype(np.float32), (0, 0), 1.2), box, sx, sy, cv2)
        x0, y0, x1, y1 = box
        win, st = owner[y0:y1, x0:x1], strength[y0:y1, x0:x1]
        stronger = soft > st
        win[stronger] = i
        st[stronger] = soft[stronger]
        boxes[i] = box
    return owner, boxes


def _reach_under(spec, own, label, xy, present, sx: float, sy: float, px_w: float, kernel,
                 cv2) -> np.ndarray:  # noqa: ANN001
    """(h, w) bool work pixels where a part reaches beneath the parts in front of it, around their shared joints."""
    extra = np.zeros_like(own)
    under = [PART_INDEX[p] for p in spec.under]
    if not under:
        return extra
    grown = cv2.dilate(own.astype(np.uint8), kernel).astype(bool) & np.isin(label, under)
    near = np.zeros(own.shape, np.uint8)
    for j in _shared_joints(spec, under):
        if present[j]:
            cv2.circle(near, (round((xy[j, 0] + 0.5) * sx - 0.5), round((xy[j, 1] + 0.5) * sy - 0.5)),
                       max(1, round(0.22 * px_w)), 1, -1)  # fmt: skip
    return extra | (grown & near.astype(bool))


def _grow_box(box: tuple[int, int, int, int], pad: int, W: int, H: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return max(0, x0 - pad), max(0, y0 - pad), min(W, x1 + pad), min(H, y1 + pad)


def _seam_band(tex, alpha, cover, in_front, inside, band: int, cv2) -> tuple[np.ndarray, np.ndarray]:
    """Extend a part ``band`` px beneath the parts in front of it, inside the person, opaque.

    Where two parts meet, the one in front is drawn with a soft edge (its pixels are sampled between
    pixel centres once it moves) and the one behind used to end at the same line, so the background
    plate showed through as a thin light seam. The band takes the part's own colours (a normalised box
    filter of its pixels), is hidden beneath the part in front while nothing moves, and stays ``inside``
    the person, off its outline, which keeps its feathered edge. tex (h, w, 3), alpha (h, w) float32.
    """
    near = cv2.dilate(cover.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1,) * 2))
    extend = near.astype(bool) & in_front & inside & (alpha < 1.0)
    if not extend.any():
        return tex, alpha
    own = cover.astype(np.float32)
    k = (2 * band + 1, 2 * band + 1)
    den = cv2.boxFilter(own, -1, k, normalize=False, borderType=cv2.BORDER_CONSTANT)  # (h, w)
    num = cv2.boxFilter(tex * own[..., None], -1, k, normalize=False, borderType=cv2.BORDER_CONSTANT)  # (h, w, 3)
    fill = extend & (den > 0.5)
    tex = tex.copy()
    tex[fill] = num[fill] / den[fill, None]
    alpha = alpha.copy()
    alpha[fill] = 1.0
    return tex, alpha


def label_parts(
    sdf: np.ndarray,
    img_w: np.ndarray,
    person: np.ndarray,
    S: float,
    wrists: dict[str, tuple[float, float]],
    to_work: float,
    regions: dict[int, np.ndarray],
) -> np.ndarray:
    """Which part each work pixel belongs to: the nearest part outline, corrected by colour and depth near borders.

    Each part's colour histogram is learnt from the pixels near its bones that no part drawn in front of it
    may cover; where outlines overlap, a pixel pays up to about 0.15 body scales of distance for a colour
    its part rarely shows, and arms, usually in front of the body, get a small head start. A limb keeps only
    the pixels inside its region (``regions``, warp_reach: as wide as the mask's cross-section), the rest go to
    the torso. Finally each
    hand takes the skin-coloured pixels connected to it around its wrist (``wrists``: forearm part →
    wrist in work pixels), whichever way the hand points. ``sdf`` and ``S`` are in photo pixels, ``to_work``
    converts photo pixels to work pixels.
    """
    cv2 = import_cv2()
    nearest = sdf.argmin(axis=0)  # (hw, ww)
    q = (img_w[..., 0] // 32).astype(np.int32) * 64 + (img_w[..., 1] // 32) * 8 + img_w[..., 2] // 32  # 512 bins
    best = np.take_along_axis(sdf, nearest[None], 0)[0]
    second = np.partition(sdf, 1, axis=0)[1] if len(sdf) > 1 else np.full_like(best, 1e9)
    sure = person & (second - best > 0.15 * S) & (best < -0.03 * S)  # beyond what colour and depth can change
    cost = sdf / S  # (P, hw, ww)
    near = sdf < 0.06 * S  # (P, hw, ww) inside or close to each part's outline
    in_front = np.zeros_like(person)
    hists = np.full((len(PARTS), 512), 1.0 / 512)
    for k in reversed(range(len(PARTS))):  # front to back
        spec = PARTS[k]
        sel = person & (sdf[k] < -0.5 * spec.radius * S) & ~in_front  # near its bones, not under a part in front
        in_front |= near[k]
        n = int(sel.sum())
        if n >= 20:  # an 8×8×8 colour histogram, smoothed so that shades of one colour share their evidence
            counts = np.bincount(q[sel], minlength=512).reshape(8, 8, 8) / n
            hists[k] = gaussian_filter(counts, 0.8, mode="nearest").ravel()
        colour = (-np.log(hists[k][q] + 2e-3)).astype(np.float32)  # smooth, so borders stay smooth where colours match
        cost[k] += COLOUR_WEIGHT * cv2.GaussianBlur(colour, (0, 0), 1.0) - FRONT_BIAS.get(spec.name, 0.0)
    label = keep_within_reach(np.where(sure, nearest, cost.argmin(axis=0)), regions)
    skin = person & (hists[PART_INDEX["head"]][q] > 0.05)  # the colours of the face
    for part, (wx, wy) in wrists.items():
        k = PART_INDEX[part]
        around = np.zeros(skin.shape, np.uint8)
        cv2.circle(around, (round(wx), round(wy)), max(1, round(0.45 * S * to_work)), 1, -1)
        n, comp = cv2.connectedComponents((skin & around.astype(bool)).astype(np.uint8), connectivity=8)
        hand = np.unique(comp[(comp > 0) & (label == k)])
        if len(hand):  # with the dark lines between and around the fingers
            grip = max(1, round(0.03 * S * to_work))
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grip + 1, 2 * grip + 1))
            taken = cv2.morphologyEx((np.isin(comp, hand) & (comp > 0)).astype(np.uint8), cv2.MORPH_CLOSE, kernel)
            taken = cv2.dilate(taken, np.ones((3, 3), np.uint8)).astype(bool) & person & around.astype(bool)
            label = np.where(taken, k, label)
    return label


def _shared_joints(spec, under: list[int]) -> set[int]:
    """Joints where part ``spec`` meets the parts with indices ``under``."""
    mine = set().union(*(bone_joints(b) for b in spec.bones))
    theirs = set().union(*(bone_joints(b) for i in under for b in PARTS[i].bones))
    return mine & theirs
