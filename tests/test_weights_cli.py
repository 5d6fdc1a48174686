"""``python main.py weights import|list|verify`` keeps a folder of strictly loadable safetensors and its manifest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch

import main
from core.gfla import CONFIGS, build_model, load_model, read_state_dict
from core.gfla.checkpoint import sha256_file
from core.weights_store import find_weights

REPO = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401


@pytest.fixture(scope="module")
def market_checkpoint(tmp_path_factory) -> tuple[Path, dict[str, torch.Tensor]]:
    """A full-size pose_market generator with random weights, saved the way the authors did (DataParallel prefix)."""
    torch.manual_seed(3)
    sd = build_model(CONFIGS["pose_market"]).state_dict()
    path = tmp_path_factory.mktemp("download") / "latest_net_G.pth"
    torch.save({f"module.{k}": v for k, v in sd.items()}, path)
    return path, sd


@pytest.fixture
def weights_dir(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "weights"
    monkeypatch.setenv("GFLA_WEIGHTS_DIR", str(root))
    return root


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main.main(["weights", *argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_import_list_verify_round_trip(market_checkpoint, weights_dir, capsys) -> None:
    src, original = market_checkpoint
    rc, out, err = _cli(capsys, "import", str(src))
    assert rc == 0, err
    stored = weights_dir / "pose_market" / "latest_net_G.safetensors"
    assert stored.is_file() and str(stored) in out

    manifest = json.loads((weights_dir / "manifest.json").read_text())
    (entry,) = manifest["entries"]
    assert entry["kind"] == "pose_market" and entry["file"] == "pose_market/latest_net_G.safetensors"
    assert entry["sha256"] == sha256_file(stored) and entry["original_name"] == "latest_net_G.pth"
    assert entry["imported"][:4].isdigit()

    # The stored file uses the published key names and loads back strictly with the same values.
    keys = set(read_state_dict(stored))
    assert keys <= set(original) and all(".model.2." in k for k in set(original) - keys)
    loaded = load_model(stored)
    assert loaded.kind == "pose_market"
    for key, value in loaded.model.state_dict().items():
        assert torch.equal(value, original[key]), key
    assert [e.file for e in find_weights("pose_market")] == [entry["file"]]
    assert find_weights("pose_fashion") == []

    rc, out, _ = _cli(capsys, "list")
    assert rc == 0
    row = next(line for line in out.splitlines() if "latest_net_G.safetensors" in line)
    assert "pose_market" in row and "latest_net_G.pth" in row and row.endswith("ok")

    rc, out, _ = _cli(capsys, "verify")
    assert rc == 0 and "PASS" in out and "1 passed, 0 failed" in out

    # Importing the same weights again does not add a second copy.
    assert _cli(capsys, "import", str(src))[0] == 0
    assert len(json.loads((weights_dir / "manifest.json").read_text())["entries"]) == 1
    assert len(list((weights_dir / "pose_market").iterdir())) == 1


def test_verify_fails_on_a_changed_file_and_list_shows_a_missing_one(market_checkpoint, weights_dir, capsys) -> None:
    assert _cli(capsys, "import", str(market_checkpoint[0]), "--name", "mine")[0] == 0
    stored = weights_dir / "pose_market" / "mine.safetensors"
    data = bytearray(stored.read_bytes())
    data[-100] ^= 0xFF
    stored.write_bytes(bytes(data))
    rc, out, _ = _cli(capsys, "verify")
    assert rc == 1 and "FAIL" in out and "sha256" in out

    stored.unlink()
    rc, out, _ = _cli(capsys, "list")
    assert rc == 0 and out.splitlines()[-1].endswith("missing")
    assert find_weights() == []
    assert _cli(capsys, "verify")[0] == 1


def test_import_refuses_corrupt_and_non_state_dict_files_with_one_line_errors(tmp_path, weights_dir, capsys) -> None:
    corrupt = tmp_path / "broken.pth"
    corrupt.write_bytes(os.urandom(4096))
    not_sd = tmp_path / "optimizer.pth"
    torch.save({"epoch": 7, "optimizer": {"lr": 1e-4}}, not_sd)
    for path, phrase in [(corrupt, "cannot be read"), (not_sd, "not a state dict")]:
        rc, _, err = _cli(capsys, "import", str(path))
        assert rc == 1
        assert err.startswith("error: ") and path.name in err and phrase in err
    assert not (weights_dir / "manifest.json").exists()


def test_import_refuses_weights_that_do_not_match_and_names_the_key(market_checkpoint, tmp_path, weights_dir, capsys):
    sd = dict(market_checkpoint[1])
    del sd["flow_net.output2.weight"]
    path = tmp_path / "partial.pth"
    torch.save(sd, path)
    rc, _, err = _cli(capsys, "import", str(path))
    assert rc == 1 and "missing keys (1): flow_net.output2.weight" in err
    assert not (weights_dir / "pose_market").exists() or not any((weights_dir / "pose_market").iterdir())


def test_empty_weights_folder_lists_and_verifies_cleanly(weights_dir, capsys) -> None:
    for action in ("list", "verify"):
        rc, out, _ = _cli(capsys, action)
        assert rc == 0 and "no weights imported" in out


def test_committed_manifest_is_empty_and_valid() -> None:
    manifest = json.loads((REPO / "weights" / "manifest.json").read_text())
    assert manifest == {"version": 1, "entries": []}


def test_dance_iper_is_kept_apart_from_dance_fashion_when_named(tmp_path, weights_dir, capsys) -> None:
    path = tmp_path / "iper_net_G.pth"
    torch.save(build_model(CONFIGS["dance_iper"]).state_dict(), path)
    rc, _, err = _cli(capsys, "import", str(path), "--kind", "dance_iper")
    assert rc == 0, err
    (entry,) = find_weights("dance_iper")
    assert entry.file.startswith("dance_iper/")
    assert load_model(entry.path()).kind == "dance_iper"  # the kind travels in the safetensors metadata
    assert find_weights("dance_fashion") == []
