"""Fault catalogue, project files: truncated, newer, missing fields, missing or escaping photo paths, huge counts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.animation.keyframes import Keyframe, Track
from core.animation.sequence import synthetic_person
from core.errors import ProjectFileError, StudioError
from core.project_file import FORMAT_VERSION, MAX_KEYFRAMES, Project, load_project, save_project


def _saved(tmp_path: Path, referenced: bool = False) -> tuple[Path, dict]:
    image, pose = synthetic_person(48)
    photo = None
    if referenced:
        photo = tmp_path / "photos" / "me.png"
        photo.parent.mkdir(exist_ok=True)
        Image.fromarray(image).save(photo)
        (tmp_path / "proj").mkdir()
    track = Track((Keyframe(0, pose, "ease"), Keyframe(9, pose.transformed(1.0, (3, 0)))), 12, 12)
    path = save_project(Project(image, pose, track, photo), tmp_path / "proj" / "walk.gflaproj") if referenced else \
        save_project(Project(image, pose, track), tmp_path / "walk.gflaproj")
    return path, json.loads(path.read_text())


def _one_line_error(path: Path, match: str) -> str:
    with pytest.raises(ProjectFileError, match=match) as info:
        load_project(path)
    message = str(info.value)
    assert "\n" not in message and path.name in message
    return message


@pytest.mark.parametrize("keep", [0.0, 0.3, 0.97])
def test_a_truncated_project_names_the_file_and_where_it_stops(tmp_path: Path, keep: float) -> None:
    """case: truncated project file (interrupted copy) | expected: one-line error naming the file and the line |
    checks: cut at 0 %, 30 % and 97 % of the bytes"""
    path, _ = _saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    _one_line_error(path, r"not valid JSON \(line \d+, column \d+")


def test_a_newer_version_opens_read_only_with_a_warning_and_refuses_to_overwrite(tmp_path: Path) -> None:
    """case: project from a newer version whose known fields still validate | expected: opens read-only with a
    warning; saving over it refused, Save As allowed | checks: warnings, read_only, both saves"""
    path, doc = _saved(tmp_path)
    path.write_text(json.dumps({**doc, "version": FORMAT_VERSION + 1, "lighting": {"studio": True}}))
    before = path.read_bytes()
    project = load_project(path)
    assert project.read_only and any("newer version" in w and "read-only" in w for w in project.warnings)
    with pytest.raises(ProjectFileError, match="save it under another name"):
        save_project(project, path)
    assert path.read_bytes() == before
    assert not load_project(save_project(project, tmp_path / "copy.gflaproj")).read_only


def test_a_newer_version_that_cannot_be_read_is_refused_naming_both_versions(tmp_path: Path) -> None:
    """case: project from a newer version with a changed structure | expected: refused, both versions named |
    checks: source_pose turned into an object"""
    path, doc = _saved(tmp_path)
    path.write_text(json.dumps({**doc, "version": FORMAT_VERSION + 4, "source_pose": {"joints": []}}))
    _one_line_error(path, rf"newer version \({FORMAT_VERSION + 4}\); this version reads up to {FORMAT_VERSION}")


@pytest.mark.parametrize("field", ["photo", "source_pose", "format", "version"])
def test_a_missing_field_is_named(tmp_path: Path, field: str) -> None:
    """case: a required field missing | expected: one-line error naming the field (or the marker) | checks:
    photo, source_pose, format, version removed in turn"""
    path, doc = _saved(tmp_path)
    path.write_text(json.dumps({k: v for k, v in doc.items() if k != field}))
    expected = {"format": "format marker", "version": "no valid format version"}.get(field, field)
    _one_line_error(path, expected)


def test_a_missing_photo_and_one_outside_the_folder_are_named(tmp_path: Path) -> None:
    """case: referenced photo missing, or its path climbing out of the project folder with `..` | expected: the
    resolved path named, outside-folder paths said so | checks: deleted photo; '../../elsewhere/x.png'"""
    path, doc = _saved(tmp_path, referenced=True)
    (tmp_path / "photos" / "me.png").unlink()
    message = _one_line_error(path, "photo of walk.gflaproj is missing")
    assert str(tmp_path / "photos" / "me.png") in message and "outside the project folder" in message
    doc["photo"]["path"] = "../../elsewhere/x.png"
    path.write_text(json.dumps(doc))
    message = _one_line_error(path, "is missing")
    assert "'../../elsewhere/x.png' points outside the project folder" in message


def test_a_photo_path_to_something_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    """case: the photo path names a text file | expected: one-line error naming it | checks: ImageLoadError text"""
    path, doc = _saved(tmp_path, referenced=True)
    fake = tmp_path / "proj" / "notes.png"
    fake.write_text("not an image")
    doc["photo"] = {**doc["photo"], "path": "notes.png", "sha256": None}
    path.write_text(json.dumps(doc))
    with pytest.raises(StudioError, match="notes.png") as info:
        load_project(path)
    assert "\n" not in str(info.value)


def test_huge_keyframe_counts_and_lengths_are_refused_with_the_limit(tmp_path: Path) -> None:
    """case: huge keyframe count or length | expected: refused with the limit in the message | checks:
    MAX_KEYFRAMES + 1 keyframes; length_frames of 10**9"""
    path, doc = _saved(tmp_path)
    path.write_text(json.dumps({**doc, "keyframes": [{"frame": 0}] * (MAX_KEYFRAMES + 1)}))
    _one_line_error(path, f"{MAX_KEYFRAMES + 1} keyframes; the limit is {MAX_KEYFRAMES}")
    path.write_text(json.dumps({**doc, "length_frames": 10**9}))
    _one_line_error(path, "length_frames")


def test_a_pose_with_a_huge_number_or_deep_nesting_is_refused_with_the_limit(tmp_path: Path) -> None:
    """case: a coordinate of 400 digits, or the document nested 100,000 deep | expected: one-line error with the
    limit (no OverflowError/RecursionError) | checks: both texts"""
    path, doc = _saved(tmp_path)
    text = json.dumps(doc).replace(str(doc["source_pose"][0][0]), "1" + "0" * 400, 1)
    path.write_text(text)
    message = _one_line_error(path, "damaged|limit")
    assert len(message) < 400
    path.write_text("[" * 100_000 + "]" * 100_000)
    _one_line_error(path, "nested more than 64 levels")
    assert np.isfinite(load_project(save_project(Project(*synthetic_person(16), Track()), path)).track.fps)
