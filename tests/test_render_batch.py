"""Batched export rendering: the pose-transfer renderer's batches equal its frame-by-frame output, and the one
sequence loop keeps order, progress and cancelling when batched."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.errors import Cancelled
from core.gfla import config_from_fixture, load_model
from core.render.gfla import GFLARenderer
from core.render.registry import from_model

sys.path.insert(0, str(Path(__file__).parent))
from fixture_files import FIXTURES  # noqa: E402


def _renderer(accel: str = "fast"):
    data = torch.load(FIXTURES / "pose_fashion.pt", weights_only=True)
    model = load_model(data["state_dict"], config=config_from_fixture(data["config"])).model.eval()
    renderer = from_model(model, "pose_fashion", "cpu", accel=accel)
    assert isinstance(renderer, GFLARenderer)
    return renderer


def _poses(n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    from core.bench_cases import standing_pose

    src = standing_pose(1.0, (40.0, 10.0))
    targets = []
    for i in range(n):
        t = src.copy()
        t[4] = src[3] + (8.0 * i, -60.0 + 5.0 * i)
        t[7] = src[6] + (4.0 * i, 0.0)
        targets.append(t)
    return src, targets


def test_batched_sequence_equals_frame_by_frame_within_float32_round_off() -> None:
    renderer = _renderer()
    photo = np.random.default_rng(1).integers(0, 256, (320, 240, 3), dtype=np.uint8)
    src, targets = _poses(7)
    state = renderer.encode_source(photo, src)
    assert renderer.batch_size == 1  # frame by frame unless asked
    single = list(renderer.render_sequence(state, targets))
    renderer.batch_size = 3  # batches of 3, 3 and 1
    seen: list[tuple[int, int]] = []
    batched = list(renderer.render_sequence(state, targets, progress=lambda d, t: seen.append((d, t))))
    assert seen == [(i, 7) for i in range(1, 8)]
    assert len(batched) == len(single) == 7
    for a, b in zip(single, batched, strict=True):
        diff = np.abs(a.image.astype(int) - b.image.astype(int)).max()
        assert diff <= 1, diff  # uint8 images: at most one level from float32 round-off
        for fa, fb in zip(a.flows, b.flows, strict=True):
            np.testing.assert_allclose(fa, fb, atol=1e-3)
    assert not np.array_equal(single[0].image, single[6].image)  # the frames really differ


def test_a_batched_sequence_can_be_cancelled_between_batches() -> None:
    renderer = _renderer()
    renderer.batch_size = 2
    photo = np.random.default_rng(2).integers(0, 256, (320, 240, 3), dtype=np.uint8)
    src, targets = _poses(5)
    state = renderer.encode_source(photo, src)
    done: list[int] = []
    with pytest.raises(Cancelled):
        for _ in renderer.render_sequence(state, targets, progress=lambda d, t: done.append(d),
                                          cancel=lambda: len(done) >= 2):
            pass
    assert done == [1, 2]
