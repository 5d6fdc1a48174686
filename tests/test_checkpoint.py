"""Published-layout checkpoints load strictly; anything that does not match fails with a message naming the keys."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from core.errors import CheckpointError
from core.gfla import CONFIGS, build_model, config_from_fixture, detect_kind, load_model, read_state_dict
from core.gfla.checkpoint import sha256_file

REPO = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401
from gfla_checks import random_published_checkpoint  # noqa: E402

KEY_FILES = {
    "pose_fashion": "keys_pose_fashion.json",
    "pose_market": "keys_pose_market.json",
    "dance_fashion": "keys_dance_fashion.json",
    "dance_keypoint": "keys_keypoint.json",
}
KINDS = list(KEY_FILES)


@pytest.fixture(scope="module", params=KINDS)
def published(request, tmp_path_factory) -> dict:
    """One kind's key list, a random state dict with those keys (aliased pairs equal), and it saved to disk."""
    kind = request.param
    return {"kind": kind, **random_published_checkpoint(FIXTURES / KEY_FILES[kind], tmp_path_factory.mktemp(kind))}


def test_full_size_network_has_published_keys_shapes_and_parameter_count(published) -> None:
    spec = published["spec"]
    model = build_model(CONFIGS[published["kind"]])
    assert [[k, list(v.shape)] for k, v in model.state_dict().items()] == spec["keys"]
    assert sum(p.numel() for p in model.parameters()) == spec["n_parameters_unique"]


def test_published_checkpoint_loads_strictly_with_detected_kind(published) -> None:
    loaded = load_model(published["path"])
    assert loaded.kind == published["kind"]
    assert loaded.path == published["path"] and loaded.sha256 == sha256_file(published["path"])
    assert not loaded.model.training
    state = loaded.model.state_dict()
    for key, value in published["sd"].items():
        assert torch.equal(state[key], value), key


def test_dataparallel_module_prefix_is_stripped(published, tmp_path) -> None:
    path = tmp_path / "net_G.pth"
    torch.save({f"module.{k}": v for k, v in published["sd"].items()}, path)
    assert read_state_dict(path).keys() == published["sd"].keys()
    assert load_model(path).kind == published["kind"]


def test_kind_is_detected_from_keys_and_shapes(published) -> None:
    assert detect_kind(published["sd"]) == published["kind"]
    assert detect_kind({f"module.{k}": v for k, v in published["sd"].items()}) == published["kind"]


def test_either_name_of_an_aliased_convolution_is_enough(published) -> None:
    pairs = published["spec"]["aliased_key_pairs"]
    if not pairs:  # only the Motion Extraction Net has no aliased convolutions
        assert published["kind"] == "dance_keypoint"
        return
    only_first = {k: v for k, v in published["sd"].items() if k not in {b for _, b in pairs}}
    only_second = {k: v for k, v in published["sd"].items() if k not in {a for a, _ in pairs}}
    for sd in (only_first, only_second):
        state = load_model(sd).model.state_dict()
        for a, b in pairs:
            assert torch.equal(state[a], published["sd"][a]) and torch.equal(state[b], published["sd"][a])


def test_aliased_names_holding_different_values_are_refused(published) -> None:
    pairs = published["spec"]["aliased_key_pairs"]
    if not pairs:  # only the Motion Extraction Net has no aliased convolutions
        assert published["kind"] == "dance_keypoint"
        return
    a, b = pairs[0]
    sd = dict(published["sd"], **{b: published["sd"][a] + 1})
    with pytest.raises(CheckpointError, match=b.replace(".", r"\.")):
        load_model(sd)


def test_missing_key_is_named(published, tmp_path) -> None:
    aliased = {k for pair in published["spec"]["aliased_key_pairs"] for k in pair}
    plain = [k for k, _ in published["spec"]["keys"] if k not in aliased]
    key = plain[len(plain) // 2]
    path = tmp_path / "missing.pth"
    torch.save({k: v for k, v in published["sd"].items() if k != key}, path)
    with pytest.raises(CheckpointError) as err:
        load_model(path)
    message = str(err.value)
    assert "missing keys (1)" in message and key in message and "missing.pth" in message
    assert f"closest known kind: {published['kind']}" in message


def test_unexpected_key_is_named(published) -> None:
    sd = dict(published["sd"], **{"target.extra_head.weight": torch.zeros(3)})
    with pytest.raises(CheckpointError, match=r"unexpected keys \(1\): target\.extra_head\.weight"):
        load_model(sd, kind=published["kind"])


def test_wrong_shape_is_named_with_both_shapes(published) -> None:
    key, shape = published["spec"]["keys"][-1]
    sd = dict(published["sd"], **{key: torch.zeros([s + 1 for s in shape])})
    with pytest.raises(CheckpointError) as err:
        load_model(sd)
    expected = f"{key} expected {tuple(shape)} found {tuple(s + 1 for s in shape)}"
    assert "mis-shaped keys (1)" in str(err.value) and expected in str(err.value)


def test_explicit_kind_overrides_detection_and_names_the_closest_kind(published) -> None:
    kind = published["kind"]
    if kind == "dance_fashion":
        assert load_model(published["sd"], kind="dance_iper").kind == "dance_iper"
    other = {"pose_fashion": "pose_market", "pose_market": "pose_fashion"}.get(kind, "pose_fashion")
    with pytest.raises(CheckpointError, match=f"does not match the {other} network.*closest known kind: {kind}"):
        load_model(published["sd"], kind=other)


@pytest.mark.parametrize("name", ["pose_fashion.pt", "pose_market.pt", "dance_fashion.pt"])
def test_reduced_width_fixture_loads_only_with_its_config(name: str) -> None:
    path = fixture_file(name)
    data = torch.load(path, weights_only=True)
    loaded = load_model(data["state_dict"], config=config_from_fixture(data["config"]))
    assert loaded.kind == name[:-3]
    with pytest.raises(CheckpointError, match="mis-shaped keys"):
        load_model(data["state_dict"])


def test_unreadable_files_give_checkpoint_errors_naming_the_file(tmp_path) -> None:
    corrupt = tmp_path / "corrupt.pth"
    corrupt.write_bytes(b"PK\x03\x04 this is not a checkpoint" * 10)
    wrapped = tmp_path / "wrapped.pth"
    torch.save({"state_dict": {"a": torch.zeros(1)}, "epoch": 3}, wrapped)
    a_list = tmp_path / "list.pt"
    torch.save([torch.zeros(1)], a_list)
    bad_st = tmp_path / "bad.safetensors"
    bad_st.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}      ")
    for path, phrase in [
        (corrupt, "cannot be read"),
        (wrapped, "not a state dict"),
        (a_list, "not a state dict"),
        (bad_st, "not a readable safetensors"),
        (tmp_path / "absent.pth", "does not exist"),
    ]:
        with pytest.raises(CheckpointError, match=phrase) as err:
            load_model(path)
        assert path.name in str(err.value)


def test_unrelated_weights_are_refused() -> None:
    with pytest.raises(CheckpointError, match="share no key with any known GFLA network"):
        load_model({"encoder.conv.weight": torch.zeros(3, 3)})


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_every_weights_read_refuses_nan_and_inf_naming_the_tensors(published, tmp_path, suffix: str) -> None:
    """Not only import: a file dropped next to the app and read by load_model (the renderers, training, VGG)."""
    sd = {k: v.clone() for k, v in published["sd"].items()}
    floats = [k for k, v in sd.items() if v.is_floating_point() and v.numel() > 1]
    sd[floats[0]].view(-1)[0] = float("nan")
    sd[floats[-1]].view(-1)[1] = float("inf")
    path = tmp_path / f"bad{suffix}"
    if suffix == ".pth":
        torch.save(sd, path)
    else:
        from safetensors.torch import save_file

        save_file({k: v.contiguous() for k, v in sd.items()}, str(path))
    with pytest.raises(CheckpointError) as err:
        load_model(path)
    assert floats[0] in str(err.value) and floats[-1] in str(err.value) and "NaN" in str(err.value)
