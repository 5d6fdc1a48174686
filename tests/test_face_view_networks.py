"""The face-animation and novel-view networks load the published checkpoints strictly and reproduce their fixtures."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from core.errors import CheckpointError, RenderError
from core.gfla.checkpoint import detect_kind, load_model
from core.gfla.configs import CONFIGS, FaceConfig, ShapeNetConfig, config_from_fixture
from core.gfla.face import FaceGenerator
from core.gfla.factory import build_model
from core.gfla.shapenet import ShapeNetGenerator, view_code, view_labels

REPO = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401
from gfla_checks import (  # noqa: E402
    SMALL,
    assert_close,
    check_recurrent_sequence,
    check_single_image,
    random_published_checkpoint,
)

KINDS = {"face": "keys_face.json", "shapenet": "keys_shapenet.json"}


def _need(name: str) -> Path:
    return fixture_file(name)


@pytest.fixture(scope="module", params=list(KINDS))
def published(request, tmp_path_factory) -> dict:
    """A random state dict with the published keys and shapes (aliased pairs equal), also saved as a .pth file."""
    kind = request.param
    return {"kind": kind, **random_published_checkpoint(_need(KINDS[kind]), tmp_path_factory.mktemp(kind))}


def test_full_size_networks_have_the_published_keys_shapes_order_and_parameter_count(published) -> None:
    with torch.device("meta"):
        model = build_model(CONFIGS[published["kind"]])
    assert [[k, list(v.shape)] for k, v in model.state_dict().items()] == published["spec"]["keys"]
    assert sum(p.numel() for p in model.parameters()) == published["spec"]["n_parameters_unique"]


def test_published_checkpoint_loads_strictly_and_is_detected_as_its_kind(published) -> None:
    assert detect_kind(published["sd"]) == published["kind"]
    loaded = load_model(published["path"])
    assert loaded.kind == published["kind"] and not loaded.model.training
    state = loaded.model.state_dict()
    for key, value in published["sd"].items():
        assert torch.equal(state[key], value), key
    prefixed = {f"module.{k}": v for k, v in published["sd"].items()}
    assert load_model(prefixed).kind == published["kind"]


def test_missing_unexpected_and_misshaped_keys_are_named(published) -> None:
    sd, kind = published["sd"], published["kind"]
    aliased = {k for pair in published["spec"]["aliased_key_pairs"] for k in pair}
    key = next(k for k, _ in reversed(published["spec"]["keys"]) if k not in aliased)
    with pytest.raises(CheckpointError, match=re.escape(f"missing keys (1): {key}")):
        load_model({k: v for k, v in sd.items() if k != key})
    with pytest.raises(CheckpointError, match=r"unexpected keys \(1\): flow_net\.extra\.weight"):
        load_model(dict(sd, **{"flow_net.extra.weight": torch.zeros(2)}), kind=kind)
    bad = [s + 1 for s in sd[key].shape]
    with pytest.raises(CheckpointError, match=re.escape(f"{key} expected {tuple(sd[key].shape)} found {tuple(bad)}")):
        load_model(dict(sd, **{key: torch.zeros(bad)}))
    other = "shapenet" if kind == "face" else "face"
    with pytest.raises(CheckpointError, match=f"does not match the {other} network.*closest known kind: {kind}"):
        load_model(sd, kind=other)


@pytest.mark.parametrize("name", ["face.pt", "shapenet.pt"])
def test_reduced_width_fixture_loads_only_with_its_config(name: str) -> None:
    data = torch.load(_need(name), weights_only=True)
    assert load_model(data["state_dict"], config=config_from_fixture(data["config"])).kind == name[:-3]
    with pytest.raises(CheckpointError, match="mis-shaped keys"):
        load_model(data["state_dict"])


def test_face_generator_matches_the_published_sequence() -> None:
    data = torch.load(_need("face.pt"), weights_only=True)
    model = load_model(data["state_dict"], config=config_from_fixture(data["config"])).model
    assert isinstance(model, FaceGenerator)
    assert data["inputs"]["BP_frame_step"].shape[2] == 16  # (1, T, 16, H, W)
    out, _ = check_recurrent_sequence(model, data)
    for t in range(len(out["images"])):
        assert len(out["flows"][t]) == len(out["masks"][t]) == 4
        assert set(out["attn"][t]) == {"target.attn_p0", "target.attn_r0", "target.attn_p1", "target.attn_r1"}


def test_shapenet_generator_matches_the_published_view_with_codes_rederived_from_labels() -> None:
    data = torch.load(_need("shapenet.pt"), weights_only=True)
    model = load_model(data["state_dict"], config=config_from_fixture(data["config"])).model
    assert isinstance(model, ShapeNetGenerator)
    inp, ref, views = data["inputs"], data["outputs"], data["views"]
    source_code, target_code = view_code(views["source_hv"]), view_code(views["target_hv"])
    assert torch.equal(source_code, inp["source_B"]) and torch.equal(target_code, inp["target_B"])
    source = views["source_uint8"].permute(2, 0, 1)[None].float() / 255 * 2 - 1  # (1, 3, 256, 256)
    assert_close(source, inp["source"], 1e-6, "source image")
    with torch.no_grad():
        out = model(inp["source"], source_code, target_code)
        cached = model(inp["source"], source_code, target_code, model.encode_source(inp["source"]))
    assert check_single_image(out, ref) == 2
    assert torch.equal(cached["image"], out["image"])




def test_face_flow_net_gives_previous_and_reference_flows_at_each_attention_scale() -> None:
    torch.manual_seed(0)
    model = FaceGenerator(FaceConfig(**SMALL)).eval()
    frames = torch.rand(1, 2, 16, 64, 64)
    with torch.no_grad():
        out = model(frames, torch.rand(1, 3, 64, 64) * 2 - 1, torch.rand(1, 16, 64, 64))
    assert [tuple(f.shape) for f in out["flows"][1]] == [(1, 2, 8, 8)] * 2 + [(1, 2, 16, 16)] * 2
    assert [tuple(m.shape) for m in out["masks"][1]] == [(1, 1, 8, 8)] * 2 + [(1, 1, 16, 16)] * 2
    assert out["images"][1].shape == (1, 3, 64, 64) and out["images"][1].abs().max() <= 1


def test_shapenet_refuses_images_other_than_256_square_with_a_clear_error() -> None:
    model = ShapeNetGenerator(replace(ShapeNetConfig(), **SMALL)).eval()
    code = view_code([0, 0])
    with pytest.raises(RenderError, match="256×256"):
        model(torch.zeros(1, 3, 128, 128), code, code)
    with pytest.raises(RenderError, match="view codes"):
        model(torch.zeros(1, 3, 256, 256), torch.zeros(1, 18, 1, 1), code)


def test_view_codes_are_one_hot_azimuth_and_elevation_bins_with_floor_division() -> None:
    code = view_code([[35, 29], [0, 0], [7, 10]])
    assert code.shape == (3, 21, 1, 1)
    assert code.sum(dim=1).flatten().tolist() == [2.0, 2.0, 2.0]
    assert code[0, 17, 0, 0] == 1 and code[0, 20, 0, 0] == 1  # 35 // 2 = 17, 29 // 10 = 2
    assert code[2, 3, 0, 0] == 1 and code[2, 19, 0, 0] == 1  # 7 // 2 = 3, 10 // 10 = 1
    for bad in ([36, 0], [0, 30], [-1, 0], [1.5, 0]):
        with pytest.raises(RenderError):
            view_code(bad)


def test_view_angles_snap_to_the_nearest_trained_view() -> None:
    assert view_labels(0) == (0, 0) and view_labels(-20) == (34, 0) and view_labels(369, 30) == (0, 20)
    assert view_labels(41, 6) == (4, 10) and view_labels(350) == (0, 0)
    with pytest.raises(RenderError):
        view_labels(float("nan"))
