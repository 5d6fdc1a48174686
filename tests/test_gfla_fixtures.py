"""The pure-PyTorch GFLA networks reproduce the published networks' outputs on the numeric fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from core.gfla import (
    DanceConfig,
    KeypointConfig,
    PoseConfig,
    config_from_fixture,
    extract_blocks,
    load_model,
    local_attn_reshape,
)
from core.gfla.ops import extract_neighbourhoods

REPO = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401
from gfla_checks import TOL_IMAGE, assert_close, check_recurrent_sequence, check_single_image  # noqa: E402

TOL_KP = 1e-4  # README: keypoints 1e-4 (images, masks, attention weights 1e-4; flows 5e-4)


FIXTURE_FILES = {
    PoseConfig: ["pose_fashion.pt", "pose_market.pt"],
    DanceConfig: ["dance_fashion.pt"],
    KeypointConfig: ["keypoint.pt"],
}


def _fixtures_of(config_type: type) -> list:
    """Parameters for the fixture files of one network family (a missing file fails the test)."""
    return [pytest.param(FIXTURES / n, id=n[:-3]) for n in FIXTURE_FILES[config_type]]


def _load(path: Path):
    data = torch.load(path, weights_only=True)
    loaded = load_model(data["state_dict"], config=config_from_fixture(data["config"]))
    return data, loaded.model


@pytest.mark.parametrize("path", _fixtures_of(PoseConfig))
def test_pose_generator_matches_published_outputs(path: Path) -> None:
    data, model = _load(path)
    inp, ref = data["inputs"], data["outputs"]
    source = inp["source"].float()
    with torch.no_grad():
        out = model(source, inp["source_B"].float(), inp["target_B"].float())
        cached = model(source, inp["source_B"].float(), inp["target_B"].float(), model.encode_source(source))
    check_single_image(out, ref)
    # Cached source features (encode once per photo) give the same result.
    assert torch.equal(cached["image"], out["image"])
    for a, b in zip(cached["flows"] + cached["masks"], out["flows"] + out["masks"], strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("path", _fixtures_of(DanceConfig))
def test_dance_generator_matches_published_sequence(path: Path) -> None:
    data, model = _load(path)
    out, ref = check_recurrent_sequence(model, data)
    for t in range(len(out["images"])):
        prefix = f"attn_weights.{t}."
        attn_ref = {k.removeprefix(prefix): v for k, v in ref.items() if k.startswith(prefix)}
        assert set(out["attn"][t]) == set(attn_ref)
        for name, weights in attn_ref.items():
            assert_close(out["attn"][t][name], weights, TOL_IMAGE, f"frame {t} attention {name}")


@pytest.mark.parametrize("path", _fixtures_of(KeypointConfig))
def test_motion_extraction_net_matches_published_keypoints(path: Path) -> None:
    data, model = _load(path)
    x = data["inputs"]["input_2d"].float()
    with torch.no_grad():
        y = model(x)
    assert y.shape[-1] == x.shape[-1] - 80
    assert_close(y, data["outputs"]["keypoints"], TOL_KP, "keypoints")


def _reference_blocks(source: torch.Tensor, flow: torch.Tensor, k: int) -> torch.Tensor:
    """Literal per-element block extractor with clamped bilinear corners (the CUDA kernel's semantics)."""
    b, c, h, w = source.shape
    hf, wf = flow.shape[-2:]
    out = torch.zeros(b, c, k * hf, k * wf, dtype=torch.float64)
    src = source.double()
    for n in range(b):
        for y in range(k * hf):
            for x in range(k * wf):
                yf, xf = y // k, x // k
                px = float(flow[n, 0, yf, xf]) + x % k - k // 2 + xf
                py = float(flow[n, 1, yf, xf]) + y % k - k // 2 + yf
                x0, y0 = int(torch.floor(torch.tensor(px))), int(torch.floor(torch.tensor(py)))
                ax, ay = px - x0, py - y0
                cx = [min(max(x0, 0), w - 1), min(max(x0 + 1, 0), w - 1)]
                cy = [min(max(y0, 0), h - 1), min(max(y0 + 1, 0), h - 1)]
                out[n, :, y, x] = (
                    src[n, :, cy[0], cx[0]] * (1 - ax) * (1 - ay)
                    + src[n, :, cy[0], cx[1]] * ax * (1 - ay)
                    + src[n, :, cy[1], cx[0]] * (1 - ax) * ay
                    + src[n, :, cy[1], cx[1]] * ax * ay
                )
    return out


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_block_extractor_follows_kernel_semantics_including_border_clamping(k: int) -> None:
    gen = torch.Generator().manual_seed(k)
    source = torch.randn(2, 3, 6, 7, generator=gen)
    flow = torch.randn(2, 2, 6, 7, generator=gen) * 4  # many samples fall outside the map
    assert_close(extract_blocks(source, flow, k).double(), _reference_blocks(source, flow, k), 1e-5, f"blocks k={k}")
    zero = torch.zeros_like(flow)
    assert torch.allclose(extract_neighbourhoods(source, k), extract_blocks(source, zero, k), atol=1e-6)


def test_local_attention_reshape_spreads_weights_row_major_into_blocks() -> None:
    k, h, w = 3, 2, 4
    weights = torch.arange(k * k * h * w, dtype=torch.float32).view(1, k * k, h, w)
    out = local_attn_reshape(weights, k)
    assert out.shape == (1, 1, k * h, k * w)
    for y in range(k * h):
        for x in range(k * w):
            assert out[0, 0, y, x] == weights[0, (y % k) * k + x % k, y // k, x // k]
    assert torch.equal(out, F.pixel_shuffle(weights, k))
