"""``python main.py finetune --weights W --video V --out DIR``: adapt a pose checkpoint to one person's video.

Detect the person in every frame, pair frames across the video and fine-tune the generator with the published
losses; writes DIR/finetuned_net_G.safetensors, which the app loads directly.
"""

from __future__ import annotations

import argparse

HELP = "fine-tune a pose checkpoint on a video of the person you animate"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weights", required=True, help="pose_fashion or pose_market checkpoint to start from")
    parser.add_argument("--video", required=True, help="video file, or a folder of frames (png/jpg)")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (checkpoints, losses, config)")
    parser.add_argument("--iterations", type=int, default=2000, help="fine-tuning iterations (default 2000)")
    parser.add_argument("--vgg19", help="VGG19 weights (.pth/.safetensors) for the correctness/perceptual/style losses")
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-5, help="generator learning rate (default 1e-5)")
    parser.add_argument("--max-frames", type=int, default=300, help="use at most this many frames (default 300)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--detector", default="mediapipe", help="pose detector backend (default mediapipe)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted fine-tuning in DIR")


def run(args: argparse.Namespace) -> int:
    from core.train.finetune import FinetuneOptions, finetune

    options = FinetuneOptions(iterations=args.iterations, batch_size=args.batch_size, lr=args.lr,
                              max_frames=args.max_frames, device=args.device, vgg19=args.vgg19, detector=args.detector)
    result = finetune(args.weights, args.video, args.out, options, resume=args.resume)
    print(f"fine-tuned weights: {result}")
    return 0
