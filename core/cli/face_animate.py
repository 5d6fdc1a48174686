"""``python main.py face-animate --image PORTRAIT --driving VIDEO --out OUT.mp4``: a portrait driven by a face video."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

SMOOTHERS = ("savgol", "oneeuro", "none")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "face-animate",
        help="animate a portrait with the face movements of a video",
        description="Track the face in --driving frame by frame (MediaPipe face mesh, 68 landmarks), smooth the "
        "landmarks, fit them onto the face in --image and render each frame with the published face-animation "
        "network. Without --weights the newest imported 'face' weights are used. The video shows the "
        "network's 256 x 256 frame around the face.",
    )
    p.add_argument("--image", required=True, help="the portrait (one face, roughly frontal)")
    p.add_argument("--driving", required=True, help="video of a face whose movements to copy")
    p.add_argument("--out", required=True, help="OUT.mp4, OUT.gif, or a folder for PNG frames")
    p.add_argument("--weights", help="face checkpoint (default: the weights store's 'face' entry)")
    p.add_argument("--smooth", choices=SMOOTHERS, default="savgol", help="denoise the tracked landmarks")
    p.add_argument("--retarget", choices=("relative", "absolute"), default="relative",
                   help="relative: move the portrait's landmarks by the driver's changes (keeps its face shape); "
                   "absolute: use the driver's landmarks fitted onto the portrait")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"), help="where the network runs")
    p.add_argument("--fps", type=float, help="frame rate of the result (default: the video's)")
    p.add_argument("--max-frames", type=int, help="use only the first N frames of the video")
    p.set_defaults(func=run)


def _bar(desc: str, total: int | None):
    from tqdm import tqdm

    return tqdm(total=total if total and total > 0 else None, desc=desc, unit="frame", file=sys.stderr,
                dynamic_ncols=True, leave=True)


def driving_track(path: str, max_frames: int | None = None) -> tuple[np.ndarray, float]:
    """(T, 68, 2) tracked landmarks of a video (NaN where no face is seen) and its frame rate."""
    from core.animation.motion_import import _video_frames
    from core.detect.face_mesh import detect_face_sequence, landmark_track

    meta, frames, close = _video_frames(Path(path))
    fps = float(meta.get("fps") or 24.0)
    limit = max_frames if max_frames and max_frames > 0 else None

    def limited():
        for i, frame in enumerate(frames):
            if limit is not None and i >= limit:
                return
            yield frame

    bar = _bar("tracking the face", None)
    try:
        found = list(detect_face_sequence(limited(), progress=lambda done, _: bar.update(done - bar.n)))
    finally:
        bar.close()
        close()
    return landmark_track(found), fps


def run(args: argparse.Namespace) -> int:
    from core.render.face import locate_checkpoint

    weights = locate_checkpoint("face", args.weights)  # fails first, in one line, when there is none
    from core.animation.smoothing import smooth_motion
    from core.detect.face_mesh import detect_face
    from core.errors import NoFaceFound
    from core.export import open_writer
    from core.face_retarget import retarget_face
    from core.imageio_utils import load_image
    from core.render.face import open_face_renderer

    renderer = open_face_renderer(weights, device=args.device)  # a wrong or unreadable file fails before tracking
    portrait = load_image(args.image)
    try:
        portrait_landmarks = detect_face(portrait).landmarks
    except NoFaceFound:
        raise NoFaceFound(f"no face found in the portrait {Path(args.image).name}") from None
    track, fps = driving_track(args.driving, args.max_frames)
    fps = args.fps or fps
    seen = int((~np.isnan(track).any(axis=(1, 2))).sum())
    print(f"face found in {seen} of {len(track)} driving frames", file=sys.stderr)
    if args.smooth != "none":
        track = smooth_motion(track, args.smooth, fps=fps)
    targets = retarget_face(track, portrait_landmarks, args.retarget)

    print(f"renderer: {renderer.name}", file=sys.stderr)
    state = renderer.encode_source(portrait, portrait_landmarks)
    size = renderer.load_size
    bar = _bar("rendering", len(targets))
    try:
        with open_writer(args.out, fps, (size, size)) as writer:
            for result in renderer.render_sequence(state, list(targets), progress=lambda d, _: bar.update(d - bar.n)):
                writer.append(result.image)
    finally:
        bar.close()
    print(f"wrote {writer.frames_written} frames at {fps:g} fps to {writer.path}")
    return 0
