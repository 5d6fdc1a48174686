"""``python main.py animate`` renders projects and photo + motion pairs to files a player can read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core.animation.keyframes import Keyframe, Track
from core.animation.sequence import synthetic_person, synthetic_walk
from core.cli import run_cli
from core.export import probe_video
from core.imageio_utils import save_image
from core.pose_io import write_openpose_json
from core.project_file import Project, save_project

REPO = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401


@pytest.fixture()
def photo_and_motion(tmp_path: Path) -> tuple[Path, Path, Path]:
    image, pose = synthetic_person(64)
    photo = tmp_path / "photo.png"
    save_image(photo, image)
    photo_pose = tmp_path / "photo_pose.json"
    write_openpose_json(photo_pose, pose, (64, 64))
    poses = tmp_path / "poses"
    poses.mkdir()
    for i, p in enumerate(synthetic_walk(pose.transformed(3.0, (40, 10)), 9).sample()):  # bigger, elsewhere
        write_openpose_json(poses / f"frame_{i}.json", p)
    return photo, photo_pose, poses


def test_animate_photo_with_a_json_motion_writes_an_mp4(photo_and_motion, tmp_path: Path, capsys) -> None:
    photo, photo_pose, poses = photo_and_motion
    out = tmp_path / "out.mp4"
    code = run_cli(["animate", "--image", str(photo), "--poses", str(poses), "--photo-pose", str(photo_pose),
                    "--out", str(out), "--fps", "12", "--smooth", "savgol"])
    assert code == 0
    meta = probe_video(out)
    assert meta["frames"] == 9 and meta["size"] == (64, 64) and meta["fps"] == pytest.approx(12)
    assert "wrote 9 frames" in capsys.readouterr().out


def test_animate_a_saved_project_to_a_looping_gif(tmp_path: Path) -> None:
    image, pose = synthetic_person(64)
    track = Track((Keyframe(0, pose, "ease"), Keyframe(6, pose.transformed(1.0, (4, 0)), "hold")), 8, 10)
    project = save_project(Project(image, pose, track), tmp_path / "p.gflaproj")
    out = tmp_path / "anim.gif"
    assert run_cli(["animate", str(project), "--out", str(out)]) == 0
    with Image.open(out) as im:
        assert im.n_frames == 8 and im.size == (64, 64) and im.info["loop"] == 0


def test_animate_with_the_motion_network_denoiser(photo_and_motion, tmp_path: Path) -> None:
    photo, photo_pose, poses = photo_and_motion
    weights = tmp_path / "keypoint.pth"
    torch.save(torch.load(fixture_file("keypoint.pt"), weights_only=True)["state_dict"], weights)
    out = tmp_path / "frames"
    code = run_cli(["animate", "--image", str(photo), "--poses", str(poses), "--photo-pose", str(photo_pose),
                    "--out", str(out), "--smooth", "network", "--keypoint-weights", str(weights),
                    "--skeleton-beside", "--max-frames", "5"])
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 5
    with Image.open(out / names[0]) as im:
        assert im.size == (128, 64)


def test_animate_reports_usage_mistakes_as_one_line_errors(photo_and_motion, tmp_path: Path, capsys) -> None:
    photo, photo_pose, poses = photo_and_motion
    code = run_cli(["animate", "--image", str(photo), "--poses", str(poses), "--photo-pose", str(photo_pose),
                    "--out", str(tmp_path / "x.mp4"), "--smooth", "network"])
    assert code == 1
    assert "error: --smooth network needs --keypoint-weights" in capsys.readouterr().err
    code = run_cli(["animate", "--image", str(photo), "--poses", str(tmp_path / "nope"),
                    "--photo-pose", str(photo_pose), "--out", str(tmp_path / "x.mp4")])
    assert code == 1 and "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_cli(["animate", "--out", str(tmp_path / "x.mp4")])
    assert not (tmp_path / "x.mp4").exists()
    assert np.all([not p.name.startswith(".") for p in tmp_path.iterdir()])  # no temporary leftovers


def test_animate_renders_a_face_project_with_the_mesh_warp_when_there_is_no_face_checkpoint(tmp_path: Path, capsys,
                                                                                             monkeypatch) -> None:
    from core.detect.face_mesh import get_face_detector
    from core.imageio_utils import load_image
    from core.keypoints import Keypoints

    monkeypatch.setenv("GFLA_WEIGHTS_DIR", str(tmp_path / "no_weights"))
    portrait = load_image(Path(__file__).resolve().parents[1] / "resources" / "portrait.png")
    marks = Keypoints(get_face_detector().detect(portrait).landmarks)
    opened = marks.copy_array()
    opened[[55, 56, 57, 58, 59, 65, 66, 67], 1] += 12  # the lower lip down: the mouth opens
    track = Track(layout="face68", length_frames=6, fps=6).add(0, marks).add(5, opened)
    project = tmp_path / "face.gflaproj"
    save_project(Project(portrait, marks, track), project)
    out = tmp_path / "face.gif"
    assert run_cli(["animate", str(project), "--out", str(out)]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "needs the published face checkpoint" in err and "renderer: Landmark mesh warp" in err
    assert probe_video(out)["frames"] == 6
