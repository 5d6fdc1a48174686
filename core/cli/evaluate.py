"""``python main.py evaluate GENERATED REAL``: SSIM, masked SSIM and L1 (LPIPS and FID with user-given weights).

Pairs images of the two folders by file name. Masked SSIM needs --masks (person masks by name) or it masks the plain
backdrop away by colour. LPIPS and FID need their networks' weights.
"""

from __future__ import annotations

import argparse

HELP = "score generated images against the real ones (SSIM, masked SSIM, L1; LPIPS/FID with weights)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("generated", help="folder of generated images")
    parser.add_argument("real", help="folder of the real images (same file names)")
    parser.add_argument("--masks", help="folder of person masks with the same names (white = person)")
    parser.add_argument("--lpips-weights", help="LPIPS weights: a torchvision AlexNet/VGG state dict + linear layers")
    parser.add_argument("--inception-weights", help="Inception-v3 (pt_inception) state dict for FID")
    parser.add_argument("--json", metavar="PATH", help="also write the scores as JSON")
    parser.add_argument("--device", default="auto")


def run(args: argparse.Namespace) -> int:
    from core.train.evaluate import evaluate_folders, write_report

    report = evaluate_folders(args.generated, args.real, masks=args.masks, lpips_weights=args.lpips_weights,
                              inception_weights=args.inception_weights, device=args.device)
    print(report.text())
    if args.json:
        write_report(report, args.json)
    return 0
