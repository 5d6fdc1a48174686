"""``python main.py face-animate --image PORTRAIT --driving VIDEO --out OUT.mp4``: a portrait driven by a face video.

Track the face in --driving frame by frame (MediaPipe face mesh, 68 landmarks), smooth the landmarks, fit them onto
the face in --image and render each frame with the published face-animation network (without --weights: the newest
imported 'face' weights), or, when there is no face checkpoint or with --renderer warp, with the landmark mesh warp,
which needs none. The video shows the 256 x 256 frame around the face, or the whole portrait with --frame portrait.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.common import add_device
from core.cli.progress import FrameBar
from core.face.animation import SMOOTHERS, DrivingTrack

HELP = "animate a portrait with the face movements of a video"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--image", required=True, help="the portrait (one face, roughly frontal)")
    p.add_argument("--driving", required=True, help="video of a face whose movements to copy")
    p.add_argument("--out", required=True, help="OUT.mp4, OUT.gif, or a folder for PNG frames")
    p.add_argument("--weights", help="face checkpoint (default: the weights store's 'face' entry)")
    p.add_argument("--smooth", choices=SMOOTHERS, default="savgol", help="denoise the tracked landmarks")
    p.add_argument("--retarget", choices=("relative", "absolute"), default="relative",
                   help="relative: move the portrait's landmarks by the driver's changes (keeps its face shape); "
                   "absolute: use the driver's landmarks fitted onto the portrait")
    p.add_argument("--renderer", choices=("auto", "network", "warp"), default="auto",
                   help="auto: the face network when its checkpoint is found, else the landmark mesh warp; "
                   "network: the face network or an error naming the file; warp: the mesh warp")
    p.add_argument("--frame", choices=("face", "portrait"), default="face",
                   help="face: the 256 x 256 square around the face; portrait: the whole portrait")
    add_device(p)
    p.add_argument("--fps", type=float, help="frame rate of the result (default: the video's)")
    p.add_argument("--max-frames", type=int, help="use only the first N frames of the video")


def driving_track(path: str, max_frames: int | None = None) -> DrivingTrack:
    """The driving video's tracked face, with a progress bar on stderr."""
    from core.face.animation import track_driving_video

    bar = FrameBar("tracking the face", None)
    try:
        return track_driving_video(path, max_frames, progress=lambda done, _: bar.to(done))
    finally:
        bar.close()


def run(args: argparse.Namespace) -> int:
    from core.render.face_portrait import open_portrait_renderer

    renderer, note = open_portrait_renderer(args.renderer, args.weights, args.device)
    if note:
        print(f"note: {note}", file=sys.stderr)
    from core.detect.face_mesh import detect_face
    from core.errors import NoFaceFound
    from core.face.animation import driving_targets, write_face_video
    from core.imageio_utils import load_image
    from core.render.face_portrait import FACE_FRAME, face_frame

    portrait = load_image(args.image)
    try:
        portrait_landmarks = detect_face(portrait).landmarks
    except NoFaceFound:
        raise NoFaceFound(f"no face found in the portrait {Path(args.image).name}") from None
    track = driving_track(args.driving, args.max_frames)
    fps = args.fps or track.fps
    print(f"face found in {track.seen} of {track.frames} driving frames", file=sys.stderr)
    targets = driving_targets(track, portrait_landmarks, args.smooth, args.retarget)

    print(f"renderer: {renderer.name}", file=sys.stderr)
    state = renderer.encode_source(portrait, portrait_landmarks)
    if args.frame == "portrait":
        size, frame = (portrait.shape[1], portrait.shape[0]), None
    else:
        size, frame = (FACE_FRAME, FACE_FRAME), (lambda r: face_frame(r, portrait_landmarks))
    bar = FrameBar("rendering", len(targets))
    try:
        written = write_face_video(renderer, state, targets, args.out, fps, size=size, frame=frame,
                                   progress=lambda d, _: bar.to(d))
    finally:
        bar.close()
    print(f"wrote {written.frames} frames at {fps:g} fps to {written.path} ({renderer.name})")
    return 0
