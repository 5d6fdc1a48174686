"""Project files round-trip, refuse damaged or newer files with a clear message, and autosave for recovery."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.animation.keyframes import Keyframe, Track
from core.errors import ProjectFileError
from core.project_file import (
    Project,
    RendererSettings,
    autosave,
    autosave_path,
    clear_recovery,
    find_recovery,
    load_project,
    save_project,
)
from core.skeleton import Pose


def _project(tmp_path: Path, referenced: bool) -> Project:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)
    photo = None
    if referenced:
        photo = tmp_path / "photos" / "me.png"
        photo.parent.mkdir()
        Image.fromarray(image).save(photo)
    source = Pose(rng.uniform(0, 30, (18, 2))).with_joint(16, None)
    kfs = (
        Keyframe(0, source, "ease"),
        Keyframe(12, source.with_joint(4, (3.25, 7.5)), "smooth"),
        Keyframe(30, source.with_joint(17, None), "hold"),
    )
    return Project(image, source, Track(kfs, 36, 12.5), photo, False, RendererSettings("w/pose.pth", "pose_fashion", "cpu"))


@pytest.mark.parametrize("referenced", [False, True])
def test_project_round_trips_with_embedded_or_referenced_photo(tmp_path: Path, referenced: bool) -> None:
    project = _project(tmp_path, referenced)
    path = save_project(project, tmp_path / "walk.gflaproj")
    doc = json.loads(path.read_text())
    assert doc["format"] == "gfla-pose-studio-project" and doc["version"] == 1
    assert ("png_base64" in doc["photo"]) != referenced
    if referenced:
        assert doc["photo"]["path"] == "photos/me.png" and len(doc["photo"]["sha256"]) == 64
    back = load_project(path)
    np.testing.assert_array_equal(back.image, project.image)
    assert back.source_pose == project.source_pose
    assert back.track == project.track
    assert [k.interp for k in back.track.keyframes] == ["ease", "smooth", "hold"]
    assert back.renderer == project.renderer
    assert back.warnings == []
    assert (back.photo_path is not None) == referenced


def test_an_unkeyed_canvas_pose_round_trips_in_a_version_2_file(tmp_path: Path) -> None:
    project = _project(tmp_path, referenced=False)
    project.canvas_pose = project.source_pose.with_joint(7, (1.5, 2.25)).with_joint(0, None)
    path = save_project(project, tmp_path / "edit.gflaproj")
    doc = json.loads(path.read_text())
    assert doc["version"] == 2 and len(doc["canvas_pose"]) == 18 and doc["canvas_pose"][0] is None
    back = load_project(path)
    assert back.canvas_pose == project.canvas_pose and back.track == project.track


def test_a_project_without_a_canvas_pose_stays_version_1_and_version_1_files_still_open(tmp_path: Path) -> None:
    path = save_project(_project(tmp_path, referenced=False), tmp_path / "keys.gflaproj")
    doc = json.loads(path.read_text())
    assert doc["version"] == 1 and "canvas_pose" not in doc
    assert load_project(path).canvas_pose is None


def test_a_version_1_reader_opens_a_canvas_pose_file_read_only_as_newer_not_as_damaged(tmp_path: Path, monkeypatch) -> None:
    import core.project_file as project_file

    project = _project(tmp_path, referenced=False)
    project.canvas_pose = project.source_pose.with_joint(7, (1.5, 2.25))
    path = save_project(project, tmp_path / "edit.gflaproj")
    monkeypatch.setattr(project_file, "FORMAT_VERSION", 1)  # what an older build checks against
    opened = load_project(path)
    assert opened.read_only and any("newer version (2; this one reads up to 1)" in w for w in opened.warnings)
    with pytest.raises(ProjectFileError, match="read-only: save it under another name"):
        save_project(opened, path)
    assert save_project(opened, tmp_path / "copy.gflaproj").is_file()


def test_a_changed_referenced_photo_is_reported_not_refused(tmp_path: Path) -> None:
    project = _project(tmp_path, referenced=True)
    path = save_project(project, tmp_path / "walk.gflaproj")
    Image.fromarray(np.zeros((40, 30, 3), np.uint8)).save(project.photo_path)
    assert any("changed" in w for w in load_project(path).warnings)


def test_a_missing_referenced_photo_gives_a_clear_error(tmp_path: Path) -> None:
    project = _project(tmp_path, referenced=True)
    path = save_project(project, tmp_path / "walk.gflaproj")
    project.photo_path.unlink()
    with pytest.raises(ProjectFileError, match="photo .* is missing"):
        load_project(path)


def _valid_doc(tmp_path: Path) -> dict:
    path = save_project(_project(tmp_path, referenced=False), tmp_path / "ok.gflaproj")
    return json.loads(path.read_text())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: "{ not json", "not valid JSON"),
        (lambda d: json.dumps([1, 2]), "not a GFLA Pose Studio project"),
        (lambda d: json.dumps({**d, "version": 5, "photo": {"width": 1}}), r"made by a newer version \(5\); this version reads up to 4"),
        (lambda d: json.dumps({**d, "layout": "face68"}), "source_pose has 18 points; a face68 project's poses have 68"),
        (lambda d: json.dumps({**d, "version": "one"}), "no valid format version"),
        (lambda d: json.dumps({**d, "fps": "fast"}), "fps"),
        (lambda d: json.dumps({**d, "length_frames": 0}), "length_frames"),
        (lambda d: json.dumps({**d, "source_pose": d["source_pose"][:5]}), "source_pose"),
        (lambda d: json.dumps({**d, "version": 2, "canvas_pose": d["source_pose"][:5]}), "canvas_pose"),
        (lambda d: json.dumps({**d, "keyframes": [{**d["keyframes"][0], "interp": "bouncy"}]}), "interp"),
        (lambda d: json.dumps({**d, "keyframes": [{**d["keyframes"][0], "frame": 99}]}), "beyond"),
        (lambda d: json.dumps({**d, "photo": {**d["photo"], "png_base64": "AAAA"}}), "photo .* damaged"),
    ],
)
def test_malformed_or_newer_files_give_project_file_error_and_change_nothing(tmp_path: Path, mutate, message) -> None:
    target = tmp_path / "bad.gflaproj"
    text = mutate(_valid_doc(tmp_path))
    target.write_text(text)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ProjectFileError, match=message):
        load_project(target)
    assert target.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_failed_save_leaves_the_previous_file(tmp_path: Path) -> None:
    path = save_project(_project(tmp_path, referenced=False), tmp_path / "walk.gflaproj")
    before = path.read_bytes()
    broken = _project(tmp_path, referenced=False)
    broken.renderer = RendererSettings(device="quantum")  # not a valid device: validation fails before writing
    with pytest.raises(ProjectFileError, match="device"):
        save_project(broken, path)
    assert path.read_bytes() == before


def test_autosave_is_offered_for_recovery_until_cleared(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GFLA_STUDIO_DATA", str(tmp_path / "data"))
    assert find_recovery() is None
    project = _project(tmp_path, referenced=True)
    written = autosave(project, origin=tmp_path / "walk.gflaproj")
    assert written == autosave_path() and written.is_relative_to(tmp_path / "data")
    found = find_recovery()
    assert found == written
    recovered = load_project(found)
    assert recovered.track == project.track
    assert recovered.origin == (tmp_path / "walk.gflaproj").resolve()
    np.testing.assert_array_equal(recovered.image, project.image)
    clear_recovery()
    assert find_recovery() is None


def test_a_face_project_keeps_its_68_landmark_keyframes_and_older_readers_refuse_it(tmp_path, monkeypatch):
    from core import project_file
    from core.keypoints import Keypoints

    rng = np.random.default_rng(7)
    marks = Keypoints(rng.uniform(10, 90, (68, 2)))
    track = Track(layout="face68", length_frames=30, fps=12).add(0, marks).add(29, marks.with_joint(57, (50.0, 95.5)), "ease")
    image = np.full((100, 100, 3), 90, np.uint8)
    project = Project(image, marks, track, canvas_pose=marks.with_joint(3, None))
    path = save_project(project, tmp_path / "face.gflaproj")
    raw = json.loads(path.read_text())
    assert raw["version"] == 3 and raw["layout"] == "face68"
    back = load_project(path)
    assert back.layout == "face68" and back.track == track and back.source_pose == marks
    assert isinstance(back.canvas_pose, Keypoints) and not back.canvas_pose.present[3]
    monkeypatch.setattr(project_file, "FORMAT_VERSION", 2)  # what the previous build checks against
    assert load_project(path).read_only
