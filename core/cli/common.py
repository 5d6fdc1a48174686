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


def add_person(parser: argparse.ArgumentParser) -> None:
    """``--person N``: which person of a photo (or of its pose file) is the one moved."""
    parser.add_argument("--person", type=int, default=None, metavar="N",
                        help="the person to move where the photo (or its pose file) has several: 0 is the largest "
                             "found in the photo, or the file's first (default: the largest)")


def photo_person(image, pose_json: str | None, person: int | None):  # noqa: ANN001, ANN201 - ndarray -> (Pose, mask)
    """(pose, segmentation mask or None, what was done) of the photo's person to move.

    From ``pose_json`` (any pose format; ``person`` indexes its people, default the largest), else detected: the
    largest person with its mask by default, person ``person`` of the whole-body detection (largest first) when
    given. PoseError / NoPersonFound with one line when that person does not exist."""
    from core.errors import NoPersonFound, PoseError
    from core.pose_io import read_openpose_json

    if pose_json:
        return read_openpose_json(pose_json, person=person), None, f"read the photo's pose from {pose_json}"
    if person is None or person == 0:
        from core.detect import get_detector

        det = get_detector().detect(image)
        return det.pose, det.mask, f"detected the photo's pose: {det.summary()}"
    from core.detect.wholebody import detect_document

    doc = detect_document(image, parts=("body",)).document
    if not doc.people:
        raise NoPersonFound("no person found in the photo")
    if not 0 <= person < len(doc.people):
        raise PoseError(f"--person {person}: the photo has {len(doc.people)} people found (0 to {len(doc.people) - 1})")
    return doc.people[person].body, None, f"detected person {person} of {len(doc.people)}: {doc.people[person].summary()}"
