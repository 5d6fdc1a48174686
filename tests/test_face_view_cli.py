"""``main.py view`` and ``main.py face-animate``: one clear line without a checkpoint, a written file with one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gfla_checks import save_small_checkpoint

from core.cli import build_parser, run_cli

ROOT = Path(__file__).resolve().parents[1]
PORTRAIT = ROOT / "resources" / "portrait.png"


pytestmark = pytest.mark.usefixtures("weights_store")  # no test sees the user's imported weights


def _one_error_line(capsys, only: bool = False) -> str:
    """The single ``error: ...`` line on stderr (progress bars aside unless ``only``), with no traceback."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert not only or err.strip() == lines[0], err
    return lines[0]


def test_both_subcommands_are_listed() -> None:
    text = build_parser().format_help()
    assert "view" in text and "face-animate" in text


def test_view_without_a_checkpoint_names_the_file_and_where_to_put_it(tmp_path, capsys) -> None:
    out = tmp_path / "view.png"
    assert run_cli(["view", str(PORTRAIT), "--azimuth", "40", "--out", str(out)]) == 1
    line = _one_error_line(capsys, only=True)
    assert "needs the published ShapeNet checkpoint" in line
    assert "python main.py weights import PATH" in line and "weights/README.md" in line
    assert not out.exists()


def test_face_animate_asked_for_the_network_without_a_checkpoint_names_the_file(tmp_path, capsys) -> None:
    out = tmp_path / "face.mp4"
    argv = ["face-animate", "--image", str(PORTRAIT), "--driving", str(tmp_path / "x.mp4"), "--out", str(out),
            "--renderer", "network"]
    assert run_cli(argv) == 1
    line = _one_error_line(capsys, only=True)
    assert "needs the published face checkpoint" in line and "python main.py weights import PATH" in line
    assert not out.exists()


def test_face_animate_without_a_checkpoint_uses_the_mesh_warp_and_says_so(tmp_path, capsys) -> None:
    from core.export import probe_video
    from core.imageio_utils import load_image

    video = _driving_video(tmp_path / "driving.mp4", 3)
    out = tmp_path / "face.mp4"
    argv = ["face-animate", "--image", str(PORTRAIT), "--driving", str(video), "--out", str(out), "--frame", "portrait"]
    assert run_cli(argv) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    assert "needs the published face checkpoint" in captured.err and "landmark mesh warp" in captured.err
    assert "wrote 3 frames" in captured.out and "Landmark mesh warp" in captured.out
    h, w = load_image(PORTRAIT).shape[:2]  # even sides: H.264 keeps them as they are
    info = probe_video(out)
    assert info["frames"] == 3 and tuple(info["size"]) == (w, h)


def test_view_uses_the_imported_shapenet_weights_and_writes_the_view(tmp_path, monkeypatch, capsys) -> None:
    from core.weights_store import import_checkpoint

    ckpt = save_small_checkpoint("shapenet", tmp_path / "latest_net_G.pth", monkeypatch, seed=3)
    import_checkpoint(ckpt)  # into the (temporary) weights store
    out = tmp_path / "view.png"
    assert run_cli(["view", str(PORTRAIT), "--azimuth", "95", "--elevation", "12", "--out", str(out)]) == 0
    from core.imageio_utils import load_image

    assert load_image(out).shape == (256, 256, 3)
    said = capsys.readouterr().out
    assert "azimuth 100°, elevation 10°" in said and "nearest trained view" in said


def _driving_video(path: Path, frames: int) -> Path:
    from core.export import open_writer
    from core.imageio_utils import load_image

    portrait = load_image(PORTRAIT)
    h, w = portrait.shape[:2]
    with open_writer(path, 10, (w, h)) as writer:
        for i in range(frames):
            writer.append(np.ascontiguousarray(np.roll(portrait, (i, 2 * i), axis=(0, 1))))
    return path


def test_face_animate_writes_one_video_frame_per_driving_frame(tmp_path, monkeypatch, capsys) -> None:
    from core.export import probe_video

    ckpt = save_small_checkpoint("face", tmp_path / "latest_net_G.pth", monkeypatch, seed=3)
    video = _driving_video(tmp_path / "driving.mp4", 4)
    out = tmp_path / "face.mp4"
    argv = ["face-animate", "--image", str(PORTRAIT), "--driving", str(video), "--out", str(out),
            "--weights", str(ckpt), "--max-frames", "2", "--smooth", "oneeuro"]
    assert run_cli(argv) == 0, capsys.readouterr().err
    info = probe_video(out)
    assert info["frames"] == 2 and tuple(info["size"]) == (256, 256)
    captured = capsys.readouterr()
    assert "face found in 2 of 2 driving frames" in captured.err and "wrote 2 frames" in captured.out


def test_face_animate_says_when_the_driving_video_has_no_face(tmp_path, monkeypatch, capsys) -> None:
    from core.export import open_writer

    ckpt = save_small_checkpoint("face", tmp_path / "latest_net_G.pth", monkeypatch, seed=3)
    video = tmp_path / "empty.mp4"
    with open_writer(video, 10, (160, 120)) as writer:
        for _ in range(3):
            writer.append(np.full((120, 160, 3), 90, np.uint8))
    argv = ["face-animate", "--image", str(PORTRAIT), "--driving", str(video), "--out", str(tmp_path / "o.mp4"),
            "--weights", str(ckpt)]
    assert run_cli(argv) == 1
    assert "no face found in any frame" in _one_error_line(capsys)


def test_face_animate_refuses_a_checkpoint_of_another_network_before_tracking(tmp_path, monkeypatch, capsys) -> None:
    ckpt = save_small_checkpoint("shapenet", tmp_path / "car.pth", monkeypatch, seed=3)
    argv = ["face-animate", "--image", str(PORTRAIT), "--driving", str(tmp_path / "missing.mp4"),
            "--out", str(tmp_path / "o.mp4"), "--weights", str(ckpt)]
    assert run_cli(argv) == 1
    assert "car.pth is a shapenet checkpoint, not the face network" in _one_error_line(capsys, only=True)
