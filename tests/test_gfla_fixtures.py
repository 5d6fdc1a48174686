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

# README tolerances: images, masks, attention weights 1e-4; flows 5e-4; keypoints 1e-4.
TOL_IMAGE, TOL_FLOW, TOL_KP = 1e-4, 5e-4, 1e-4


FIXTURE_FILES = {
    PoseConfig: ["pose_fashion.pt", "pose_market.pt"],
    DanceConfig: ["dance_fashion.pt"],
    KeypointConfig: ["keypoint.pt"],
}


def _fixtures_of(config_type: type) -> list:
    """Parameters for the fixture files of one network family (a missing file fails the test)."""
    return [pytest.param(FIXTURES / n, id=n[:-3]) for n in FIXTURE_FILES[config_type]]


def _close(actual: torch.Tensor, expected: torch.Tensor, atol: float, what: str) -> None:
    assert actual.shape == expected.shape, f"{what}: shape {tuple(actual.shape)} != {tuple(expected.shape)}"
    diff = (actual - expected.float()).abs().max().item()
    assert diff <= atol, f"{what}: max |diff| {diff:.3g} > {atol}"


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
    _close(out["image"], ref["image_gen"], TOL_IMAGE, "image")
    n = sum(1 for k in ref if k.startswith("flow_fields."))
    assert len(out["flows"]) == len(out["masks"]) == n
    for j in range(n):
        _close(out["flows"][j], ref[f"flow_fields.{j}"], TOL_FLOW, f"flow {j}")
        _close(out["masks"][j], ref[f"masks.{j}"], TOL_IMAGE, f"mask {j}")
    attn_ref = {k.removeprefix("attn_weights."): v for k, v in ref.items() if k.startswith("attn_weights.")}
    assert set(out["attn"]) == set(attn_ref)
    for name, weights in attn_ref.items():
        _close(out["attn"][name], weights, TOL_IMAGE, f"attention {name}")
    # Cached source features (encode once per photo) give the same result.
    assert torch.equal(cached["image"], out["image"])
    for a, b in zip(cached["flows"] + cached["masks"], out["flows"] + out["masks"], strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("path", _fixtures_of(DanceConfig))
def test_dance_generator_matches_published_sequence(path: Path) -> None:
    data, model = _load(path)
    inp, ref = data["inputs"], data["outputs"]
    frames = inp["BP_frame_step"].float()  # (B, T, 20, H, W)
    reference, reference_st = inp["P_reference"].float(), inp["BP_reference"].float()
    with torch.no_grad():
        out = model(frames, reference, reference_st)
    n_frames = frames.shape[1]
    assert len(out["images"]) == n_frames
    for t in range(n_frames):
        _close(out["images"][t], ref[f"image_gen.{t}"], TOL_IMAGE, f"frame {t} image")
        n = sum(1 for k in ref if k.startswith(f"flow_fields.{t}."))
        assert len(out["flows"][t]) == len(out["masks"][t]) == n
        for j in range(n):
            _close(out["flows"][t][j], ref[f"flow_fields.{t}.{j}"], TOL_FLOW, f"frame {t} flow {j}")
            _close(out["masks"][t][j], ref[f"masks.{t}.{j}"], TOL_IMAGE, f"frame {t} mask {j}")
        prefix = f"attn_weights.{t}."
        attn_ref = {k.removeprefix(prefix): v for k, v in ref.items() if k.startswith(prefix)}
        assert set(out["attn"][t]) == set(attn_ref)
        for name, weights in attn_ref.items():
            _close(out["attn"][t][name], weights, TOL_IMAGE, f"frame {t} attention {name}")
    # Recurrence: frame 0 uses the reference as "previous", frame t the generated frame t-1.
    assert out["previous"][0] is reference
    for t in range(1, n_frames):
        assert out["previous"][t] is out["images"][t - 1]
    # One step with cached reference features reproduces frame 1.
    if n_frames > 1:
        with torch.no_grad():
            step = model.step(
                frames[:, 1], reference, reference_st, out["images"][0], frames[:, 0], model.encode_reference(reference)
            )
        assert torch.equal(step["image"], out["images"][1])


@pytest.mark.parametrize("path", _fixtures_of(KeypointConfig))
def test_motion_extraction_net_matches_published_keypoints(path: Path) -> None:
    data, model = _load(path)
    x = data["inputs"]["input_2d"].float()
    with torch.no_grad():
        y = model(x)
    assert y.shape[-1] == x.shape[-1] - 80
    _close(y, data["outputs"]["keypoints"], TOL_KP, "keypoints")


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
    _close(extract_blocks(source, flow, k).double(), _reference_blocks(source, flow, k), 1e-5, f"blocks k={k}")
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
