"""Structure inputs (heat maps, bone images, keypoint vectors) exactly as the published GFLA loaders build them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.errors import PoseError

SIGMA = 6  # heat-map standard deviation in network pixels; 2*sigma^2 = 72

# ---- joint orders ------------------------------------------------------------------------------
COCO17_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
H36M17_NAMES: tuple[str, ...] = (
    "pelvis", "right_hip", "right_knee", "right_foot", "left_hip", "left_knee", "left_foot",
    "spine", "thorax", "neck_nose", "head", "left_shoulder", "left_elbow", "left_wrist",
    "right_shoulder", "right_elbow", "right_wrist",
)
# COCO-17 joint i is OpenPose-18 joint OPENPOSE18_TO_COCO17[i] (reorder by name).
OPENPOSE18_TO_COCO17: tuple[int, ...] = (0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10)

# Limbs the dance loader draws into the bone image (joint indices in the respective order).
LIMBS_COCO17: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 3), (0, 2), (2, 4), (5, 7), (7, 9), (6, 8), (8, 10),
    (11, 12), (5, 6), (11, 13), (12, 14), (13, 15), (14, 16), (5, 11), (6, 12),
)
LIMBS_H36M17: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 2), (2, 3), (0, 4), (4, 5), (5, 6), (0, 7), (7, 8),
    (8, 9), (9, 10), (8, 11), (11, 12), (12, 13), (8, 14), (14, 15), (15, 16),
)

ANNOTATION_MISSING = -1  # pose18 annotations (DeepFashion / Market)
DANCE_MISSING = 0  # dance / OpenPose-JSON keypoints


def labelcolormap(n: int) -> np.ndarray:
    """(n, 3) uint8 colour map that interleaves the bits of the label into R, G, B (label 0 is black)."""
    cmap = np.zeros((n, 3), dtype=np.uint8)
    for label in range(n):
        rgb = [0, 0, 0]
        code = label
        for bit in range(7):
            for ch in range(3):
                rgb[ch] |= ((code >> ch) & 1) << (7 - bit)
            code >>= 3
        cmap[label] = rgb
    return cmap


# ---- pose18 heat maps (DeepFashion, Market) -------------------------------------------------------
def annotation_centers(cords_yx: np.ndarray, old_size_hw: Sequence[int], load_size_hw: Sequence[int]) -> np.ndarray:
    """(18, 2) float64 centres (cy, cx) on the network grid after scaling and int() truncation; NaN = missing."""
    cords = np.asarray(cords_yx, dtype=np.float64)
    if cords.ndim != 2 or cords.shape[1] != 2:
        raise PoseError(f"annotations must have shape (N, 2) as (y, x), got {cords.shape}")
    out = np.full(cords.shape, np.nan)
    for i, (y, x) in enumerate(cords):
        if y == ANNOTATION_MISSING or x == ANNOTATION_MISSING:
            continue
        # float64 arithmetic, then Python int(): truncation toward zero (-4.4 -> -4).
        out[i, 0] = int(y / old_size_hw[0] * load_size_hw[0])
        out[i, 1] = int(x / old_size_hw[1] * load_size_hw[1])
    return out


def gaussian_maps(centers_yx: np.ndarray, size_hw: Sequence[int]) -> np.ndarray:
    """(N, H, W) float32 maps exp(-d^2 / 72) around each centre (float64 maths); NaN centre → zeros."""
    h, w = int(size_hw[0]), int(size_hw[1])
    centers = np.asarray(centers_yx, dtype=np.float64)
    out = np.zeros((len(centers), h, w), dtype=np.float32)
    rows = np.arange(h, dtype=np.float64)[:, None]  # (H, 1)
    cols = np.arange(w, dtype=np.float64)[None, :]  # (1, W)
    for i, (cy, cx) in enumerate(centers):
        if np.isnan(cy) or np.isnan(cx):
            continue
        d2 = (rows - cy) ** 2 + (cols - cx) ** 2  # (H, W)
        out[i] = np.exp(-d2 / (2 * SIGMA**2))
    return out


def pose18_heatmaps(cords_yx: np.ndarray, old_size_hw: Sequence[int], load_size_hw: Sequence[int]) -> np.ndarray:
    """(18, H, W) float32 heat maps of integer (y, x) annotations (-1 = missing), as the pose loaders make them."""
    return gaussian_maps(annotation_centers(cords_yx, old_size_hw, load_size_hw), load_size_hw)


def frame_pose_to_annotation(xy: np.ndarray) -> np.ndarray:
    """(18, 2) int64 (y, x) annotation from (18, 2) x, y in annotation-frame pixels (NaN = missing → -1).

    A joint at continuous position p lies in pixel floor(p); the published annotations are such pixel
    indices. A present joint whose index would be exactly -1 (the column or row just outside the frame)
    is moved to -2, because -1 means "missing" to the loaders.
    """
    xy = np.asarray(xy, dtype=np.float64)
    out = np.full((len(xy), 2), ANNOTATION_MISSING, dtype=np.int64)
    present = ~np.isnan(xy).any(axis=1)
    idx = np.floor(xy[present][:, ::-1]).astype(np.int64)  # (n, 2) y, x
    idx[idx == ANNOTATION_MISSING] = -2
    out[present] = idx
    return out


def annotation_to_frame_pose(cords_yx: np.ndarray) -> np.ndarray:
    """Inverse of ``frame_pose_to_annotation``: (18, 2) x, y at pixel centres, NaN for -1 entries."""
    cords = np.asarray(cords_yx, dtype=np.float64)
    out = cords[:, ::-1] + 0.5
    out[(cords == ANNOTATION_MISSING).any(axis=1)] = np.nan
    return out


# ---- dance structure (animation model) ----------------------------------------------------------
def _dance_coords(
    pose_keypoints_2d: Sequence[float], org_size_hw: Sequence[int], load_size: int, is_clean_pose: bool
) -> np.ndarray:
    """(2, 17) float64 [y; x] in load-size pixels, as the dance loader keeps them (0 = missing)."""
    flat = np.asarray(pose_keypoints_2d, dtype=np.float64).reshape(-1)
    if flat.size % 3:
        raise PoseError("pose_keypoints_2d must be a flat list of (x, y, score) triples")
    pts = flat.reshape(-1, 3)
    n = len(pts)
    expected = 17 if is_clean_pose else 18
    if n != expected:
        raise PoseError(f"expected {expected} keypoints for a {'clean' if is_clean_pose else 'detected'} pose, got {n}")
    x = pts[:, 0].copy()
    y = pts[:, 1].copy()
    keep = ~((x == DANCE_MISSING) | (y == DANCE_MISSING))  # a half-missing joint keeps its raw other value
    x[keep] = x[keep] / org_size_hw[1] * load_size
    y[keep] = y[keep] / org_size_hw[0] * load_size
    body = np.stack([y, x])  # (2, N)
    if not is_clean_pose:
        body = body[:, list(OPENPOSE18_TO_COCO17)]  # (2, 17)
    return body


def bone_image(
    pose_keypoints_2d: Sequence[float], org_size_hw: Sequence[int], load_size: int, is_clean_pose: bool
) -> np.ndarray:
    """(3, S, S) uint8 bone image: anti-aliased limbs, then radius-2 joint disks in labelcolormap(17) colours."""
    from skimage.draw import disk, line_aa

    body = _dance_coords(pose_keypoints_2d, org_size_hw, load_size, is_clean_pose)
    joints = body.astype(np.int64)  # truncation toward zero, like astype(int)
    s = int(load_size)
    canvas = np.zeros((s, s, 3), dtype=np.uint8)
    missing = (joints[0] == DANCE_MISSING) | (joints[1] == DANCE_MISSING)
    limbs = LIMBS_H36M17 if is_clean_pose else LIMBS_COCO17
    for a, b in limbs:
        if missing[a] or missing[b]:
            continue
        rr, cc, val = line_aa(int(joints[0, a]), int(joints[1, a]), int(joints[0, b]), int(joints[1, b]))
        rr, cc = np.clip(rr, 0, s - 1), np.clip(cc, 0, s - 1)
        canvas[rr, cc] = (val[:, None] * 255).astype(np.uint8)  # float → uint8 truncates, as numpy's assignment does
    colours = labelcolormap(joints.shape[1])
    for i in range(joints.shape[1]):
        if missing[i]:
            continue
        rr, cc = disk((joints[0, i], joints[1, i]), radius=2, shape=(s, s))
        canvas[rr, cc] = colours[i]
    return np.ascontiguousarray(canvas.transpose(2, 0, 1))  # (3, S, S)


def dance_heatmaps(
    pose_keypoints_2d: Sequence[float], org_size_hw: Sequence[int], load_size: int, is_clean_pose: bool
) -> np.ndarray:
    """(17, S, S) float32 Gaussians at the untruncated load-size centres; a joint with x or y == 0 is all-zero."""
    body = _dance_coords(pose_keypoints_2d, org_size_hw, load_size, is_clean_pose)
    centers = body.T.copy()  # (17, 2) y, x
    centers[(centers == DANCE_MISSING).any(axis=1)] = np.nan
    return gaussian_maps(centers, (load_size, load_size))


def dance20_structure(
    pose_keypoints_2d: Sequence[float], org_size_hw: Sequence[int], load_size: int, is_clean_pose: bool
) -> np.ndarray:
    """(20, S, S) float32: 17 heat maps, then the bone image as float values 0..255 (not normalised)."""
    heat = dance_heatmaps(pose_keypoints_2d, org_size_hw, load_size, is_clean_pose)
    bones = bone_image(pose_keypoints_2d, org_size_hw, load_size, is_clean_pose).astype(np.float32)
    return np.concatenate([heat, bones], axis=0)


def keypoint_vector_34(
    pose_keypoints_2d: Sequence[float], org_size_hw: Sequence[int], load_size: int, is_clean_pose: bool
) -> np.ndarray:
    """(34, 1) float32 Motion-Extraction-Net input: y of 17 joints, then x, normalised 2v/S - 1 (missing → -1)."""
    body = _dance_coords(pose_keypoints_2d, org_size_hw, load_size, is_clean_pose).astype(np.float32)
    vec = body.reshape(34, 1)  # (34, 1): rows 0-16 y, rows 17-33 x
    return np.float32(2) * vec / np.float32(load_size) - np.float32(1)


# ---- from our Pose (OpenPose-18 x, y pixels, NaN missing) to the dance inputs -------------------------
def pose_to_keypoints_2d(xy: np.ndarray) -> list[float]:
    """Flat OpenPose-JSON ``[x, y, score] * N`` list from (N, 2) x, y pixels (NaN → 0, 0, 0)."""
    xy = np.asarray(xy, dtype=np.float64)
    flat: list[float] = []
    for x, y in xy:
        if np.isnan(x) or np.isnan(y):
            flat += [0.0, 0.0, 0.0]
        else:
            flat += [float(x), float(y), 1.0]
    return flat


def openpose18_to_h36m17(xy: np.ndarray) -> np.ndarray:
    """(17, 2) x, y in Human3.6M-17 order from an (18, 2) OpenPose-18 pose (NaN where not derivable).

    An approximation for when the Motion Extraction Network is not used: pelvis = mid-hip,
    thorax = neck, spine = midpoint of pelvis and thorax, neck/nose = nose, head = nose pushed
    0.8 × neck-to-nose further out; feet = ankles.
    """
    p = np.asarray(xy, dtype=np.float64)

    def mid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a + b) / 2.0  # NaN propagates when either is missing

    pelvis = mid(p[8], p[11])
    thorax = p[1]
    head = p[0] + 0.8 * (p[0] - p[1])
    order = [pelvis, p[8], p[9], p[10], p[11], p[12], p[13], mid(pelvis, thorax), thorax, p[0], head,
             p[5], p[6], p[7], p[2], p[3], p[4]]
    return np.stack(order)
