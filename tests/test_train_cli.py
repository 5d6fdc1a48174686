"""The train / finetune / evaluate commands, the shipped configs, animation and keypoint training, the bench hook."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from gfla_checks import TINY

from core.cli import run_cli

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("pose_fashion", "pose_market", "dance_fashion", "dance_iper", "dance_keypoint")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_configs_are_the_published_defaults(kind):
    from core.train.config import default_config, load_config

    cfg, ref = load_config(ROOT / "configs" / f"{kind}.toml"), default_config(kind)
    paths = {"out_dir": "", "vgg19": None}
    assert cfg.model_copy(update={**paths, "data": cfg.data.model_copy(update={"root": ""})}) == \
        ref.model_copy(update={**paths, "data": ref.data.model_copy(update={"root": ""})})
    assert Path(cfg.data.root).is_absolute() or cfg.data.root.startswith(str(ROOT / "configs"))


def test_config_typos_and_bad_values_are_reported_plainly(tmp_path):
    from core.train.config import load_config
    from core.train.errors import TrainConfigError

    (tmp_path / "bad.toml").write_text('kind = "pose_fashion"\n[optim]\nlearning_rate = 3\n')
    with pytest.raises(TrainConfigError, match="optim.learning_rate"):
        load_config(tmp_path / "bad.toml")
    (tmp_path / "broken.toml").write_text("kind = \n")
    with pytest.raises(TrainConfigError, match="not valid TOML"):
        load_config(tmp_path / "broken.toml")


def test_print_default_gives_a_loadable_config(capsys):
    from core.train.config import config_from_dict, default_config

    assert run_cli(["train", "--print-default", "pose_market"]) == 0
    assert config_from_dict(tomllib.loads(capsys.readouterr().out)) == default_config("pose_market")


def test_train_command_trains_pauses_and_resumes(tmp_path, capsys):
    from safetensors.torch import save_file

    from core.train.synthetic import random_vgg19_state

    assert run_cli(["train", "--synthetic", str(tmp_path / "data")]) == 0
    save_file(random_vgg19_state(16), str(tmp_path / "vgg.safetensors"))
    model = "\n".join(f"{k} = {json.dumps(v)}" for k, v in TINY.items())
    (tmp_path / "run.toml").write_text(
        f'kind = "pose_fashion"\nout_dir = "out"\nvgg19 = "vgg.safetensors"\ndevice = "cpu"\n'
        f'[data]\nroot = "data"\nbatch_size = 1\nworkers = 0\n[model]\n{model}\n[schedule]\nprint_every = 1\n'
        f'[[stages]]\nname = "flow"\niterations = 1\ntrains = "flow"\n'
        f'[[stages]]\nname = "full"\niterations = 2\ntrains = "all"\n')
    assert run_cli(["train", str(tmp_path / "run.toml"), "--until", "2"]) == 0
    assert "paused: 2 iterations" in capsys.readouterr().out
    assert run_cli(["train", str(tmp_path / "run.toml"), "--resume"]) == 0
    out = capsys.readouterr().out
    assert "resumed pose_fashion at iteration 2" in out and "done: 3 iterations" in out
    assert (tmp_path / "out" / "checkpoints" / "3_net_G.safetensors").is_file()
    assert run_cli(["train", str(tmp_path / "missing.toml")]) == 1
    assert "error: the training config" in capsys.readouterr().err


def test_finetune_and_evaluate_commands_report_bad_input_in_one_line(tmp_path, capsys):
    assert run_cli(["finetune", "--weights", str(tmp_path / "w.pth"), "--video", str(tmp_path / "v.mp4"),
                    "--out", str(tmp_path / "o")]) == 1
    assert capsys.readouterr().err.startswith("error: checkpoint")
    (tmp_path / "a").mkdir()
    assert run_cli(["evaluate", str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    assert "is not a folder" in capsys.readouterr().err


def _dance_layout(root: Path, frames: int = 6) -> None:
    from PIL import Image

    base = root / "train_256"
    rng = np.random.default_rng(0)
    for sub in ("train_A", "train_video2d", "train_alphapose", "train_C"):
        (base / sub / "v").mkdir(parents=True)
    for t in range(frames):
        img = rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)
        Image.fromarray(img).save(base / "train_A" / "v" / f"{t:05d}.png")
        Image.fromarray((img[..., 0] > 100).astype(np.uint8) * 255).save(base / "train_C" / "v" / f"{t:05d}.png")
        for sub, n in (("train_video2d", 17), ("train_alphapose", 18)):
            pts = sum(([8.0 + j + t, 4.0 + 2 * j, 1.0] for j in range(n)), [])
            (base / sub / "v" / f"{t:05d}.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": pts}]}))


def test_animation_model_trains_with_both_discriminators_and_masks(tmp_path):
    from safetensors.torch import save_file

    from core.train.config import config_from_dict
    from core.train.synthetic import random_vgg19_state
    from core.train.trainer import Trainer

    _dance_layout(tmp_path / "iper")
    save_file(random_vgg19_state(16), str(tmp_path / "vgg.safetensors"))
    cfg = config_from_dict({
        "kind": "dance_iper", "out_dir": str(tmp_path / "run"), "vgg19": str(tmp_path / "vgg.safetensors"),
        "device": "cpu", "data": {"layout": "dance", "root": str(tmp_path / "iper"), "batch_size": 1, "workers": 0,
                                  "frames_total": 6, "chunk": 6},
        "model": TINY, "stages": [{"name": "full", "iterations": 1}]})
    trainer = Trainer(cfg, echo=lambda s: None)
    result = trainer.run()
    assert {"rec", "correct_p", "correct_r", "ad_gen", "ad_gen_v", "dis_img", "dis_img_v"} <= set(result.last_losses)
    assert all(np.isfinite(v) for v in result.last_losses.values())
    assert (tmp_path / "run" / "checkpoints" / "latest_net_D_V.safetensors").is_file()


def test_motion_extraction_network_trains_on_skeleton_sequences(tmp_path):
    from core.train.config import config_from_dict
    from core.train.trainer import Trainer

    rng = np.random.default_rng(0)
    clean = rng.uniform(100, 900, (140, 17, 2))
    np.savez(tmp_path / "walk.npz", noisy=clean + rng.normal(0, 8, clean.shape), clean=clean, width=1000.0)
    cfg = config_from_dict({
        "kind": "dance_keypoint", "out_dir": str(tmp_path / "run"), "device": "cpu",
        "data": {"layout": "keypoint", "root": str(tmp_path), "batch_size": 2, "workers": 0},
        "model": {"kp_channels": 32}, "optim": {"lr": 1e-3}, "stages": [{"name": "full", "iterations": 12}]})
    seen = []
    Trainer(cfg, echo=lambda s: None, on_iteration=lambda i, losses: seen.append(losses["mse"])).run()
    assert np.mean(seen[-3:]) < np.mean(seen[:3])


def test_bench_times_one_training_iteration():
    from core.train.bench import bench_training_iteration

    seconds = bench_training_iteration("dance_keypoint", batch=2, repeats=1)
    assert 0 < seconds < 60
