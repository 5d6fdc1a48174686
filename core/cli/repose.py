"""``python main.py repose IMAGE --target POSE.json [--keep-lengths] --out RESULT.png``: re-render one photo in a new
pose (``--keep-lengths``: the target's bone directions with the photo's bone lengths, core.rig.keep_lengths).

Re-render the person in IMAGE in the pose of --target (OpenPose JSON). The photo's own pose is detected unless
--source-pose gives it. Without --weights the built-in skeleton warp is used; with a GFLA checkpoint the network
renders.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from core.cli.common import add_device, add_person, photo_person

HELP = "re-render the person in a photo in a target pose"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="the photo (PNG, JPEG, ...)")
    parser.add_argument("--target", required=True, help="OpenPose JSON with the target pose")
    parser.add_argument("--source-pose", help="OpenPose JSON with the photo's pose (default: detected)")
    parser.add_argument("--weights", help="GFLA checkpoint (default: the skeleton warp, no checkpoint needed)")
    add_device(parser, help="where a network runs")
    add_person(parser)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                        help="fp32 (exact) or bf16 (faster on CPUs with AVX-512 BF16; within 40 dB PSNR of fp32; "
                        "pose_fashion/pose_market only)")
    parser.add_argument("--keep-lengths", action="store_true",
                        help="keep the directions of the target's bones but the lengths of the photo's person's")
    parser.add_argument("--out", required=True, help="where to write the result (.png or .jpg)")


def _read_pose(path: str, image_hw: tuple[int, int], fit_to=None):
    """A pose from an OpenPose JSON file, in photo pixels.

    A file whose canvas differs from the photo (a pose template, for example) is scaled and moved
    onto ``fit_to``, the photo's person, by the same body-size fit animations use.
    """
    from core.pose_io import openpose_canvas_size, read_openpose_json
    from core.skeleton import Pose

    pose = read_openpose_json(path)
    canvas = openpose_canvas_size(path)
    h, w = image_hw
    if fit_to is None or canvas is None or canvas == (w, h):
        return pose, False
    from core.animation.retarget import retarget

    return Pose(retarget(np.asarray(pose.xy)[None], fit_to)[0]), True


def run(args: argparse.Namespace) -> int:
    from core.imageio_utils import load_image, save_image
    from core.render import load_renderer
    from core.render.warp import WarpRenderer

    image = load_image(args.image)
    hw = (int(image.shape[0]), int(image.shape[1]))
    source, mask, how = photo_person(image, args.source_pose, args.person)  # NoPersonFound when nobody is there
    print(how, file=sys.stderr)
    target, fitted = _read_pose(args.target, hw, fit_to=source)
    if fitted:
        print(f"{args.target} is drawn on another canvas: fitted it to the person in the photo", file=sys.stderr)
    if args.keep_lengths:
        from core.rig import keep_lengths

        kept = keep_lengths(target, source)
        moved = np.hypot(*(kept.xy - target.xy).T)
        print(f"kept the photo's bone lengths: joints moved by up to {np.nanmax(moved, initial=0.0):.1f} px",
              file=sys.stderr)
        target = kept

    renderer = load_renderer(args.weights, device=args.device, precision=args.precision)
    t0 = time.perf_counter()
    if isinstance(renderer, WarpRenderer):
        state = renderer.encode_source(image, source, mask=mask)
    else:
        state = renderer.encode_source(image, source)
    result = renderer.render(state, target)
    seconds = time.perf_counter() - t0
    save_image(args.out, result.image)
    print(f"wrote {args.out} ({result.image.shape[1]}x{result.image.shape[0]}) with {renderer.name} in {seconds:.2f} s")
    return 0
