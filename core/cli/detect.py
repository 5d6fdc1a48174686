"""``python main.py detect IMAGE``: find every person's skeleton, feet, hands and face in a photo and save them.

Detect every person in IMAGE (body: 18 OpenPose joints, feet: BODY_25's toes and heels, hands: 21 points each,
face: 70 points) and print, per person, which parts were found. --out writes them as OpenPose JSON, ControlNet's
flavour or ComfyUI's POSE_KEYPOINT (--format).
"""

from __future__ import annotations

import argparse
import time

from core.errors import NoPersonFound

HELP = "detect every person's skeleton, hands and face in a photo"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", metavar="IMAGE", help="photo of one or more people (JPEG, PNG, ...)")
    p.add_argument("--people", choices=("all", "largest"), default="all",
                   help="every person found (up to 6) or only the largest (default: all)")
    p.add_argument("--parts", default="body,feet,hands,face", metavar="PARTS",
                   help="comma-separated parts to find: body, feet, hands, face (default: all of them)")
    p.add_argument("--format", choices=("openpose", "controlnet", "comfyui"), default="openpose",
                   help="--out file format: OpenPose JSON, ControlNet's (confidence 1.0, canvas size) or ComfyUI's "
                        "POSE_KEYPOINT list (default: openpose)")
    p.add_argument(
        "--backend", choices=("mediapipe", "mmpose"), default="mediapipe", help="pose detector (default: mediapipe)"
    )
    p.add_argument("--out", metavar="POSE.json", help="write the people as pose JSON (--format)")
    p.add_argument("--overlay", metavar="OVERLAY.png", help="write the photo with the skeleton drawn over it")
    p.add_argument(
        "--skeleton", metavar="SKELETON.png", help="write a ControlNet-style skeleton image (black background)"
    )
    p.add_argument("--mmpose-config", metavar="CONFIG.py", help="mmpose model config (with --backend mmpose)")
    p.add_argument("--mmpose-checkpoint", metavar="CKPT.pth", help="mmpose checkpoint (with --backend mmpose)")
    p.add_argument("--device", default="cpu", help="device for mmpose (default: cpu)")


def run(args: argparse.Namespace) -> int:
    from core.imageio_utils import load_image

    image = load_image(args.image)
    if args.backend == "mmpose":
        return _run_body_only(args, image)
    from core.detect.wholebody import detect_document, parse_parts

    result = detect_document(image, people=args.people, parts=parse_parts(args.parts))
    doc = result.document
    if not doc.people:
        raise NoPersonFound(f"no person found in {args.image}")
    h, w = image.shape[:2]
    print(f"{args.image}: {w}x{h}, {len(doc.people)} {'person' if len(doc.people) == 1 else 'people'} found, "
          f"{result.seconds:.2f} s")
    for line in result.report():
        print(f"  {line}")
    _write_outputs(args, doc, image)
    return 0


def _write_outputs(args: argparse.Namespace, doc, image) -> None:  # noqa: ANN001 - PoseDocument, ndarray
    from core.formats import write_pose_document
    from core.formats.controlnet_png import draw_controlnet_skeleton
    from core.imageio_utils import save_image

    if args.out:
        write_pose_document(args.out, doc, args.format)
        print(f"wrote {args.out}")
    if args.overlay:
        skeleton = draw_controlnet_skeleton(doc)
        drawn = skeleton.any(axis=2, keepdims=True)
        save_image(args.overlay, (image[..., :3] * ~drawn + skeleton * drawn).astype("uint8"))
        print(f"wrote {args.overlay}")
    if args.skeleton:
        save_image(args.skeleton, draw_controlnet_skeleton(doc))
        print(f"wrote {args.skeleton}")


def _run_body_only(args: argparse.Namespace, image) -> int:  # noqa: ANN001 - ndarray
    """The mmpose backend: the body of the largest person (its config decides the keypoints)."""
    from core.detect import get_detector
    from core.imageio_utils import save_image
    from core.pose_io import draw_skeleton_image, write_openpose_json

    options = {"config": args.mmpose_config, "checkpoint": args.mmpose_checkpoint, "device": args.device}
    detector = get_detector(args.backend, **options)
    start = time.perf_counter()
    try:
        det = detector.detect(image)
    except NoPersonFound:
        raise NoPersonFound(f"no person found in {args.image}") from None
    seconds = time.perf_counter() - start
    h, w = image.shape[:2]
    print(f"{args.image}: {w}x{h}, {det.backend}, {det.summary()}, {seconds:.2f} s")
    if args.out:
        write_openpose_json(args.out, det.pose, canvas_size=(w, h), confidence=det.scores)
        print(f"wrote {args.out}")
    if args.overlay:
        save_image(args.overlay, draw_skeleton_image(det.pose, (h, w), background=image))
    if args.skeleton:
        save_image(args.skeleton, draw_skeleton_image(det.pose, (h, w)))
    return 0
