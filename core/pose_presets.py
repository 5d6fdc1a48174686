"""Named pose presets: the bundled library (resources/poses/*.json) and the user's own (saved in the data folder).

A preset is an OpenPose JSON file with one COCO-18 person. Applying one fits it onto a person the way the editor
fits any pose from another frame (core.animation.retarget: body-segment lengths and the hips/ankles anchor), so a
preset keeps the person's size and place. Saving writes atomically (core.pose_io.write_openpose_json).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.animation.retarget import retarget
from core.errors import PoseError
from core.pose_io import read_openpose_json, write_openpose_json
from core.skeleton import Pose

BUNDLED_DIR = Path(__file__).resolve().parents[1] / "resources" / "poses"
USER_SUBDIR = "poses"
PRESET_CANVAS = (512, 512)


@dataclass(frozen=True)
class Preset:
    """One preset file: its display name, path and whether the user saved it."""

    name: str
    path: Path
    user: bool = False


def title_of(stem: str) -> str:
    """The display name of a preset file stem: 't_pose' → 'T pose', 'arms_up' → 'Arms up'."""
    words = stem.replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize() if words else stem


def stem_of(name: str) -> str:
    """A safe file stem for a preset called ``name``; PoseError when nothing usable is left."""
    stem = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not stem:
        raise PoseError(f"a preset name needs letters or digits, got {name!r}")
    return stem[:60]


def user_dir() -> Path:
    """Where the user's presets live: <data folder>/poses ($GFLA_STUDIO_DATA overrides the data folder)."""
    from core.project_file import data_dir

    return data_dir() / USER_SUBDIR


def list_presets(bundled: Path = BUNDLED_DIR, user: Path | None = None) -> list[Preset]:
    """The bundled presets by name, then the user's (a user preset never hides a bundled one of the same name)."""
    found = [Preset(title_of(p.stem), p) for p in sorted(bundled.glob("*.json"))]
    folder = user_dir() if user is None else user
    if folder.is_dir():
        found += [Preset(title_of(p.stem), p, user=True) for p in sorted(folder.glob("*.json"))]
    return found


def load_preset(preset: Preset | str | os.PathLike) -> Pose:
    """The preset's pose in its own frame; PoseError naming the file when it is not a one-person pose file."""
    path = preset.path if isinstance(preset, Preset) else Path(preset)
    return read_openpose_json(path, person=0)


def fit_preset(pose: Pose, person: Pose) -> Pose:
    """``pose`` scaled and placed onto ``person`` (its bone lengths and anchor); as it is when ``person`` is empty."""
    if int(person.present.sum()) < 2:
        return pose
    return Pose(retarget(np.asarray(pose.xy)[None], person)[0])


def save_preset(name: str, pose: Pose, canvas: tuple[int, int], folder: Path | None = None) -> Preset:
    """Write ``pose`` as the user preset ``name`` (atomically; an older one of that name is replaced)."""
    if not pose.present.any():
        raise PoseError("the pose has no joints to save as a preset")
    folder = user_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem_of(name)}.json"
    write_openpose_json(path, pose, canvas_size=canvas)
    return Preset(title_of(path.stem), path, user=True)
