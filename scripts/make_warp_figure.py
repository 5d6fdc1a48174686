"""Regenerate docs/warp_figure.png: the photo, a target skeleton and the skeleton-warp result for a few pose edits.

Usage: python scripts/make_warp_figure.py [--photo camera --photo resources/sample_person.png] [--out docs/warp_figure.png]
The default photos: scikit-image's ``camera.png`` (a real photograph, CC0, of a man with a camera on a tripod in a
park: a cluttered background; installed with the project) and the bundled sample illustration. The first row of each
photo turns the right forearm by 90 degrees and prints how many of the changed pixels lie off the arm.
The photo's person mask comes from the bundled detector (MediaPipe), its pose too except on ``camera``, whose pose
was placed by hand (tests/data/camera_pose.json: the detector puts his far wrist out on the lawn); the edits (an arm
raised, a knee bent, the head turned) are made from that pose, so the figure follows the photo.
Without the photo a synthetic stick person is used, and the figure says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.imageio_utils import import_cv2, load_image, save_image  # noqa: E402
from core.pose_io import draw_skeleton_image, read_openpose_json  # noqa: E402
from core.render.warp import WarpRenderer  # noqa: E402
from core.render.warp_locality import measure, rotate_forearm  # noqa: E402
from core.skeleton import Pose  # noqa: E402

TILE_HEIGHT = 460


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def _length(xy: np.ndarray, a: int, b: int) -> float:
    return float(np.linalg.norm(xy[b] - xy[a]))


def arm_raised(xy: np.ndarray) -> np.ndarray:
    """The right arm lifted out to the side, the forearm raised (a wave)."""
    t = xy.copy()
    t[3] = xy[2] + _length(xy, 2, 3) * _unit([-0.94, 0.34])
    t[4] = t[3] + _length(xy, 3, 4) * _unit([0.05, -1.0])
    return t


def knee_bent(xy: np.ndarray) -> np.ndarray:
    """The left knee lifted out to the side, the shin hanging down."""
    t = xy.copy()
    t[12] = xy[11] + _length(xy, 11, 12) * _unit([0.75, 0.66])
    t[13] = t[12] + _length(xy, 12, 13) * _unit([-0.1, 1.0])
    return t


def head_turned(xy: np.ndarray) -> np.ndarray:
    """The head tilted and turned towards the person's left: the face keypoints slide sideways."""
    t = xy.copy()
    angle = np.deg2rad(-10)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    for k in (0, 14, 15, 16, 17):
        t[k] = xy[1] + rot @ (xy[k] - xy[1])
    eyes = _length(xy, 14, 15)
    for k, shift in ((0, 0.45), (14, 0.35), (15, 0.2), (16, 0.5)):
        t[k, 0] += shift * eyes
    return t


def forearm_turned(xy: np.ndarray) -> np.ndarray:
    """The right forearm turned by 90 degrees about the elbow (issue #16's locality measure)."""
    return rotate_forearm(Pose(xy), "right", 90.0).xy


EDITS = (("forearm turned 90 deg", forearm_turned), ("arm raised", arm_raised), ("knee bent", knee_bent),
         ("head turned", head_turned))
REAL_PHOTO = "camera"  # scikit-image's camera.png: a real CC0 photograph, cluttered outdoor background
CAMERA_POSE = ROOT / "tests" / "data" / "camera_pose.json"  # its pose, placed by hand (tests/data/README.md)


def synthetic_photo() -> tuple[np.ndarray, np.ndarray, None]:
    """A 384 x 512 stick person with coloured limbs on a textured background (no detector needed)."""
    cv2 = import_cv2()
    xy = np.array([
        (192, 95), (192, 150), (150, 152), (135, 225), (128, 295), (234, 152), (249, 225), (256, 295),
        (165, 290), (162, 385), (160, 475), (219, 290), (222, 385), (224, 475), (182, 85), (202, 85),
        (170, 92), (214, 92),
    ], dtype=np.float64)  # fmt: skip
    yy, xx = np.mgrid[0:512, 0:384]
    img = np.stack(
        [200 + 30 * np.sin(xx / 23.0), 205 + 25 * np.cos(yy / 31.0), 190 + 20 * np.sin((xx + yy) / 17.0)], -1
    )
    img = np.ascontiguousarray(img.astype(np.uint8))
    cv2.fillConvexPoly(img, np.round(xy[[2, 5, 11, 8]]).astype(np.int32), (40, 60, 200), cv2.LINE_AA)
    cv2.line(img, (150, 152), (234, 152), (40, 60, 200), 20)
    cv2.line(img, (192, 150), (192, 95), (230, 190, 160), 24, cv2.LINE_AA)
    cv2.circle(img, (192, 87), 34, (230, 190, 160), -1, cv2.LINE_AA)
    for a, b, r, c in [(8, 9, 19, (30, 30, 90)), (9, 10, 14, (50, 50, 120)), (11, 12, 19, (30, 30, 90)),
                       (12, 13, 14, (50, 50, 120)), (2, 3, 13, (200, 40, 40)), (3, 4, 11, (240, 200, 60)),
                       (5, 6, 13, (40, 160, 40)), (6, 7, 11, (60, 200, 220))]:  # fmt: skip
        cv2.line(img, tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b]), c, 2 * r, cv2.LINE_AA)
    return img, xy, None


def _label(tile: np.ndarray, text: str, cv2) -> np.ndarray:
    out = tile.copy()
    cv2.rectangle(out, (0, 0), (out.shape[1], 26), (255, 255, 255), -1)
    cv2.putText(out, text, (6, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (20, 20, 20), 1, cv2.LINE_AA)
    return out


def _fit(img: np.ndarray, cv2) -> np.ndarray:
    s = TILE_HEIGHT / img.shape[0]
    return cv2.resize(img, (max(1, round(img.shape[1] * s)), TILE_HEIGHT), interpolation=cv2.INTER_AREA)


def _load(photo: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str]:
    """(image, pose, mask, note): 'camera' is scikit-image's photograph (installed with the project), else a file."""
    from core.detect import get_detector

    if photo == REAL_PHOTO:  # the pose placed by hand (the detector's puts his far wrist on the lawn), its mask
        import skimage.data

        image = np.stack([skimage.data.camera()] * 3, axis=-1)
        detection = get_detector().detect(image)
        pose = read_openpose_json(CAMERA_POSE).xy
        return image, pose, detection.mask, "skimage camera.png (CC0), pose by hand"
    elif Path(photo).exists():
        image, name = load_image(photo), Path(photo).name
    else:
        image, source, mask = synthetic_photo()
        return image, source, mask, f"synthetic person ({photo} not found)"
    detection = get_detector().detect(image)
    return image, detection.pose.xy, detection.mask, name


def _rows(photo: str, cv2) -> tuple[list[np.ndarray], str]:
    image, source, mask, note = _load(photo)
    renderer = WarpRenderer()
    state = renderer.encode_source(image, source, mask=mask)
    dim = (0.35 * image + 0.65 * 255).astype(np.uint8)  # the photo faded, under the target skeleton
    rows, times = [], []
    for title, edit in EDITS:
        target = edit(source)
        if (np.isnan(target).any(axis=1) != np.isnan(source).any(axis=1)).any():
            continue  # this edit needs a joint that was not found on this photo (or that it does not show)
        result = renderer.render(state, target)
        times.append(result.seconds)
        label = "warp result"
        if title.startswith("forearm"):
            share = measure(image, result.image, Pose(source), Pose(target)).outside_share
            label += f": {100 * share:.1f}% of changes off the arm"
        hw = (int(image.shape[0]), int(image.shape[1]))
        tiles = [
            _label(_fit(draw_skeleton_image(source, hw, background=image), cv2), note, cv2),
            _label(_fit(draw_skeleton_image(target, hw, background=dim), cv2), f"target: {title}", cv2),
            _label(_fit(result.image, cv2), label, cv2),
        ]
        gap = np.full((TILE_HEIGHT, 8, 3), 255, np.uint8)
        rows.append(np.concatenate([tiles[0], gap, tiles[1], gap, tiles[2]], axis=1))
    return rows, f"{note}: render {np.median(times) * 1000:.0f} ms"


def make_figure(photos: list[str]) -> tuple[np.ndarray, str]:
    """The figure (rows: photos x edits; columns: photo with its skeleton, target skeleton, result) and a note."""
    cv2 = import_cv2()
    rows, notes = [], []
    for photo in photos:
        more, note = _rows(photo, cv2)
        rows += more
        notes.append(note)
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    gap = np.full((8, width, 3), 255, np.uint8)
    figure = np.concatenate([r for row in rows for r in (row, gap)][:-1], axis=0)
    footer = np.full((30, width, 3), 255, np.uint8)
    cv2.putText(footer, "; ".join(notes), (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (60, 60, 60), 1, cv2.LINE_AA)
    return np.concatenate([figure, footer], axis=0), "; ".join(notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--photo", action="append", metavar="PHOTO",
                        help=f"a photo (repeatable); '{REAL_PHOTO}' is scikit-image's real photograph "
                             f"(default: {REAL_PHOTO} and resources/sample_person.png)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "warp_figure.png")
    args = parser.parse_args(argv)
    figure, note = make_figure(args.photo or [REAL_PHOTO, str(ROOT / "resources" / "sample_person.png")])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_image(args.out, figure)
    print(f"wrote {args.out} ({figure.shape[1]}x{figure.shape[0]}): {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
