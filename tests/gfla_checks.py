"""Checks the GFLA network tests share: tolerance comparison, the fixture output checks, random state dicts with a
published checkpoint's keys and small random checkpoints in the published layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

import torch

TOL_IMAGE, TOL_FLOW = 1e-4, 5e-4  # fixtures README: images, masks, attention 1e-4; flows 5e-4


class Widths(TypedDict):
    ngf: int
    img_f: int
    flow_ngf: int
    flow_img_f: int


SMALL: Widths = {"ngf": 8, "img_f": 32, "flow_ngf": 8, "flow_img_f": 32}  # reduced widths, published layout otherwise
# A model for the training tests: SMALL at 64 x 64 with small discriminators.
TINY = {**SMALL, "image_size": [64, 64], "d_ndf": 8, "d_img_f": 32}


def assert_close(actual: torch.Tensor, expected: torch.Tensor, atol: float, what: str) -> None:
    assert actual.shape == expected.shape, f"{what}: shape {tuple(actual.shape)} != {tuple(expected.shape)}"
    diff = (actual - expected.float()).abs().max().item()
    assert diff <= atol, f"{what}: max |diff| {diff:.3g} > {atol}"


def check_single_image(out: dict, ref: dict) -> int:
    """A one-image generator's output (pose, novel view) against a fixture's: image, each flow and mask, each
    attention layer's weights. Returns the number of flows."""
    assert_close(out["image"], ref["image_gen"], TOL_IMAGE, "image")
    n = sum(1 for k in ref if k.startswith("flow_fields."))
    assert len(out["flows"]) == len(out["masks"]) == n
    for j in range(n):
        assert_close(out["flows"][j], ref[f"flow_fields.{j}"], TOL_FLOW, f"flow {j}")
        assert_close(out["masks"][j], ref[f"masks.{j}"], TOL_IMAGE, f"mask {j}")
    attn_ref = {k.removeprefix("attn_weights."): v for k, v in ref.items() if k.startswith("attn_weights.")}
    assert set(out["attn"]) == set(attn_ref)
    for name, weights in attn_ref.items():
        assert_close(out["attn"][name], weights, TOL_IMAGE, f"attention {name}")
    return n


def check_recurrent_sequence(model: torch.nn.Module, data: dict) -> tuple[dict, dict]:
    """Run a recurrent generator (dance, face) on a fixture's frames and check each frame's image, flows and
    masks, the recurrence (frame t continues from frame t-1) and one step with cached reference features.

    Returns (the model's output, the fixture's outputs) for the checks particular to the network."""
    from core.gfla.dance import DanceGenerator
    from core.gfla.face import FaceGenerator

    assert isinstance(model, (DanceGenerator, FaceGenerator)), type(model).__name__
    inp, ref = data["inputs"], data["outputs"]
    frames = inp["BP_frame_step"].float()  # (B, T, C, H, W)
    reference, reference_st = inp["P_reference"].float(), inp["BP_reference"].float()
    with torch.no_grad():
        out = model(frames, reference, reference_st)
    n_frames = frames.shape[1]
    assert len(out["images"]) == n_frames
    for t in range(n_frames):
        assert_close(out["images"][t], ref[f"image_gen.{t}"], TOL_IMAGE, f"frame {t} image")
        n = sum(1 for k in ref if k.startswith(f"flow_fields.{t}."))
        assert len(out["flows"][t]) == len(out["masks"][t]) == n
        for j in range(n):
            assert_close(out["flows"][t][j], ref[f"flow_fields.{t}.{j}"], TOL_FLOW, f"frame {t} flow {j}")
            assert_close(out["masks"][t][j], ref[f"masks.{t}.{j}"], TOL_IMAGE, f"frame {t} mask {j}")
    assert out["previous"][0] is reference
    for t in range(1, n_frames):
        assert out["previous"][t] is out["images"][t - 1]
    if n_frames > 1:  # one step with cached reference features reproduces frame 1
        with torch.no_grad():
            step = model.step(
                frames[:, 1], reference, reference_st, out["images"][0], frames[:, 0], model.encode_reference(reference)
            )
        image = step["image"]
        assert isinstance(image, torch.Tensor) and torch.equal(image, out["images"][1])
    return out, ref


def random_published_checkpoint(spec_file: Path, folder: Path) -> dict:
    """A random state dict with the keys and shapes of ``spec_file`` (a keys_*.json; aliased pairs equal), saved
    as ``folder``/latest_net_G.pth: {"spec", "sd", "path"}."""
    spec = json.loads(spec_file.read_text())
    gen = torch.Generator().manual_seed(len(spec["keys"]))
    sd = {key: torch.rand(shape, generator=gen) for key, shape in spec["keys"]}
    for first, second in spec["aliased_key_pairs"]:
        sd[second] = sd[first].clone()
    path = folder / "latest_net_G.pth"
    torch.save(sd, path)
    return {"spec": spec, "sd": sd, "path": path}


def save_small_checkpoint(kind: str, path: Path, monkeypatch, seed: int) -> Path:  # noqa: ANN001
    """A random reduced-width ("face" or "shapenet") checkpoint in the published key layout saved to ``path``;
    CONFIGS[kind] is made to match it, so detection and the strict load run exactly as for a published file."""
    from core.gfla.checkpoint import state_dict_for_saving
    from core.gfla.configs import CONFIGS, FaceConfig, ShapeNetConfig
    from core.gfla.factory import build_model

    cfg = FaceConfig(**SMALL) if kind == "face" else ShapeNetConfig(**SMALL)
    monkeypatch.setitem(CONFIGS, kind, cfg)
    torch.manual_seed(seed)
    torch.save(state_dict_for_saving(build_model(cfg)), path)
    return path
