"""Skeleton-track denoising with the published Motion Extraction Network (dance_keypoint), as its inference does it.

Pipeline (facts from the published keypoint test loader and fixtures/README.md "keypoint.pt"):

1. OpenPose-18 → COCO-17 by joint name (``core.encoding.OPENPOSE18_TO_COCO17``; the neck is dropped).
2. Coordinates are resized from the original frame to 256×256 (x·256/W, y·256/H, float64, then float32)
   and normalised v' = 2v/256 − 1; a missing joint stays 0 and so becomes −1.
3. Rows 0-16 hold y, rows 17-33 hold x; time is the last axis: (34, T).
4. Chunks of 24 output frames, each padded by 40 frames on both sides with edge-replicated frame
   indices (T_in = 104, T_out = 24). Chunks start at 0, 24, 48, …; the last one is moved back so it ends
   on the last frame (the published loader does the same), and frames computed twice take the later
   chunk's value. A range shorter than one chunk starts at its first frame and replicates its last.
5. The output is (34, 24) per chunk in the same layout and normalisation, in Human3.6M-17 order, and is
   un-normalised with (v' + 1)/2·256 and scaled back to the original frame.

Back to OpenPose-18 for the app (``h36m_to_openpose18``): nose ← H36M "neck/nose" (9), neck ← "thorax"
(8, the point between the shoulders, which is what ``core.encoding.openpose18_to_h36m17`` maps the
neck to), shoulders, elbows, wrists, hips, knees ← their H36M namesakes, ankles ← H36M "foot" (3, 6).
H36M has no eyes or ears: they are carried from the raw input, shifted by the network's correction of
the nose (clean nose − raw nose) so they stay on the head; where the raw nose is missing they are carried
unchanged, and where the raw eye/ear is missing it stays missing. H36M "pelvis", "spine" and "head" have
no OpenPose-18 joint and are dropped. Body joints the detector missed are filled in by the network.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.animation.smoothing import MotionError, as_track_array
from core.encoding import OPENPOSE18_TO_COCO17
from core.errors import Cancelled, CheckpointError

NET_SIZE = 256  # the published loader resizes every frame to 256×256
CHUNK = 24  # output frames per window (n_frames_pre_load_test)
PAD = 40  # n_receptive // 2 frames of context on each side

# OpenPose-18 joint i ← H36M-17 joint H36M_FOR_OPENPOSE18[i]; None = not in H36M (eyes, ears).
H36M_FOR_OPENPOSE18: tuple[int | None, ...] = (9, 8, 14, 15, 16, 11, 12, 13, 1, 2, 3, 4, 5, 6, None, None, None, None)
_HEAD_EXTRAS = (14, 15, 16, 17)  # eyes and ears, carried from the raw input
FrameBox = tuple[float, float, float, float]  # (x0, y0, width, height) of the "original frame" in pixels


def frame_box_for(xy: np.ndarray, frame_size: tuple[int, int] | None) -> FrameBox:
    """The original frame: (0, 0, W, H) when the video size is known, else a square 1.2× around the motion."""
    if frame_size is not None:
        w, h = frame_size
        return (0.0, 0.0, float(w), float(h))
    pts = as_track_array(xy).reshape(-1, 2)
    pts = pts[~np.isnan(pts).any(axis=1)]
    if len(pts) == 0:
        raise MotionError("the motion has no joints at all")
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    side = 1.2 * max(float((hi - lo).max()), 1.0)
    cx, cy = (lo + hi) / 2
    return (float(cx - side / 2), float(cy - side / 2), side, side)


def to_network_input(xy: np.ndarray, box: FrameBox) -> np.ndarray:
    """(T, 18, 2) OpenPose-18 x, y pixels (NaN missing) -> (34, T) float32 network input."""
    arr = as_track_array(xy)
    if arr.shape[1] != 18:
        raise MotionError(f"expected OpenPose-18 poses, got {arr.shape[1]} joints")
    x0, y0, w, h = box
    coco = arr[:, list(OPENPOSE18_TO_COCO17), :]  # (T, 17, 2)
    ys = (coco[:, :, 1] - y0) / h * NET_SIZE  # resized to the 256×256 frame, float64
    xs = (coco[:, :, 0] - x0) / w * NET_SIZE
    yx = np.concatenate([ys, xs], axis=1).T  # (34, T): y-block then x-block
    yx = np.nan_to_num(yx, nan=0.0).astype(np.float32)  # missing → 0
    return np.float32(2) * yx / np.float32(NET_SIZE) - np.float32(1)


def from_network_output(out: np.ndarray, box: FrameBox) -> np.ndarray:
    """(34, T) normalised output -> (T, 17, 2) x, y pixels of the original frame, Human3.6M-17 order."""
    x0, y0, w, h = box
    v = (np.asarray(out, dtype=np.float64) + 1.0) / 2.0 * NET_SIZE  # (34, T) in 256×256 pixels
    ys, xs = v[:17].T, v[17:].T  # (T, 17) each
    return np.stack([xs / NET_SIZE * w + x0, ys / NET_SIZE * h + y0], axis=2)


def chunk_starts(start: int, stop: int, chunk: int = CHUNK) -> list[int]:
    """First frames of the chunks covering [start, stop); the last chunk ends at ``stop``."""
    starts = list(range(start, stop, chunk))
    if starts and starts[-1] + chunk > stop:
        starts[-1] = max(start, stop - chunk)
    return starts


def window_indices(n_frames: int, start: int, chunk: int = CHUNK, pad: int = PAD) -> np.ndarray:
    """(chunk + 2·pad,) frame indices of the window whose output frames are start … start+chunk-1."""
    return np.clip(np.arange(start - pad, start + chunk + pad), 0, n_frames - 1)


def _pad_of(model: torch.nn.Module) -> int:
    rf = getattr(model, "receptive_field", 2 * PAD + 1)
    return (int(rf) - 1) // 2


def run_network(
    model: torch.nn.Module,
    x: np.ndarray,
    start: int = 0,
    stop: int | None = None,
    chunk: int = CHUNK,
    batch: int = 16,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> np.ndarray:
    """Windowed inference on a (34, T) normalised input; returns (34, stop - start) for frames [start, stop)."""
    n = x.shape[1]
    stop = n if stop is None else stop
    if not 0 <= start < stop <= n:
        raise MotionError(f"frame range {start}…{stop} is outside the motion's {n} frames")
    pad = _pad_of(model)
    starts = chunk_starts(start, stop, chunk)
    out = np.zeros((x.shape[0], stop - start), dtype=np.float32)
    device = next(model.parameters()).device
    model.eval()
    for b in range(0, len(starts), batch):
        if cancel is not None and cancel():
            raise Cancelled("denoising cancelled")
        group = starts[b : b + batch]
        windows = np.stack([x[:, window_indices(n, s, chunk, pad)] for s in group])  # (B, 34, chunk+2·pad)
        with torch.no_grad():
            y = model(torch.from_numpy(windows).to(device)).float().cpu().numpy()  # (B, 34, chunk)
        if y.shape[-1] != chunk:
            raise MotionError(f"the keypoint network returned {y.shape[-1]} frames per window, expected {chunk}")
        for s, yy in zip(group, y, strict=True):
            lo, hi = max(s, start), min(s + chunk, stop)
            out[:, lo - start : hi - start] = yy[:, lo - s : hi - s]
        if progress is not None:
            progress(min(b + batch, len(starts)), len(starts))
    return out


def h36m_to_openpose18(h36m: np.ndarray, raw: np.ndarray | None = None) -> np.ndarray:
    """(T, 17, 2) H36M-17 -> (T, 18, 2) OpenPose-18; eyes/ears from ``raw`` (T, 18, 2) as the module doc says."""
    h36m = np.asarray(h36m, dtype=np.float64)
    out = np.full((h36m.shape[0], 18, 2), np.nan)
    for i, src in enumerate(H36M_FOR_OPENPOSE18):
        if src is not None:
            out[:, i] = h36m[:, src]
    if raw is not None:
        raw = np.asarray(raw, dtype=np.float64)
        shift = np.nan_to_num(out[:, 0] - raw[:, 0])  # (T, 2) nose correction; 0 where the raw nose is missing
        for j in _HEAD_EXTRAS:
            out[:, j] = raw[:, j] + shift
    return out


@dataclass
class NetworkMotion:
    """The network's clean motion for frames [start, stop)."""

    openpose18: np.ndarray  # (n, 18, 2) x, y pixels for the app
    h36m17: np.ndarray  # (n, 17, 2) x, y pixels as the network gives them
    normalised: np.ndarray  # (34, n) raw network output
    start: int
    box: FrameBox


def denoise_with_network(
    xy: np.ndarray,
    model: torch.nn.Module,
    frame_size: tuple[int, int] | None = None,
    start: int = 0,
    stop: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> NetworkMotion:
    """Clean frames [start, stop) of an OpenPose-18 track (T, 18, 2); the whole track serves as context."""
    arr = as_track_array(xy)
    if len(arr) == 0:
        raise MotionError("the motion has no frames")
    box = frame_box_for(arr, frame_size)
    stop = len(arr) if stop is None else stop
    norm = run_network(model, to_network_input(arr, box), start, stop, progress=progress, cancel=cancel)
    h36m = from_network_output(norm, box)
    return NetworkMotion(h36m_to_openpose18(h36m, arr[start:stop]), h36m, norm, start, box)


def load_keypoint_model(path: str | os.PathLike, device: str = "cpu") -> torch.nn.Module:
    """The Motion Extraction Network from a dance_keypoint checkpoint, or CheckpointError."""
    from core.gfla.checkpoint import load_model

    loaded = load_model(path, device=device)
    if loaded.kind != "dance_keypoint":
        raise CheckpointError(
            f"{os.fspath(path)} holds a {loaded.kind} network, not the Motion Extraction Network (dance_keypoint)"
        )
    return loaded.model
