"""``python main.py detect IMAGE``: find the person's skeleton in a photo and save it as OpenPose JSON.

Detect the person's 18 OpenPose joints in IMAGE and print a short summary.
"""

from __future__ import annotations

import argparse
import time

from core.errors import NoPersonFound

HELP = "detect the 18-joint skeleton of the person in a photo"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", metavar="IMAGE", help="photo of one person (JPEG, PNG, ...)")
    p.add_argument(
        "--backend", choices=("mediapipe", "mmpose"), default="mediapipe", help="pose detector (default: mediapipe)"
    )
    p.add_argument("--out", metavar="POSE.json", help="write the pose as OpenPose JSON (COCO-18 layout)")
    p.add_argument("--overlay", metavar="OVERLAY.png", help="write the photo with the skeleton drawn over it")
    p.add_argument(
        "--skeleton", metavar="SKELETON.png", help="write a ControlNet-style skeleton image (black background)"
    )
    p.add_argument("--mmpose-config", metavar="CONFIG.py", help="mmpose model config (with --backend mmpose)")
    p.add_argument("--mmpose-checkpoint", metavar="CKPT.pth", help="mmpose checkpoint (with --backend mmpose)")
    p.add_argument("--device", default="cpu", help="device for mmpose (default: cpu)")


def run(args: argparse.Namespace) -> int:
    from core.detect import get_detector
    from core.imageio_utils import load_image, save_image
    from core.pose_io import draw_skeleton_image, write_openpose_json

    image = load_image(args.image)
    options = {}
    if args.backend == "mmpose":
        options = {"config": args.mmpose_config, "checkpoint": args.mmpose_checkpoint, "device": args.device}
    detector = get_detector(args.backend, **options)
    start = time.perf_counter()
    try:
        det = detector.detect(image)
    except NoPersonFound:
        raise NoPersonFound(f"no person found in {args.image}") from None
    seconds = time.perf_counter() - start
    h, w = image.shape[:2]
    b = det.pose.bounds()
    box = "" if b is None else f", person box ({b[0]:.0f}, {b[1]:.0f})-({b[2]:.0f}, {b[3]:.0f})"
    print(f"{args.image}: {w}x{h}, {det.backend}, {det.summary()}{box}, {seconds:.2f} s")
    if args.out:
        write_openpose_json(args.out, det.pose, canvas_size=(w, h), confidence=det.scores)
        print(f"wrote {args.out}")
    if args.overlay:
        save_image(args.overlay, draw_skeleton_image(det.pose, (h, w), background=image))
        print(f"wrote {args.overlay}")
    if args.skeleton:
        save_image(args.skeleton, draw_skeleton_image(det.pose, (h, w)))
        print(f"wrote {args.skeleton}")
    return 0
