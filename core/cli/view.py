"""``python main.py view IMAGE --azimuth A --elevation E --out OUT.png``: a new view of an object with the ShapeNet network.

Re-render the object in IMAGE from --azimuth / --elevation with a published ShapeNet (car or chair) checkpoint. The
network knows azimuths in 20° steps and elevations 0°, 10°, 20°; other angles snap to the nearest. Without --weights
the newest imported 'shapenet' weights are used.
"""

from __future__ import annotations

import argparse

from core.cli.common import add_device

HELP = "render an object photo (car, chair) from another angle"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="photo of the object, ideally on a plain background")
    parser.add_argument("--azimuth", type=float, required=True, help="target azimuth in degrees")
    parser.add_argument("--elevation", type=float, help="target elevation in degrees (default: the photo's)")
    parser.add_argument("--source-azimuth", type=float, default=0.0, help="the photo's own azimuth (default 0)")
    parser.add_argument("--source-elevation", type=float, default=0.0, help="the photo's own elevation (default 0)")
    parser.add_argument("--weights", help="ShapeNet checkpoint (default: the weights store's 'shapenet' entry)")
    add_device(parser)
    parser.add_argument("--out", required=True, help="where to write the view (.png or .jpg)")


def run(args: argparse.Namespace) -> int:
    from core.render.registry import locate_checkpoint

    weights = locate_checkpoint("shapenet", args.weights)  # fails first, in one line, when there is none
    from core.imageio_utils import load_image, save_image
    from core.render.view import open_view_renderer

    image = load_image(args.image)
    renderer = open_view_renderer(weights, device=args.device)
    state = renderer.encode_source(image, (args.source_azimuth, args.source_elevation))
    result = renderer.render_view(state, args.azimuth, args.elevation)
    save_image(args.out, result.image)
    ex = result.extras
    snapped = "" if ex["requested"] == (ex["azimuth_deg"], ex["elevation_deg"]) else (
        f" (nearest trained view to azimuth {ex['requested'][0]:g}°, elevation {ex['requested'][1]:g}°)"
    )
    print(f"wrote {args.out}: azimuth {ex['azimuth_deg']:g}°, elevation {ex['elevation_deg']:g}°{snapped} "
          f"with {renderer.name} in {result.seconds:.2f} s")
    return 0
