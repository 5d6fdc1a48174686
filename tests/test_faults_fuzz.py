"""Fault catalogue, fuzzed readers: every reader of a user's file, fed random and mutated bytes and JSON, returns a
result or raises StudioError with a one-line message naming the file; nothing else escapes (Hypothesis).

Examples per reader are few and derandomised (the seed is fixed) so the whole file runs in a few seconds; the
known hostile inputs (huge integers, deep nesting) are pinned with @example so they are tried every run.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.errors import StudioError
from core.skeleton import Pose

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HUGE_INT = "1" + "0" * 400  # parses as an int, overflows a float
VERY_LONG_INT = "7" * 5000  # beyond Python's int-from-text limit
DEEP = "[" * 100_000 + "]" * 100_000

_json_leaf = (st.none() | st.booleans() | st.floats() | st.text(max_size=8)
              | st.integers(-(10**400), 10**400) | st.integers(-5, 5000))
json_values = st.recursive(_json_leaf, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c,
                                                                                             max_size=4), max_leaves=12)


def _check(reader: Callable[[Path], object], path: Path) -> None:
    """The property: a result, or StudioError whose message is one line and names the file."""
    try:
        reader(path)
    except StudioError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip(), message
        assert path.name in message, message


def _mutate(doc: object, data: st.DataObject) -> object:
    """``doc`` with one value somewhere inside replaced by random JSON, or one key removed."""
    if not isinstance(doc, dict | list) or not doc or data.draw(st.integers(0, 3)) == 0:
        return data.draw(json_values)
    if isinstance(doc, dict):
        key = data.draw(st.sampled_from(sorted(doc)))
        if data.draw(st.booleans()) and len(doc) > 1:
            return {k: v for k, v in doc.items() if k != key}
        return {**doc, key: _mutate(doc[key], data)}
    i = data.draw(st.integers(0, len(doc) - 1))
    return [*doc[:i], _mutate(doc[i], data), *doc[i + 1:]]


def _mutate_bytes(seed: bytes, data: st.DataObject) -> bytes:
    cut = data.draw(st.integers(0, len(seed)))
    how = data.draw(st.sampled_from(["truncate", "flip", "insert"]))
    if how == "truncate":
        return seed[:cut]
    if how == "flip" and cut < len(seed):
        return seed[:cut] + bytes([seed[cut] ^ data.draw(st.integers(1, 255))]) + seed[cut + 1:]
    return seed[:cut] + data.draw(st.binary(max_size=32)) + seed[cut:]


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


@pytest.fixture(scope="module")
def seeds(folder: Path) -> dict[str, bytes]:
    """One valid file of each kind, as bytes: the starting point of the mutations."""
    from core.animation.keyframes import Keyframe, Track
    from core.formats import write_pose_document
    from core.imageio_utils import save_image
    from core.pose_io import pose_to_annotation_row, write_annotation_csv, write_openpose_json
    from core.posedoc import Person, PoseDocument
    from core.project_file import Project, save_project

    rng = np.random.default_rng(1)
    pose = Pose(rng.uniform(0, 60, (18, 2)))
    out: dict[str, bytes] = {}
    write_openpose_json(folder / "s.json", pose, (64, 64))
    out["openpose"] = (folder / "s.json").read_bytes()
    write_pose_document(folder / "c.json", [PoseDocument((64, 64), (Person(pose),))] * 2, "comfyui")
    out["comfyui"] = (folder / "c.json").read_bytes()
    write_annotation_csv(folder / "a.csv", [pose_to_annotation_row(pose, "a.jpg")])
    out["csv"] = (folder / "a.csv").read_bytes()
    image = rng.integers(0, 255, (16, 12, 3), dtype=np.uint8)
    save_image(folder / "i.png", image)
    out["png"] = (folder / "i.png").read_bytes()
    track = Track((Keyframe(0, pose, "ease"), Keyframe(5, pose, "linear")), 8, 12.0)
    save_project(Project(image, pose, track), folder / "p.gflaproj")
    out["project"] = (folder / "p.gflaproj").read_bytes()
    entry = {"kind": "pose_fashion", "file": "pose_fashion/a.safetensors", "sha256": "0" * 64,
             "original_name": "a.pth", "imported": "2026-01-01T00:00:00+00:00"}
    out["manifest"] = json.dumps({"version": 1, "entries": [entry]}).encode()
    torch.save({"a.weight": torch.ones(3, 2), "b.bias": torch.zeros(2)}, folder / "w.pth")
    out["pth"] = (folder / "w.pth").read_bytes()
    return out


def _pose_readers() -> list[Callable[[Path], object]]:
    from core.formats import read_pose_documents
    from core.pose_io import list_people, openpose_canvas_size, read_openpose_json

    return [read_pose_documents, list_people, openpose_canvas_size, read_openpose_json]


@FUZZ
@given(data=st.data())
@example(data=None)
def test_pose_json_readers_survive_mutated_documents(folder, seeds, data) -> None:
    """case: pose JSON (OpenPose, ControlNet, ComfyUI) with values replaced, keys removed, huge integers, deep
    nesting | expected: a result or one-line PoseError naming the file | checks: Hypothesis, 150 documents"""
    path = folder / "fuzz pose.json"
    if data is None:  # the two inputs that used to escape as tracebacks
        texts = [seeds["openpose"].decode().replace("1.3", HUGE_INT, 1), DEEP,
                 seeds["openpose"].decode().replace("1.3", VERY_LONG_INT, 1),
                 json.dumps({"people": [{"pose_keypoints_2d": [int(HUGE_INT)] * 54}]})]
    else:
        seed = json.loads(seeds[data.draw(st.sampled_from(["openpose", "comfyui"]))])
        texts = [json.dumps(_mutate(seed, data))]
    for text in texts:
        path.write_text(text)
        for reader in _pose_readers():
            _check(reader, path)


@FUZZ
@given(data=st.data())
def test_every_reader_survives_random_and_mutated_bytes(folder, seeds, data) -> None:
    """case: random bytes and truncated/flipped/inserted bytes of a valid file, for every reader (pose JSON,
    annotation CSV, image, project, manifest, checkpoint) | expected: result or one-line StudioError naming the
    file | checks: Hypothesis, 150 byte strings per run"""
    from core.gfla.checkpoint import read_state_dict
    from core.imageio_utils import load_image
    from core.pose_io import read_annotation_csv
    from core.project_file import load_project

    readers: dict[str, tuple[str, Callable[[Path], object]]] = {
        "openpose": ("f.json", _pose_readers()[0]), "comfyui": ("f.json", _pose_readers()[1]),
        "csv": ("f.csv", read_annotation_csv), "png": ("f.png", load_image),
        "project": ("f.gflaproj", load_project), "pth": ("f.pth", read_state_dict),
        "manifest": ("manifest.json", lambda p: _read_manifest_in(p.parent)),
    }
    kind = data.draw(st.sampled_from(sorted(readers)))
    name, reader = readers[kind]
    blob = data.draw(st.binary(max_size=256)) if data.draw(st.booleans()) else _mutate_bytes(seeds[kind], data)
    sub = folder / f"bytes-{kind}"
    sub.mkdir(exist_ok=True)
    path = sub / name
    path.write_bytes(blob)
    _check(reader, path)


def _read_manifest_in(root: Path) -> object:
    """A damaged manifest never raises: it is rebuilt (the damaged copy is kept, then removed here)."""
    from core.weights_store import read_manifest

    manifest = read_manifest(root)
    for kept in root.glob("manifest.json.damaged-*"):
        kept.unlink()
    return manifest


@FUZZ
@given(data=st.data())
@example(data=None)
def test_project_reader_survives_mutated_documents(folder, seeds, data) -> None:
    """case: project file with values replaced, fields removed, huge numbers, deep nesting | expected: a project
    or one-line ProjectFileError naming the file | checks: Hypothesis, 150 documents"""
    from core.project_file import load_project

    path = folder / "fuzz project.gflaproj"
    seed = json.loads(seeds["project"])
    if data is None:
        texts = [json.dumps({**seed, "fps": 1}).replace('"fps": 1', f'"fps": {HUGE_INT}'), DEEP,
                 json.dumps({**seed, "keyframes": [{"frame": 0}] * 100_001})]
    else:
        texts = [json.dumps(_mutate(seed, data))]
    for text in texts:
        path.write_text(text)
        _check(load_project, path)


@FUZZ
@given(data=st.data())
def test_manifest_reader_always_returns_a_manifest(folder, seeds, data) -> None:
    """case: weights manifest with mutated JSON | expected: read, or rebuilt from the files (never an error) |
    checks: read_manifest returns for 150 mutated manifests"""
    root = folder / "weights-fuzz"
    root.mkdir(exist_ok=True)
    (root / "manifest.json").write_text(json.dumps(_mutate(json.loads(seeds["manifest"]), data)))
    assert _read_manifest_in(root) is not None


@settings(max_examples=8, deadline=None, derandomize=True, database=None)
@given(blob=st.binary(max_size=512))
@example(blob=b"this is text, not a video\n")
@example(blob=b"")
def test_video_reader_refuses_non_videos_with_one_line(folder, blob) -> None:
    """case: random bytes or text named .mp4 for motion import | expected: one-line MotionError naming the file |
    checks: Hypothesis, 8 byte strings plus text and empty"""
    from core.animation.motion_import import read_video_motion

    path = folder / "clip.mp4"
    path.write_bytes(blob)
    _check(lambda p: read_video_motion(p, detector=_NoDetector()), path)


class _NoDetector:
    name = "none"

    def detect(self, image: np.ndarray):
        from core.errors import NoPersonFound

        raise NoPersonFound("nobody")
