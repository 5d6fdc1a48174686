"""``python main.py repose``: one photo re-rendered in a new pose from the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.cli import run_cli
from core.imageio_utils import import_cv2, load_image, save_image
from core.pose_io import write_openpose_json

ROOT = Path(__file__).resolve().parents[1]


def synthetic_person() -> tuple[np.ndarray, np.ndarray]:
    """A 300 x 400 stick person with coloured limbs on a striped background, and its pose."""
    cv2 = import_cv2()
    xy = np.array([
        (150, 70), (150, 112), (118, 114), (106, 170), (101, 224), (182, 114), (194, 170), (199, 224),
        (129, 218), (127, 290), (125, 358), (171, 218), (173, 290), (175, 358), (142, 63), (158, 63),
        (133, 69), (167, 69),
    ], dtype=np.float64)  # fmt: skip
    yy, xx = np.mgrid[0:400, 0:300]
    img = np.stack([120 + 60 * np.sin(xx / 9.0), 140 + 50 * np.cos(yy / 13.0), 100 + 40 * np.sin(yy / 7.0)], -1)
    img = np.ascontiguousarray(img.astype(np.uint8))
    cv2.fillConvexPoly(img, np.round(xy[[2, 5, 11, 8]]).astype(np.int32), (40, 60, 200))
    cv2.circle(img, (150, 64), 26, (230, 190, 160), -1)
    for (a, b), c in zip([(1, 0), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (11, 12), (12, 13)],
                         [(230, 190, 160), (200, 40, 40), (240, 200, 60), (40, 160, 40), (60, 200, 220),
                          (30, 30, 90), (50, 50, 120), (30, 30, 90), (50, 50, 120)], strict=True):  # fmt: skip
        cv2.line(img, tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b]), c, 20)
    return img, xy


@pytest.fixture()
def photo_and_poses(tmp_path):
    img, xy = synthetic_person()
    photo = tmp_path / "person.png"
    save_image(photo, img)
    source = tmp_path / "source.json"
    write_openpose_json(source, xy, canvas_size=(img.shape[1], img.shape[0]))
    target_xy = xy.copy()
    target_xy[4] = (xy[4, 0] - 60, xy[4, 1] - 90)  # right wrist raised
    target = tmp_path / "target.json"
    write_openpose_json(target, target_xy, canvas_size=(img.shape[1], img.shape[0]))
    return img, photo, source, target


def test_repose_writes_the_whole_photo_in_the_new_pose_and_names_the_renderer(photo_and_poses, tmp_path, capsys):
    img, photo, source, target = photo_and_poses
    out = tmp_path / "result.png"
    code = run_cli(["repose", str(photo), "--target", str(target), "--source-pose", str(source), "--out", str(out)])
    assert code == 0
    result = load_image(out)
    assert result.shape == img.shape
    assert np.abs(result.astype(int) - img.astype(int)).max(axis=2).sum() > 0  # the arm moved
    assert "Skeleton warp (no checkpoint)" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["person.png", "result.png", "source.json", "target.json"]


def test_repose_with_the_same_pose_gives_back_the_photo(photo_and_poses, tmp_path):
    img, photo, source, _ = photo_and_poses
    out = tmp_path / "same.png"
    assert (
        run_cli(["repose", str(photo), "--target", str(source), "--source-pose", str(source), "--out", str(out)]) == 0
    )
    assert np.abs(load_image(out).astype(int) - img.astype(int)).mean() < 1.0


def test_repose_reports_a_missing_pose_file_in_one_line(photo_and_poses, tmp_path, capsys):
    _, photo, source, _ = photo_and_poses
    out = tmp_path / "never.png"
    code = run_cli(["repose", str(photo), "--target", str(tmp_path / "nope.json"), "--source-pose", str(source),
                    "--out", str(out)])  # fmt: skip
    assert code == 1 and not out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and "nope.json" in err[-1]


def test_repose_with_an_unusable_checkpoint_is_a_clear_error(photo_and_poses, tmp_path, capsys):
    _, photo, source, target = photo_and_poses
    bogus = tmp_path / "latest_net_G.pth"
    bogus.write_bytes(b"not a checkpoint")
    out = tmp_path / "never.png"
    code = run_cli(["repose", str(photo), "--target", str(target), "--source-pose", str(source),
                    "--weights", str(bogus), "--out", str(out)])  # fmt: skip
    assert code == 1 and not out.exists()
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("error: ")


def test_repose_bf16_without_a_network_checkpoint_is_a_one_line_error(photo_and_poses, tmp_path, capsys):
    _, photo, source, target = photo_and_poses
    out = tmp_path / "never.png"
    code = run_cli(["repose", str(photo), "--target", str(target), "--source-pose", str(source),
                    "--precision", "bf16", "--out", str(out)])  # fmt: skip
    assert code == 1 and not out.exists()
    assert "precision 'bf16' needs a network checkpoint" in capsys.readouterr().err


@pytest.mark.skipif(not (ROOT / "resources" / "sample_person.png").exists(), reason="bundled photo not present")
def test_repose_detects_the_pose_and_fits_a_template_drawn_on_another_canvas(tmp_path, capsys):
    pytest.importorskip("mediapipe")
    template = next((ROOT / "resources" / "poses").glob("*.json"))
    out = tmp_path / "posed.jpg"
    code = run_cli(["repose", str(ROOT / "resources" / "sample_person.png"), "--target", str(template),
                    "--out", str(out)])  # fmt: skip
    assert code == 0
    assert load_image(out).shape == load_image(ROOT / "resources" / "sample_person.png").shape
    captured = capsys.readouterr()
    assert "detected" in captured.err and "fitted" in captured.err


def test_keep_lengths_renders_the_target_directions_with_the_photos_bone_lengths(photo_and_poses, tmp_path, capsys):
    img, photo, source, _ = photo_and_poses
    _, xy = synthetic_person()
    stretched = xy.copy()
    stretched[4] = xy[3] + 2.5 * np.array([-40.0, -30.0])  # forearm turned up and 2.5 × too long
    target = tmp_path / "stretched.json"
    write_openpose_json(target, stretched, canvas_size=(img.shape[1], img.shape[0]))
    by_hand = xy.copy()  # same direction, the photo's own forearm length
    by_hand[4] = xy[3] + np.array([-0.8, -0.6]) * np.hypot(*(xy[4] - xy[3]))
    expected = tmp_path / "by_hand.json"
    write_openpose_json(expected, by_hand, canvas_size=(img.shape[1], img.shape[0]))
    kept, plain, manual = tmp_path / "kept.png", tmp_path / "plain.png", tmp_path / "manual.png"
    base = ["repose", str(photo), "--source-pose", str(source)]
    assert run_cli([*base, "--target", str(target), "--keep-lengths", "--out", str(kept)]) == 0
    assert "kept the photo's bone lengths" in capsys.readouterr().err
    assert run_cli([*base, "--target", str(target), "--out", str(plain)]) == 0
    assert run_cli([*base, "--target", str(expected), "--out", str(manual)]) == 0
    kept_img, manual_img = load_image(kept).astype(int), load_image(manual).astype(int)
    assert np.abs(kept_img - manual_img).max() <= 1
    assert np.abs(load_image(plain).astype(int) - kept_img).max(axis=2).sum() > 0
