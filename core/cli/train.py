"""``python main.py train CONFIG [--resume]``: train a GFLA network with the published losses and schedule.

Train a GFLA network. The config (TOML) names the model kind, the dataset, the VGG19 weight file and the stages; see
configs/*.toml. Several GPUs or machines: torchrun --nproc_per_node N main.py train CONFIG.
"""

from __future__ import annotations

import argparse
import sys

KINDS = ("pose_fashion", "pose_market", "dance_fashion", "dance_iper", "dance_keypoint")


HELP = "train a network from a TOML config (published losses and stages)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="training config (.toml)")
    parser.add_argument("--resume", action="store_true", help="continue from the run's latest checkpoint")
    parser.add_argument("--until", type=int, metavar="N", help="stop (and save) at global iteration N")
    parser.add_argument("--device", help="override the config's device (auto, cpu, cuda)")
    parser.add_argument("--out", metavar="DIR", help="override the config's output folder")
    parser.add_argument("--print-default", choices=KINDS, metavar="KIND",
                        help="print the default config of KIND (" + ", ".join(KINDS) + ") and exit")
    parser.add_argument("--synthetic", metavar="DIR",
                        help="write a small synthetic DeepFashion-layout dataset into DIR and exit (for trying it out)")


def run(args: argparse.Namespace) -> int:
    from core.train.config import config_to_toml, default_config, load_config

    if args.print_default:
        sys.stdout.write(config_to_toml(default_config(args.print_default)))
        return 0
    if args.synthetic:
        from core.train.synthetic import write_synthetic_pose_dataset

        root = write_synthetic_pose_dataset(args.synthetic)
        print(f"wrote a synthetic DeepFashion-layout dataset to {root} (set data.root to it)")
        return 0
    if not args.config:
        args._parser.print_help()
        return 2
    cfg = load_config(args.config)
    updates = {k: v for k, v in (("device", args.device), ("out_dir", args.out)) if v}
    if updates:
        cfg = cfg.model_copy(update=updates)
    from core.train.trainer import Trainer

    trainer = Trainer(cfg)
    trainer.run(resume=args.resume, stop_after=args.until)
    return 0
