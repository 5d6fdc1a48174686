"""bf16 rendering stays inside its accuracy gate against fp32 on the reference fixtures; fp32 is left exact."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.errors import RenderError
from core.gfla import config_from_fixture, load_model
from core.gfla.accel import accelerate
from core.gfla.accel.precision import GATE_DB, precision_context, psnr_db
from core.render.gfla import GFLARenderer
from core.render.registry import from_model

sys.path.insert(0, str(Path(__file__).parent))
from fixture_files import FIXTURES  # noqa: E402


def _model(name: str):
    data = torch.load(FIXTURES / name, weights_only=True)
    return data, load_model(data["state_dict"], config=config_from_fixture(data["config"])).model.eval()


@pytest.mark.parametrize("name", ["pose_fashion.pt", "pose_market.pt"])
def test_bf16_forward_passes_the_gate_against_the_published_fp32_outputs(name: str) -> None:
    data, model = _model(name)
    inp = data["inputs"]
    args = (inp["source"].float(), inp["source_B"].float(), inp["target_B"].float())
    reference = data["outputs"]["image_gen"].float()
    for net in (model, accelerate(model)):
        with torch.inference_mode(), precision_context("bf16", "cpu"):
            out = net(*args)["image"]
        assert out.dtype == torch.bfloat16 or out.dtype == torch.float32
        db = psnr_db(out, reference)
        assert GATE_DB["bf16"] <= db < float("inf"), f"{type(net).__name__}: {db:.1f} dB"  # close, but really bf16
        with torch.inference_mode(), precision_context("fp32", "cpu"):
            assert (net(*args)["image"] - reference).abs().max().item() <= 1e-4


def _pose(scale: float = 1.0) -> np.ndarray:
    from core.bench_cases import standing_pose

    return standing_pose(scale, (40.0, 10.0))


def test_a_bf16_renderer_renders_the_fixture_network_within_the_gate_of_the_fp32_one() -> None:
    _, model = _model("pose_fashion.pt")
    photo = np.random.default_rng(0).integers(0, 256, (320, 240, 3), dtype=np.uint8)
    src, tgt = _pose(), _pose()
    tgt[4] = src[3] + (0.0, -60.0)
    images = {}
    for precision in ("fp32", "bf16"):
        renderer = from_model(model, "pose_fashion", "cpu", accel="fast", precision=precision)
        assert isinstance(renderer, GFLARenderer) and renderer.precision == precision
        images[precision] = renderer.render(renderer.encode_source(photo, src), tgt).extras["network_image"]
    a, b = (torch.from_numpy(images[p]).float() / 127.5 - 1 for p in ("bf16", "fp32"))
    assert GATE_DB["bf16"] <= psnr_db(a, b) < float("inf")


def test_an_unknown_precision_or_one_a_network_lacks_is_a_clear_error() -> None:
    _, model = _model("pose_market.pt")
    with pytest.raises(RenderError, match="unknown precision 'fp8'"):
        from_model(model, "pose_market", "cpu", precision="fp8")
    _, dance = _model("dance_fashion.pt")
    with pytest.raises(RenderError, match="pose_fashion and pose_market only"):
        from_model(dance, "dance_fashion", "cpu", precision="bf16")
