"""Training with torchrun and DistributedDataParallel: two CPU processes (gloo) stay in sync and match one
process that sees both shards in one batch."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
TINY = {"ngf": 8, "img_f": 32, "flow_ngf": 8, "flow_img_f": 32, "image_size": [64, 64], "d_ndf": 8, "d_img_f": 32}
LR = 1e-4  # the published generator learning rate


def _config(data, vgg, out, batch):
    from core.train.config import config_from_dict

    return config_from_dict({
        "kind": "pose_fashion", "out_dir": str(out), "vgg19": str(vgg), "device": "cpu", "seed": 5,
        "data": {"root": str(data), "batch_size": batch, "workers": 0}, "model": TINY, "optim": {"lr": LR},
        "schedule": {"print_every": 1},
        "stages": [{"name": "flow", "iterations": 1, "trains": "flow",
                    "weights": {"rec": 0, "correct": 20, "g": 0, "regularization": 0.01, "style": 0, "content": 0}},
                   {"name": "full", "iterations": 1, "trains": "all"}],
    })


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_gloo_processes_train_in_sync_like_one_process_with_both_shards(tmp_path):
    from safetensors.torch import save_file

    from core.train.config import config_to_toml
    from core.train.synthetic import random_vgg19_state, write_synthetic_pose_dataset
    from core.train.trainer import Trainer

    data = write_synthetic_pose_dataset(tmp_path / "data", identities=2, views=3, seed=2)
    vgg = tmp_path / "vgg.safetensors"
    save_file(random_vgg19_state(16), str(vgg))
    (tmp_path / "ddp.toml").write_text(config_to_toml(_config(data, vgg, tmp_path / "ddp", batch=1)))
    script = tmp_path / "launch.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, torch
        sys.path.insert(0, {str(ROOT)!r})
        from core.train.config import load_config
        from core.train.trainer import Trainer
        torch.set_num_threads(1)
        trainer = Trainer(load_config({str(tmp_path / "ddp.toml")!r}), echo=lambda s: None)
        trainer.run()
        grads = {{k: p.grad for k, p in trainer.G.named_parameters()}}
        torch.save({{"weights": trainer.G.state_dict(), "grads": grads}}, {str(tmp_path)!r} + f"/rank{{os.environ['RANK']}}.pt")
    """))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--nnodes=1",
           f"--master_port={_free_port()}", str(script)]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rank0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    for key, value in rank0["weights"].items():
        assert torch.equal(value, rank1["weights"][key]), key  # the replicas stay identical
    assert (tmp_path / "ddp" / "checkpoints" / "latest_net_G.safetensors").is_file()

    # DDP averages the two batch-1 gradients: the same gradient as one process with both examples in a batch.
    torch.set_num_threads(1)
    single = Trainer(_config(data, vgg, tmp_path / "single", batch=2), echo=lambda s: None)
    single.run()
    def flat(grads):
        return torch.cat([g.flatten() for g in grads])

    ddp = flat(rank0["grads"][n] for n, _ in single.G.named_parameters())
    one = flat(p.grad for _, p in single.G.named_parameters())
    near = float((ddp - one).norm() / one.norm())
    shard_only = Trainer(_config(data, vgg, tmp_path / "shard", batch=1), echo=lambda s: None)
    shard_only.run()  # one process on rank 0's shard alone: a clearly different gradient
    shard = flat(p.grad for _, p in shard_only.G.named_parameters())
    far = float((ddp - shard).norm() / shard.norm())
    # Not bit-equal: the discriminator's Adam step before the generator's moves each D weight by about ±lr,
    # and gradients near zero flip that sign with float round-off.
    assert near < 0.01 and near < 0.2 * far, (near, far)
