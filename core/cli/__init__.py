"""The headless command line: each subcommand lives in its own module (HELP, add_arguments, run; core.cli.common)."""

from __future__ import annotations

import argparse
import importlib
import sys

from core.cli.common import add_subcommand
from core.errors import StudioError

# Module names under core.cli; each is a subcommand (core.cli.common.Subcommand: NAME, HELP, add_arguments, run).
SUBCOMMANDS = ("detect", "repose", "weights", "bench", "animate", "view", "face_animate", "train", "finetune", "evaluate")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="GFLA Pose Studio. Run without arguments to open the editor.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"core.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"core.cli.{name}":
                continue  # subcommand not built yet
            raise
        add_subcommand(subparsers, module)
    return parser


def run_cli(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except StudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
