"""Un-mixing the person's anti-aliased outline for the warp renderer, so a moved limb's edge carries no background.

A photo's outline pixels mix the person with what lies behind. While nothing moves they sit on the
background plate and look right; once a limb moves in front of the body, the light background mixed
into its edge would show as a thin light line inside the person. Each outline pixel is therefore split
into a person colour and a coverage, with the background taken from the inpainted plate.
"""

from __future__ import annotations

import numpy as np

MIN_CONTRAST = 40.0  # grey levels between person and background below which an edge pixel is left as it is
MAX_RESIDUAL = 12.0  # an edge pixel is un-mixed only where coverage × person + rest × plate rebuilds it this well
FULL = 0.98  # coverage from which an edge pixel counts as all person (left as it is)


def unmix_outline(
    image: np.ndarray, plate: np.ndarray, core: np.ndarray, depth: int, cv2
) -> tuple[np.ndarray, np.ndarray]:
    """Person colours and coverage of the pixels within ``depth`` px inside the person's outline.

    image, plate (H, W, 3) uint8: the photo and its inpainted background; core (H, W) bool: the person.
    Returns (colours (H, W, 3) uint8, coverage (H, W) float32): the photo and 1 everywhere except at
    outline pixels that are a clear mix of the person's colour nearby (the mean of the pixels deeper
    inside) and the plate's; there the colour is the person's and the coverage its share of the mix.
    """
    H, W = core.shape
    fg, matte = image, np.ones((H, W), np.float32)
    ys, xs = np.nonzero(core)
    if len(xs) == 0:
        return fg, matte
    pad = depth + 2
    x0, x1 = max(0, xs.min() - pad), min(W, xs.max() + pad + 1)
    y0, y1 = max(0, ys.min() - pad), min(H, ys.max() + pad + 1)
    inside = core[y0:y1, x0:x1]
    dist = cv2.distanceTransform(np.pad(inside, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]  # (h, w)
    edge = inside & (dist <= depth)
    if not edge.any():
        return fg, matte
    deep = (inside & (dist > depth)).astype(np.uint8)
    k = (2 * depth + 3, 2 * depth + 3)
    crop = np.ascontiguousarray(image[y0:y1, x0:x1])  # (h, w, 3) uint8
    den = cv2.boxFilter(deep, cv2.CV_32F, k, normalize=False, borderType=cv2.BORDER_CONSTANT)  # (h, w)
    num = cv2.boxFilter(cv2.bitwise_and(crop, crop, mask=deep), cv2.CV_32F, k, normalize=False,
                        borderType=cv2.BORDER_CONSTANT)  # (h, w, 3) sums of the deep pixels' colours  # fmt: skip
    edge &= den > 0.5
    F = num[edge] / den[edge, None]  # (n, 3) the person's colour near each edge pixel
    B = plate[y0:y1, x0:x1][edge].astype(np.float32)  # (n, 3)
    c = crop[edge].astype(np.float32)
    d = F - B
    n2 = (d * d).sum(axis=1)
    a = np.clip(((c - B) * d).sum(axis=1) / np.maximum(n2, 1e-6), 0.0, 1.0)  # (n,)
    residual = np.abs(a[:, None] * F + (1.0 - a[:, None]) * B - c).max(axis=1)
    ok = (n2 > MIN_CONTRAST**2) & (residual < MAX_RESIDUAL) & (a < FULL)
    if not ok.any():
        return fg, matte
    ey, ex = np.nonzero(edge)
    ey, ex = ey[ok] + y0, ex[ok] + x0
    fg = image.copy()
    fg[ey, ex] = np.clip(np.round(F[ok]), 0, 255).astype(np.uint8)
    matte[ey, ex] = a[ok]
    return fg, matte
