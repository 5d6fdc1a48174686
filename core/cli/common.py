"""What the subcommands share: how one is added to the main parser, and the arguments several of them take.

A subcommand is a module ``core.cli.NAME`` (``_`` in NAME is ``-`` on the command line) with ``HELP`` (its line in
``python main.py --help``), ``add_arguments(parser)`` and ``run(args) -> int``; the second paragraph of its docstring
is the description ``python main.py NAME --help`` shows. :func:`add_subcommand` makes its parser, so no module
repeats the argparse set-up.
"""

from __future__ import annotations

import argparse
from types import ModuleType

DEVICES = ("auto", "cpu", "cuda")


def add_subcommand(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], module: ModuleType) -> None:
    """The parser of the subcommand ``module`` under ``subparsers``; ``args.func`` runs it, ``args._parser`` is it."""
    name = module.__name__.rsplit(".", 1)[-1].replace("_", "-")
    paragraphs = (module.__doc__ or "").split("\n\n", 1)  # no docstring under python -OO: no description
    description = paragraphs[1].strip() if len(paragraphs) == 2 else None
    parser = subparsers.add_parser(name, help=module.HELP, description=description)
    module.add_arguments(parser)
    parser.set_defaults(func=module.run, _parser=parser)


def add_device(parser: argparse.ArgumentParser, default: str | None = "auto",
               help: str = "where the network runs") -> None:
    """``--device`` (auto, cpu or cuda)."""
    parser.add_argument("--device", default=default, choices=DEVICES, help=help)
