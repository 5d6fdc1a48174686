"""``python main.py animate``: render a project, or a photo driven by a video / OpenPose folder, to MP4, GIF or PNGs.

Render a saved project (PROJECT), or the person in --image moved along the motion in --poses (a video, or a folder
of OpenPose JSON files). Without --weights the skeleton-warp renderer is used.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from core.animation.keyframes import Track
from core.cli.common import add_device, add_person, photo_person
from core.cli.progress import FrameBar
from core.errors import StudioError

SMOOTHERS = ("none", "savgol", "oneeuro", "network")


HELP = "render an animation to MP4, GIF or a PNG folder"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", nargs="?", help="a project file saved by the editor")
    p.add_argument("--out", required=True, help="OUT.mp4, OUT.gif, or a folder for PNG frames")
    p.add_argument("--image", help="photo of the person (instead of PROJECT)")
    p.add_argument("--poses", help="video file or folder of OpenPose JSON files with the motion")
    p.add_argument("--photo-pose", help="OpenPose JSON with the photo's pose (default: detected)")
    p.add_argument("--weights", help="GFLA checkpoint (default: the project's, else the skeleton warp)")
    add_device(p, default=None, help="device (default: auto)")
    add_person(p)
    p.add_argument("--fps", type=float, help="frame rate (default: the project's or the video's)")
    p.add_argument("--smooth", choices=SMOOTHERS, default="none", help="denoise the imported motion")
    p.add_argument("--keypoint-weights", help="dance_keypoint checkpoint for --smooth network")
    p.add_argument("--no-retarget", action="store_true", help="use the motion's coordinates as they are")
    p.add_argument("--max-frames", type=int, help="use only the first N frames of the motion")
    p.add_argument("--max-side", type=int, default=0, help="shrink frames so the long side is at most N px")
    p.add_argument("--skeleton-beside", action="store_true", help="show the target skeleton next to each frame")


def _motion_poses(args: argparse.Namespace, source_pose) -> tuple[np.ndarray, float]:
    from core.animation.motion_import import load_motion
    from core.animation.retarget import retarget
    from core.animation.smoothing import smooth_motion

    bar = FrameBar("reading motion", None)
    try:
        motion = load_motion(args.poses, fps=args.fps, progress=bar.to, max_frames=args.max_frames)
        bar.to(len(motion), len(motion))
    finally:
        bar.close()
    xy = motion.xy
    if args.smooth == "network":
        from core.animation.motion_net import denoise_with_network, load_keypoint_model

        if not args.keypoint_weights:
            raise StudioError("--smooth network needs --keypoint-weights (a dance_keypoint checkpoint)")
        model = load_keypoint_model(args.keypoint_weights, device="cpu")
        xy = denoise_with_network(xy, model, motion.frame_size).openpose18
    elif args.smooth != "none":
        xy = smooth_motion(xy, args.smooth, fps=motion.fps)
    if not args.no_retarget:
        xy = retarget(xy, source_pose)
    return xy, motion.fps


def _out_size(image: np.ndarray, max_side: int, beside: bool) -> tuple[int, int]:
    h, w = image.shape[:2]
    if max_side and max(w, h) > max_side:
        s = max_side / max(w, h)
        w, h = max(1, round(w * s)), max(1, round(h * s))
    return (2 * w if beside else w, h)


def run(args: argparse.Namespace) -> int:
    from core.animation.sequence import render_animation, render_target
    from core.export import open_writer
    from core.render import load_renderer

    if bool(args.project) == bool(args.image):
        args._parser.error("give either PROJECT or --image with --poses")
    device = args.device
    project = None
    if args.project:
        from core.project_file import load_project

        project = load_project(args.project)
        for warning in project.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        image, source_pose, targets = project.image, project.source_pose, project.track
        if args.fps:
            targets = targets.with_fps(args.fps)
        fps = targets.fps
        weights = args.weights or project.renderer.checkpoint
        device = device or project.renderer.device
        if len(targets) == 0:
            raise StudioError(f"{args.project} has no keyframes to animate")
    else:
        if not args.poses:
            args._parser.error("--image needs --poses (a video or a folder of OpenPose JSON files)")
        from core.imageio_utils import load_image

        image = load_image(args.image)
        source_pose, _, how = photo_person(image, args.photo_pose, args.person)
        print(how, file=sys.stderr)
        targets, fps = _motion_poses(args, source_pose)
        weights = args.weights
    if project is not None and project.layout == "face68":  # a face-mode project: the face network or the mesh warp
        from core.render.face_portrait import open_portrait_renderer

        renderer, note = open_portrait_renderer("auto", args.weights, device or "auto")
        if note:
            print(f"note: {note}", file=sys.stderr)
    else:
        renderer = load_renderer(weights, device=device or "auto")
    print(f"renderer: {renderer.name}", file=sys.stderr)
    state = renderer.encode_source(image, render_target(source_pose))
    total = targets.length_frames if isinstance(targets, Track) else len(targets)
    bar = FrameBar("rendering", total)
    try:
        with open_writer(args.out, fps, _out_size(image, args.max_side, args.skeleton_beside)) as writer:
            render_animation(renderer, state, targets, writer, progress=lambda p: bar.to(p.done),
                             skeleton_beside=args.skeleton_beside)
    finally:
        bar.close()
    print(f"wrote {writer.frames_written} frames at {fps:g} fps to {writer.path}")
    return 0
