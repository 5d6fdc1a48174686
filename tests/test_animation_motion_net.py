"""The Motion Extraction Network path: normalisation, windows and joint maps as the published inference does them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.animation.motion_net import (
    CHUNK,
    chunk_starts,
    denoise_with_network,
    from_network_output,
    h36m_to_openpose18,
    run_network,
    to_network_input,
    window_indices,
)
from core.encoding import OPENPOSE18_TO_COCO17, keypoint_vector_34, pose_to_keypoints_2d

REPO = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401

KEYPOINT = FIXTURES / "keypoint.pt"
needs_fixture = pytest.mark.usefixtures("keypoint_fixture_present")


@pytest.fixture
def keypoint_fixture_present() -> None:
    fixture_file(KEYPOINT.name)


@pytest.fixture(scope="module")
def fixture() -> dict:
    return torch.load(KEYPOINT, weights_only=True)


@pytest.fixture(scope="module")
def model(fixture: dict) -> torch.nn.Module:
    from core.gfla.checkpoint import load_model
    from core.gfla.configs import KeypointConfig

    cfg = {k: fixture["config"][k] for k in ("structure_nc", "channels", "layers") if k in fixture["config"]}
    return load_model(fixture["state_dict"], kind="dance_keypoint", config=KeypointConfig(**cfg)).model


def _fixture_as_pixels(x: np.ndarray, frame_wh: tuple[int, int]) -> np.ndarray:
    """Invert the published input encoding: (34, T) normalised COCO-17 -> (T, 18, 2) OpenPose-18 pixels."""
    w, h = frame_wh
    v = (x.astype(np.float64) + 1) / 2 * 256  # (34, T) in the 256×256 frame
    t = x.shape[1]
    out = np.full((t, 18, 2), np.nan)
    for c, op in enumerate(OPENPOSE18_TO_COCO17):
        ys, xs = v[c] / 256 * h, v[17 + c] / 256 * w
        missing = (x[c] == -1) & (x[17 + c] == -1)
        out[:, op, 0] = np.where(missing, np.nan, xs)
        out[:, op, 1] = np.where(missing, np.nan, ys)
    out[:, 1] = (out[:, 2] + out[:, 5]) / 2  # a neck (not used by the network)
    return out


def _jittered_track(frames: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.uniform(150, 450, (18, 2))
    t = np.arange(frames)[:, None, None]
    track = base + 20 * np.sin(t / 8 + rng.uniform(0, 6, (18, 2))) + rng.normal(0, 3, (frames, 18, 2))
    track[10:13, 4] = np.nan  # dropped wrist detections
    return track


def test_network_input_matches_the_published_keypoint_vector_for_one_frame() -> None:
    xy = _jittered_track(1)[0]
    xy[15] = np.nan  # a missing eye
    ours = to_network_input(xy[None], (0.0, 0.0, 640.0, 480.0))[:, 0]
    ref = keypoint_vector_34(pose_to_keypoints_2d(xy), (480, 640), 256, is_clean_pose=False)[:, 0]
    np.testing.assert_allclose(ours, ref, atol=1e-6)
    assert ours[OPENPOSE18_TO_COCO17.index(15)] == -1.0  # missing → 0 → -1


def test_normalisation_round_trip_returns_the_pixels() -> None:
    xy = _jittered_track(30)
    box = (0.0, 0.0, 720.0, 540.0)
    back = from_network_output(to_network_input(xy, box), box)  # COCO order (same layout both ways)
    coco = xy[:, list(OPENPOSE18_TO_COCO17)]
    present = ~np.isnan(coco).any(axis=2)
    np.testing.assert_allclose(back[present], coco[present], atol=1e-3)
    np.testing.assert_allclose(back[~present], 0.0, atol=1e-9)  # missing decodes to the frame corner


def test_chunks_cover_every_frame_and_the_last_one_ends_on_the_last_frame() -> None:
    assert chunk_starts(0, 60) == [0, 24, 36]
    assert chunk_starts(0, 48) == [0, 24]
    assert chunk_starts(0, 10) == [0]
    idx = window_indices(60, 36)
    assert len(idx) == CHUNK + 80 and idx[0] == 0 and idx[-1] == 59 and idx[40] == 36


@needs_fixture
def test_window_machinery_on_the_fixture_input_reproduces_the_fixture_output(fixture: dict, model) -> None:
    x = fixture["inputs"]["input_2d"][0].numpy()  # (34, T_in)
    ref = fixture["outputs"]["keypoints"][0].numpy()  # (34, T_out)
    pad = (x.shape[1] - ref.shape[1]) // 2
    np.testing.assert_array_equal(window_indices(x.shape[1], pad, ref.shape[1], pad), np.arange(x.shape[1]))
    out = run_network(model, x, start=pad, stop=pad + ref.shape[1], chunk=ref.shape[1])
    np.testing.assert_allclose(out, ref, atol=1e-4)


@needs_fixture
def test_pixel_pipeline_end_to_end_reproduces_the_fixture_and_maps_joints_back(fixture: dict, model) -> None:
    x = fixture["inputs"]["input_2d"][0].numpy()
    ref = fixture["outputs"]["keypoints"][0].numpy()
    pad = (x.shape[1] - ref.shape[1]) // 2
    frame = (640, 360)
    track = _fixture_as_pixels(x, frame)
    res = denoise_with_network(track, model, frame_size=frame, start=pad, stop=pad + ref.shape[1])
    np.testing.assert_allclose(res.normalised, ref, atol=1e-4)
    h36m = from_network_output(ref, (0, 0, *frame))
    np.testing.assert_allclose(res.h36m17, h36m, atol=0.05)
    op = res.openpose18
    np.testing.assert_allclose(op[:, 0], h36m[:, 9], atol=0.05)  # nose ← neck/nose
    np.testing.assert_allclose(op[:, 1], h36m[:, 8], atol=0.05)  # neck ← thorax
    np.testing.assert_allclose(op[:, 4], h36m[:, 16], atol=0.05)  # right wrist
    np.testing.assert_allclose(op[:, 13], h36m[:, 6], atol=0.05)  # left ankle ← left foot
    raw = track[pad : pad + ref.shape[1]]
    shift = op[:, 0] - raw[:, 0]
    ok = ~np.isnan(raw[:, 14]).any(axis=1) & ~np.isnan(raw[:, 0]).any(axis=1)
    np.testing.assert_allclose(op[ok, 14], raw[ok, 14] + shift[ok], atol=1e-9)  # eye carried with the nose


@needs_fixture
def test_a_track_longer_than_one_window_is_denoised_chunk_by_chunk(model) -> None:
    track = _jittered_track(60)
    res = denoise_with_network(track, model, frame_size=(600, 600))
    assert res.openpose18.shape == (60, 18, 2)
    assert np.isfinite(res.openpose18[:, :14]).all()  # the network fills the dropped wrist
    x = to_network_input(track, (0, 0, 600, 600))
    starts = chunk_starts(0, 60)  # [0, 24, 36]: the last chunk overlaps and wins on frames 36-47
    for start, end in zip(starts, [*starts[1:], 60], strict=True):
        window = torch.from_numpy(x[:, window_indices(60, start)][None])  # (1, 34, 104)
        with torch.no_grad():
            alone = model(window)[0].numpy()  # (34, 24)
        np.testing.assert_allclose(res.normalised[:, start:end], alone[:, : end - start], atol=1e-5)


def test_h36m_back_to_openpose_keeps_eyes_and_ears_from_the_raw_track_or_leaves_them_missing() -> None:
    h36m = np.random.default_rng(0).uniform(0, 100, (4, 17, 2))
    out = h36m_to_openpose18(h36m)
    assert np.isnan(out[:, 14:]).all() and np.isfinite(out[:, :14]).all()
