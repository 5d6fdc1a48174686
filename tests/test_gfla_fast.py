"""The optimised GFLA inference paths (fast eager, AOT-compiled) reproduce the published fixtures like the plain networks.

Each test prints the largest difference from the plain float32 network, so ``pytest -s`` reports it.
The compiled packages are cached in ``.pytest_cache/gfla-compiled``: the first run builds them
(both networks at once, 2–4 minutes on a 2-core CPU, again after any change to the code they are
compiled from), later runs load them in seconds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.errors import RenderError
from core.gfla import DanceConfig, PoseConfig, config_from_fixture, load_model
from core.gfla.accel import (
    Accelerator,
    FastDanceGenerator,
    FastPoseGenerator,
    SourceCache,
    accelerate,
    enable_background_builds,
    resolve_mode,
)
from core.gfla.accel.aot import FAILED, SPEC, WEIGHTS, CompiledParts
from core.gfla.accel.attention import FastLocalAttention
from core.gfla.blocks import LocalAttention

REPO = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401

COMPILED_CACHE = REPO / ".pytest_cache" / "gfla-compiled"
TOL_IMAGE, TOL_FLOW = 1e-4, 5e-4  # README tolerances (as in test_gfla_fixtures.py)


def _fixture(name: str) -> tuple[dict, torch.nn.Module]:
    path = fixture_file(f"{name}.pt")
    data = torch.load(path, weights_only=True)
    return data, load_model(data["state_dict"], config=config_from_fixture(data["config"])).model


def _diff(a: torch.Tensor, b: torch.Tensor) -> float:
    assert a.shape == b.shape
    return (a - b.float()).abs().max().item()


def _check_pose(out: dict, ref: dict, plain: dict, label: str) -> None:
    """Images, masks and attention within 1e-4 and flows within 5e-4 of the fixture; print the gap to plain."""
    assert _diff(out["image"], ref["image_gen"]) <= TOL_IMAGE
    for j, (flow, mask) in enumerate(zip(out["flows"], out["masks"], strict=True)):
        assert _diff(flow, ref[f"flow_fields.{j}"]) <= TOL_FLOW
        assert _diff(mask, ref[f"masks.{j}"]) <= TOL_IMAGE
    for name, weights in out["attn"].items():
        assert _diff(weights, ref[f"attn_weights.{name}"]) <= TOL_IMAGE
    gap = max(_diff(out[k], plain[k]) for k in ("image",)) if plain else float("nan")
    print(f"\n{label}: max |image - plain float32| = {gap:.2e}")


@pytest.mark.parametrize("name", ["pose_fashion", "pose_market"])
def test_fast_path_reproduces_published_pose_outputs_with_and_without_cached_source(name: str) -> None:
    data, model = _fixture(name)
    fast = accelerate(model)
    assert isinstance(fast, FastPoseGenerator)
    inp = data["inputs"]
    args = (inp["source"].float(), inp["source_B"].float(), inp["target_B"].float())
    with torch.inference_mode():
        plain = model(*args)
        cache = fast.encode_source(args[0])
        assert isinstance(cache, SourceCache) and len(cache.projections) == len(model.target.attn_steps)
        cached = fast(*args, source_features=cache)
        uncached = fast(*args)
        from_plain_features = fast(*args, source_features=model.encode_source(args[0]))
    _check_pose(cached, data["outputs"], plain, f"{name} fast")
    assert set(cached) == set(plain)
    for other in (uncached, from_plain_features):
        assert _diff(other["image"], cached["image"]) <= 1e-6


def test_fast_path_reproduces_the_published_dance_sequence() -> None:
    data, model = _fixture("dance_fashion")
    fast = accelerate(model)
    assert isinstance(fast, FastDanceGenerator)
    inp, ref = data["inputs"], data["outputs"]
    args = (inp["BP_frame_step"].float(), inp["P_reference"].float(), inp["BP_reference"].float())
    with torch.inference_mode():
        out = fast(*args)
        plain = model(*args)
    for t, image in enumerate(out["images"]):
        assert _diff(image, ref[f"image_gen.{t}"]) <= TOL_IMAGE
        for j, flow in enumerate(out["flows"][t]):
            assert _diff(flow, ref[f"flow_fields.{t}.{j}"]) <= TOL_FLOW
        for name, weights in out["attn"][t].items():
            assert _diff(weights, ref[f"attn_weights.{t}.{name}"]) <= TOL_IMAGE
    assert out["previous"][1] is out["images"][0]
    gap = max(_diff(a, b) for a, b in zip(out["images"], plain["images"], strict=True))
    print(f"\ndance_fashion fast: max |image - plain float32| over {len(out['images'])} frames = {gap:.2e}")


@pytest.mark.parametrize(("k", "batch", "source_batch"), [(5, 1, 1), (3, 2, 2), (4, 3, 1), (2, 2, 1)])
def test_fast_local_attention_equals_the_published_layer(k: int, batch: int, source_batch: int) -> None:
    """Any kernel size (even ones are biased to the top-left), batches, and one source shared by many targets."""
    gen = torch.Generator().manual_seed(k)
    layer = LocalAttention(12, k, hidden=16).eval()
    fast = FastLocalAttention(layer)
    source = torch.randn(source_batch, 12, 9, 11, generator=gen)
    target = torch.randn(batch, 12, 9, 11, generator=gen)
    flow = torch.randn(batch, 2, 9, 11, generator=gen) * 5  # many samples clamped at the border
    with torch.inference_mode():
        expected, expected_w = layer(source.expand(batch, -1, -1, -1), target, flow)
        result, weights = fast(source, target, flow, fast.project(source))
    assert _diff(result, expected) <= 1e-5 and _diff(weights, expected_w) <= 1e-6


def test_paths_are_chosen_by_name_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GFLA_ACCEL", "plain")
    assert resolve_mode("auto") == "plain"
    assert resolve_mode("fast") == "fast"  # an explicit choice wins over the environment
    monkeypatch.delenv("GFLA_ACCEL")
    assert resolve_mode("auto", "cuda") == "fast"  # compiled parts are built for the CPU only
    assert resolve_mode("compiled", "cuda") == "fast"
    with pytest.raises(RenderError, match="unknown inference path"):
        resolve_mode("turbo")


def test_renderer_offers_the_plain_and_the_fast_path_with_the_same_pictures() -> None:
    from dataclasses import replace

    from core.gfla import CONFIGS, build_model
    from core.render import renderer_for_model

    torch.manual_seed(0)
    model = build_model(replace(CONFIGS["pose_market"], ngf=8, img_f=32, flow_ngf=8, flow_img_f=32))
    plain = renderer_for_model(model, "pose_market", "cpu", accel="plain")
    fast = renderer_for_model(model, "pose_market", "cpu", accel="fast")
    assert plain.model is model and isinstance(fast.model, FastPoseGenerator)
    photo = (np.random.default_rng(0).random((200, 100, 3)) * 255).astype(np.uint8)
    pose = np.array([[50, 30], [50, 50], [35, 50], [30, 80], [28, 110], [65, 50], [70, 80], [72, 110], [42, 110],
                     [40, 150], [40, 190], [58, 110], [60, 150], [60, 190], [45, 25], [55, 25], [40, 28], [60, 28]],
                    dtype=float)
    target = pose.copy()
    target[4] = (20, 40)
    a = plain.render(plain.encode_source(photo, pose), target)
    b = fast.render(fast.encode_source(photo, pose), target)
    assert a.extras["inference"] == "plain" and b.extras["inference"] == "fast"
    assert np.abs(a.image.astype(int) - b.image.astype(int)).max() <= 1  # uint8 rounding of a ~1e-6 difference


def test_compiled_build_starts_only_when_enabled_and_after_rendering_took_a_while(monkeypatch: pytest.MonkeyPatch,
                                                                               tmp_path: Path) -> None:
    _, model = _fixture("pose_market")
    monkeypatch.setenv("GFLA_COMPILED_DIR", str(tmp_path))
    started: list[CompiledParts] = []
    monkeypatch.setattr(CompiledParts, "build", lambda self, wait=False: started.append(self))
    monkeypatch.delenv("GFLA_ACCEL", raising=False)
    acc = Accelerator(model, "compiled", build_after_s=3.0)
    for _ in range(5):
        acc.after_render(1.0)
    assert not started, "no build unless the host enabled background builds"
    enable_background_builds()
    try:
        acc = Accelerator(model, "compiled", build_after_s=3.0)
        acc.after_render(1.0)
        acc.after_render(1.5)
        assert not started and acc.label.startswith("fast")
        acc.after_render(1.0)
        assert len(started) == 1 and started[0].folder.parent == tmp_path
    finally:
        enable_background_builds(False)


def test_a_failed_build_is_reported_and_the_fast_path_stays(tmp_path: Path) -> None:
    _, model = _fixture("pose_market")
    parts = CompiledParts(accelerate(model), root=tmp_path)
    parts.folder.mkdir(parents=True)
    (parts.folder / SPEC).write_text(json.dumps({"config": {"type": "PoseConfig"}, "batch": 1}))
    (parts.folder / WEIGHTS).write_bytes(b"not a safetensors file")
    from core.gfla.accel import aot_worker

    assert aot_worker.main([str(parts.folder)]) == 1
    assert (parts.folder / FAILED).is_file() and not (parts.folder / WEIGHTS).exists()
    assert parts.poll() == "failed" and parts.error
    assert parts.load() is False and all(isinstance(f, torch.nn.Module) for f in parts.model.run.values())


def test_packages_that_this_installation_cannot_load_are_pruned(tmp_path: Path) -> None:
    from core.gfla.accel.aot import DONE, _code_tag, prune_stale

    for name, code in (("old_code", "0" * 16), ("current", _code_tag())):
        (tmp_path / name).mkdir()
        (tmp_path / name / SPEC).write_text(json.dumps({"code": code, "torch": torch.__version__}))
        (tmp_path / name / DONE).write_text("{}")
    prune_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current"]


COMPILED_FIXTURES = ["pose_fashion", "dance_fashion"]


@pytest.fixture(scope="module")
def compiled_builds() -> dict[str, tuple[dict, torch.nn.Module, CompiledParts]]:
    """Start building every fixture network's packages at once (the first run builds, later runs load)."""
    COMPILED_CACHE.mkdir(parents=True, exist_ok=True)
    builds = {}
    for name in COMPILED_FIXTURES:
        data, model = _fixture(name)
        parts = CompiledParts(accelerate(model), root=COMPILED_CACHE)
        parts.build()
        builds[name] = (data, model, parts)
    return builds


@pytest.mark.skipif(sys.platform == "win32", reason="compiled parts are built with g++/clang++")
@pytest.mark.parametrize("name", COMPILED_FIXTURES)
def test_compiled_parts_reproduce_the_fixtures_and_fall_back_for_other_shapes(name: str, compiled_builds) -> None:
    data, model, parts = compiled_builds[name]
    fast = parts.model
    parts.build(wait=True)
    assert parts.load(), parts.error or (parts.folder / "build.log").read_text()[-2000:]
    assert all(type(f).__name__ == "_Guarded" for f in fast.run.values())
    inp, ref = data["inputs"], data["outputs"]
    with torch.inference_mode():
        if isinstance(model.config, PoseConfig):
            args = (inp["source"].float(), inp["source_B"].float(), inp["target_B"].float())
            out, plain = fast(*args), model(*args)
            _check_pose(out, ref, plain, f"{name} compiled")
            batched = fast(*(torch.cat([a, a]) for a in args))  # batch 2: not compiled for it, runs eager
            assert _diff(batched["image"][1:], ref["image_gen"]) <= TOL_IMAGE
        else:
            assert isinstance(model.config, DanceConfig)
            args = (inp["BP_frame_step"].float(), inp["P_reference"].float(), inp["BP_reference"].float())
            out, plain = fast(*args), model(*args)
            for t, image in enumerate(out["images"]):
                assert _diff(image, ref[f"image_gen.{t}"]) <= TOL_IMAGE
                for j, flow in enumerate(out["flows"][t]):
                    assert _diff(flow, ref[f"flow_fields.{t}.{j}"]) <= TOL_FLOW
            gap = max(_diff(a, b) for a, b in zip(out["images"], plain["images"], strict=True))
            print(f"\n{name} compiled: max |image - plain float32| = {gap:.2e}")
