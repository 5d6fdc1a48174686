"""Training end to end on a tiny synthetic dataset: losses fall, checkpoints reload strictly, resume is exact."""

from __future__ import annotations

import math

import pytest
import torch
from gfla_checks import TINY as TINY_MODEL

from core.train.config import config_from_dict

FLOW_WEIGHTS = {"rec": 0, "correct": 20, "g": 0, "regularization": 0.01, "style": 0, "content": 0}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from safetensors.torch import save_file

    from core.train.synthetic import random_vgg19_state, write_synthetic_pose_dataset

    root = tmp_path_factory.mktemp("synthetic")
    write_synthetic_pose_dataset(root / "data", identities=4, views=3, seed=1)
    save_file(random_vgg19_state(16), str(root / "vgg19_tiny.safetensors"))
    return root


def tiny_config(synthetic, out, n_flow, n_full, lr=1e-3, print_every=5, **extra):
    return config_from_dict({
        "kind": "pose_fashion", "out_dir": str(out), "vgg19": str(synthetic / "vgg19_tiny.safetensors"),
        "device": "cpu", "seed": 3,
        "data": {"root": str(synthetic / "data"), "batch_size": 2, "workers": 0},
        "model": TINY_MODEL, "optim": {"lr": lr},
        "schedule": {"print_every": print_every, "save_latest_every": 1000, "save_every": 1000, "curves_every": 1000},
        "stages": [{"name": "flow", "iterations": n_flow, "trains": "flow", "weights": FLOW_WEIGHTS},
                   {"name": "full", "iterations": n_full, "trains": "all"}],
        **extra,
    })


def run(cfg, resume=False, stop_after=None):
    from core.train.trainer import Trainer

    seen: dict[int, dict[str, float]] = {}
    lines: list[str] = []
    trainer = Trainer(cfg, echo=lines.append, on_iteration=lambda i, losses: seen.__setitem__(i, dict(losses)))
    result = trainer.run(resume=resume, stop_after=stop_after)
    return trainer, result, seen, lines


def test_training_losses_are_finite_and_fall_and_the_checkpoint_reloads_strictly(synthetic, tmp_path):
    from core.gfla.checkpoint import load_model
    from core.train.models import generator_config
    from core.train.state import load_network

    cfg = tiny_config(synthetic, tmp_path / "run", n_flow=6, n_full=34)
    trainer, result, seen, lines = run(cfg)
    assert result.iterations == 40 and sorted(seen) == list(range(1, 41))
    assert all(math.isfinite(v) for losses in seen.values() for v in losses.values())
    assert set(seen[1]) == {"correct", "regularization", "total"}  # the flow stage: flow losses only
    assert {"rec", "correct", "regularization", "content", "style", "ad_gen", "dis_img"} <= set(seen[40])
    full = [seen[i]["total"] for i in range(7, 41)]
    assert sum(full[-6:]) / 6 < 0.7 * sum(full[:6]) / 6, full
    assert any("it/s" in line and "left" in line and "rec" in line for line in lines)

    ckpt = tmp_path / "run" / "checkpoints"
    loaded = load_model(ckpt / "latest_net_G.safetensors", kind="pose_fashion", config=generator_config(cfg))
    for key, value in trainer.G.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[key], value), key
    assert (ckpt / "40_net_G.safetensors").is_file()
    d = type(trainer.Ds["D"])(3, 8, 32, 4)
    load_network(d, ckpt / "latest_net_D.safetensors")
    assert torch.equal(d.state_dict()["block0.model.1.weight_u"], trainer.Ds["D"].state_dict()["block0.model.1.weight_u"])
    csv_text = (tmp_path / "run" / "losses.csv").read_text()
    assert csv_text.splitlines()[0].startswith("iteration,stage,seconds_per_iteration,correct")
    assert len(csv_text.splitlines()) == 1 + 40 // 5
    assert (tmp_path / "run" / "losses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_resume_from_iteration_k_gives_the_same_losses_as_an_uninterrupted_run(synthetic, tmp_path):
    straight = tiny_config(synthetic, tmp_path / "a", n_flow=3, n_full=5, print_every=3)
    trainer_a, _, losses_a, _ = run(straight)
    paused = tiny_config(synthetic, tmp_path / "b", n_flow=3, n_full=5, print_every=3)
    _, first, _, _ = run(paused, stop_after=5)
    assert first.iterations == 5
    trainer_b, _, losses_b, lines = run(paused, resume=True)
    assert any("resumed" in line for line in lines)
    assert sorted(losses_b) == [6, 7, 8]
    for i in (6, 7, 8):
        assert losses_b[i] == losses_a[i], i
    for key, value in trainer_a.G.state_dict().items():
        assert torch.equal(trainer_b.G.state_dict()[key], value), key
    def loss_columns(path):  # everything but the measured seconds per iteration
        return [line.split(",")[:2] + line.split(",")[3:] for line in path.read_text().splitlines()]

    assert loss_columns(tmp_path / "a" / "losses.csv") == loss_columns(tmp_path / "b" / "losses.csv")


def test_resume_without_a_checkpoint_says_so(synthetic, tmp_path):
    from core.train.errors import TrainingError

    with pytest.raises(TrainingError, match="no training state"):
        run(tiny_config(synthetic, tmp_path / "empty", 1, 1), resume=True)


def test_without_vgg_weights_the_vgg_losses_are_off_with_one_warning(synthetic, tmp_path):
    cfg = tiny_config(synthetic, tmp_path / "novgg", n_flow=1, n_full=1).model_copy(update={"vgg19": None})
    trainer, result, seen, lines = run(cfg)
    assert sum("no VGG19 weights" in line for line in lines) == 1
    assert set(seen[1]) == {"regularization", "total"}
    assert {"rec", "ad_gen", "regularization"} <= set(seen[2]) and not {"correct", "content", "style"} & set(seen[2])
