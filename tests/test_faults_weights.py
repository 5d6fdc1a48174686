"""Fault catalogue, checkpoints: NaN/Inf weights refused at import and by verify; a damaged manifest is rebuilt."""

from __future__ import annotations

import json

import pytest
import test_weights_cli
import torch

from core.errors import CheckpointError
from core.gfla import CONFIGS, build_model
from core.gfla.checkpoint import sha256_file
from core.tensor_checks import nonfinite_tensors, require_finite

_cli = test_weights_cli._cli  # the same CLI runner and weights-folder fixture as the weights CLI tests
weights_dir = test_weights_cli.weights_dir
KIND = "dance_keypoint"  # the smallest network: fast to build and save


@pytest.fixture(scope="module")
def clean_state() -> dict[str, torch.Tensor]:
    torch.manual_seed(5)
    return {k: v.clone() for k, v in build_model(CONFIGS[KIND]).state_dict().items()}


def _float_keys(state: dict[str, torch.Tensor]) -> list[str]:
    return [k for k, v in state.items() if v.is_floating_point() and v.numel() > 1]


def test_nan_and_inf_checkpoint_is_refused_at_import_naming_the_tensors(clean_state, tmp_path, weights_dir, capsys):
    """case: checkpoint with NaN/Inf weights | expected: import refused, tensors named | checks: rc 1, names in
    the one-line error, nothing stored"""
    sd = dict(clean_state)
    nan_key, inf_key = _float_keys(sd)[3], _float_keys(sd)[-2]
    sd[nan_key] = sd[nan_key].clone().index_fill_(0, torch.tensor([0]), float("nan"))
    sd[inf_key] = sd[inf_key].clone().index_fill_(0, torch.tensor([0]), float("inf"))
    path = tmp_path / "diverged.pth"
    torch.save(sd, path)
    rc, _, err = _cli(capsys, "import", str(path), "--kind", KIND)
    assert rc == 1 and err.count("\n") == 1
    assert "not finite" in err and nan_key in err and inf_key in err and "NaN" in err and "infinite" in err
    assert not (weights_dir / "manifest.json").exists()
    assert not list(weights_dir.glob("*/*.safetensors"))


def test_clean_weights_pass_the_finite_check_and_many_bad_tensors_are_summarised(clean_state) -> None:
    """case: every tensor NaN | expected: the first 5 named, the rest counted | checks: 'and N more tensors';
    clean weights pass"""
    require_finite(clean_state, "clean")  # raises if wrong
    poisoned = {k: torch.full_like(v, float("nan")) for k, v in clean_state.items() if v.is_floating_point()}
    assert len(nonfinite_tensors(poisoned)) == len(poisoned)
    with pytest.raises(CheckpointError, match=rf"and {len(poisoned) - 5} more tensors"):
        require_finite(poisoned, "all-nan.pth")


def test_verify_rechecks_stored_weights_for_nan(clean_state, tmp_path, weights_dir, capsys) -> None:
    """case: a stored checkpoint that holds NaN (imported before the check) | expected: verify fails naming the
    tensor | checks: FAIL line with the tensor name, rc 1"""
    from safetensors.torch import load_file, save_file

    good = tmp_path / "good.pth"
    torch.save(clean_state, good)
    assert _cli(capsys, "import", str(good), "--kind", KIND)[0] == 0
    manifest_path = weights_dir / "manifest.json"
    doc = json.loads(manifest_path.read_text())
    stored = weights_dir / doc["entries"][0]["file"]
    tensors = load_file(str(stored))
    key = _float_keys(tensors)[0]
    tensors[key][0] = float("nan")
    save_file(tensors, str(stored), metadata={"gfla_kind": KIND})
    doc["entries"][0]["sha256"] = sha256_file(stored)  # as an import without the check would have recorded it
    manifest_path.write_text(json.dumps(doc))
    rc, out, _ = _cli(capsys, "verify")
    assert rc == 1 and "FAIL" in out and key in out and "0 passed, 1 failed" in out


@pytest.mark.parametrize("damage", [b"{ not json", b"\x00\xff" * 50, b"[" * 100_000, b'{"version": 1, "entries": 7}'])
def test_a_damaged_manifest_is_kept_aside_and_rebuilt_from_the_files(clean_state, tmp_path, weights_dir, capsys,
                                                                      damage) -> None:
    """case: damaged weights manifest (bad JSON, binary, deep nesting, wrong shape) | expected: rebuilt from the
    files, damaged copy kept | checks: `weights list` rc 0 lists the file, warning on stderr, copy has the bytes"""
    good = tmp_path / "good.pth"
    torch.save(clean_state, good)
    assert _cli(capsys, "import", str(good), "--kind", KIND)[0] == 0
    before = json.loads((weights_dir / "manifest.json").read_text())["entries"][0]
    (weights_dir / "manifest.json").write_bytes(damage)
    rc, out, err = _cli(capsys, "list")
    assert rc == 0 and before["file"] in out and "warning:" in err and "rebuilt" in err
    (kept,) = weights_dir.glob("manifest.json.damaged-*")
    assert kept.read_bytes() == damage
    after = json.loads((weights_dir / "manifest.json").read_text())["entries"][0]
    assert (after["kind"], after["file"], after["sha256"]) == (before["kind"], before["file"], before["sha256"])
    assert _cli(capsys, "verify")[0] == 0


def test_sigkill_while_importing_weights_leaves_a_readable_manifest(clean_state, tmp_path, weights_dir, capsys):
    """case: `weights import` killed (SIGKILL) at random points | expected: the manifest absent or whole, no half
    file under a final name, the next import works | checks: 2 random kills, the manifest parses, every stored
    .safetensors loads, a later import and verify pass"""
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    from safetensors.torch import load_file

    src = tmp_path / "good.pth"
    torch.save(clean_state, src)
    repo = test_weights_cli.REPO
    env = {**os.environ, "GFLA_WEIGHTS_DIR": str(weights_dir), "PYTHONPATH": str(repo)}
    rng = random.Random(7)
    for k in range(2):
        proc = subprocess.Popen([sys.executable, "main.py", "weights", "import", str(src), "--kind", KIND,
                                 "--name", f"run{k}"], cwd=repo, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 4.0))  # torch's import takes most of the first seconds
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        manifest = weights_dir / "manifest.json"
        if manifest.exists():
            json.loads(manifest.read_text())
        for stored in weights_dir.glob("*/*.safetensors"):
            load_file(str(stored))  # whole: a half file never sits under the final name
    assert _cli(capsys, "import", str(src), "--kind", KIND, "--name", "after")[0] == 0
    assert _cli(capsys, "verify")[0] == 0
    assert not [p for p in weights_dir.rglob("*") if ".part" in p.name]
