"""Score generated images against real ones: SSIM, masked SSIM and L1 always; LPIPS and FID when the user
gives the metric networks' weights (nothing is downloaded).

Images pair up by file name (a generated ``x_vis.png`` also matches a real ``x.png`` or ``x.jpg``). SSIM is
the published evaluation's "SSIM_256" variant (Gaussian window σ 1.5, population covariance, data range of
the generated image, on 0–255 values); masked SSIM multiplies both images by the person mask first; L1 is
the mean absolute difference of 0–1 values.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.atomic import write_text_atomic
from core.train.errors import DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


@dataclass
class EvalReport:
    pairs: int
    scores: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"{self.pairs} image pairs"] + [f"{k:>12}: {v:.4f}" for k, v in self.scores.items()]
        return "\n".join(lines + self.notes)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two (H, W, 3) images (uint8 or 0–255 floats), as the published metrics' SSIM_256."""
    from skimage.metrics import structural_similarity

    real, gen = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    data_range = float(gen.max() - gen.min()) or 255.0
    score = structural_similarity(real, gen, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                  channel_axis=-1, data_range=data_range)
    return float(score[0] if isinstance(score, tuple) else score)  # a tuple only with full=True


def masked_ssim(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    """SSIM after zeroing everything outside ``mask`` (H, W) in both images."""
    m = (np.asarray(mask, dtype=np.float64) > 0.5)[..., None]
    return ssim(np.asarray(a, dtype=np.float64) * m, np.asarray(b, dtype=np.float64) * m)


def l1(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(a, np.float32) / 255.0 - np.asarray(b, np.float32) / 255.0)))


def backdrop_mask(real: np.ndarray, threshold: float = 30.0) -> np.ndarray:
    """(H, W) bool: pixels that differ from the photo's border colour (the person on a plain backdrop)."""
    from scipy import ndimage

    from core.render.framing import border_colour

    diff = np.abs(real.astype(np.float32) - border_colour(real).astype(np.float32)).max(axis=2)
    mask = ndimage.binary_closing(diff > threshold, iterations=2)
    return np.asarray(ndimage.binary_fill_holes(mask), dtype=bool)


def _stem(name: str) -> str:
    stem = Path(name).stem
    return stem[: -len("_vis")] if stem.endswith("_vis") else stem


def pair_files(generated: Path, real: Path) -> list[tuple[Path, Path]]:
    for folder in (generated, real):
        if not folder.is_dir():
            raise DatasetError(f"{folder} is not a folder of images")
    reals = {_stem(p.name): p for p in real.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
    pairs = [(g, reals[_stem(g.name)]) for g in sorted(generated.iterdir())
             if g.suffix.lower() in IMAGE_SUFFIXES and _stem(g.name) in reals]
    if not pairs:
        raise DatasetError(f"no image in {generated} has a same-named image in {real}")
    return pairs


def _load(path: Path, size: tuple[int, int] | None = None) -> np.ndarray:
    from PIL import Image

    from core.imageio_utils import load_image

    image = load_image(path)
    if size is not None and image.shape[:2] != size:
        image = np.asarray(Image.fromarray(image).resize((size[1], size[0]), Image.Resampling.BILINEAR))
    return image


def evaluate_folders(generated: str | os.PathLike, real: str | os.PathLike, masks: str | os.PathLike | None = None,
                     lpips_weights: str | None = None, inception_weights: str | None = None,
                     device: str = "auto") -> EvalReport:
    """Mean scores over all same-named pairs; generated images are resized to the real ones where they differ."""
    pairs = pair_files(Path(generated), Path(real))
    mask_dir = Path(masks) if masks else None
    s, ms, dist, gens, reals = [], [], [], [], []
    for g_path, r_path in pairs:
        r = _load(r_path)
        g = _load(g_path, (r.shape[0], r.shape[1]))
        if mask_dir is not None:
            m_path = next((p for p in mask_dir.glob(_stem(r_path.name) + ".*")), None)
            if m_path is None:
                raise DatasetError(f"no mask for {r_path.name} in {mask_dir}")
            mask = _load(m_path, (r.shape[0], r.shape[1])).mean(axis=2) > 127
        else:
            mask = backdrop_mask(r)
        s.append(ssim(r, g))
        ms.append(masked_ssim(r, g, mask))
        dist.append(l1(r, g))
        gens.append(g)
        reals.append(r)
    scores = {"ssim": float(np.mean(s)), "masked_ssim": float(np.mean(ms)), "l1": float(np.mean(dist))}
    notes = [] if mask_dir else ["masked SSIM: person masks estimated from the backdrop colour (give --masks to use yours)"]
    if lpips_weights:
        from core.train.metrics_nets import lpips_distance

        scores["lpips"] = lpips_distance(gens, reals, [p for p in lpips_weights.split(",") if p], device)
    else:
        notes.append("LPIPS: not computed (give --lpips-weights: AlexNet features + LPIPS linear layers)")
    if inception_weights:
        from core.train.metrics_nets import fid

        scores["fid"] = fid(gens, reals, inception_weights, device)
    else:
        notes.append("FID: not computed (give --inception-weights: the pt_inception FID Inception-v3 state dict)")
    return EvalReport(len(pairs), scores, notes)


def write_report(report: EvalReport, path: str | os.PathLike) -> None:
    write_text_atomic(path, json.dumps({"pairs": report.pairs, **report.scores}, indent=2) + "\n")
