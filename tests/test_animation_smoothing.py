"""Classical smoothers calm a jittered skeleton track without inventing or dropping joints."""

from __future__ import annotations

import numpy as np
import pytest

from core.animation.smoothing import MotionError, mean_acceleration, one_euro, savgol, smooth_motion


def _jittered_walk(seed: int = 0, frames: int = 240, jitter_px: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """(clean, noisy) (T, 18, 2) tracks: joints swinging at 0.3-1.2 Hz (24 fps) plus Gaussian jitter, with gaps."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / 24.0
    base = rng.uniform(100, 400, (18, 2))
    amp, freq, phase = rng.uniform(5, 40, (18, 2)), rng.uniform(0.3, 1.2, (18, 2)), rng.uniform(0, 6, (18, 2))
    clean = base + amp * np.sin(2 * np.pi * freq * t[:, None, None] + phase)
    noisy = clean + rng.normal(0, jitter_px, clean.shape)
    noisy[50:55, 4] = np.nan  # a dropped wrist
    noisy[100, 7] = np.nan
    return clean, noisy


def test_savgol_cuts_mean_acceleration_of_a_jittered_track_at_least_threefold() -> None:
    clean, noisy = _jittered_walk()
    smoothed = savgol(noisy, window=9, polyorder=2)
    assert mean_acceleration(noisy) / mean_acceleration(smoothed) >= 3.0  # measured 4.9
    err = lambda a: np.nanmean(np.linalg.norm(a - clean, axis=2))
    assert err(smoothed) < 0.7 * err(noisy)  # and it moves the track towards the clean motion


def test_one_euro_cuts_mean_acceleration_of_a_jittered_track_at_least_twofold() -> None:
    _, noisy = _jittered_walk(seed=1)
    smoothed = one_euro(noisy, fps=24, min_cutoff=1.0, beta=0.02)
    assert mean_acceleration(noisy) / mean_acceleration(smoothed) >= 2.0  # measured 2.4


@pytest.mark.parametrize("method", ["savgol", "oneeuro"])
def test_smoothers_keep_missing_joints_missing_and_present_ones_present(method: str) -> None:
    _, noisy = _jittered_walk()
    out = smooth_motion(noisy, method, fps=24)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(noisy))


def test_savgol_leaves_runs_too_short_to_fit_unchanged() -> None:
    track = np.full((10, 18, 2), np.nan)
    track[2:4] = np.random.default_rng(0).uniform(0, 10, (2, 18, 2))
    np.testing.assert_array_equal(savgol(track, 9, 2), track)


def test_unknown_smoother_or_bad_parameters_give_a_clear_error() -> None:
    _, noisy = _jittered_walk()
    with pytest.raises(MotionError, match="unknown smoother"):
        smooth_motion(noisy, "kalman")
    with pytest.raises(MotionError, match="window"):
        savgol(noisy, window=3, polyorder=3)
    with pytest.raises(MotionError, match="shape"):
        savgol(np.zeros((5, 18)))
