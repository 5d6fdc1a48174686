"""The versioned project file (JSON): photo (embedded PNG or referenced path + sha256), source pose,
keyframes with their interpolation, length, fps and renderer settings; atomic save, autosave, recovery.

A file is checked in two steps: its ``format`` and ``version`` first (a newer version is refused with a
message naming both versions), then the whole document against pydantic models. Loading never changes
anything on disk; saving goes through core.atomic, so the previous file survives a failed save.
Poses are stored as 18 ``[x, y]`` pairs in photo pixels, ``null`` for a missing joint.

Versions. The models forbid unknown fields, so a reader refuses any field it does not know as damage;
a new field therefore needs a new version, and ``version`` is the lowest format version that can read
the file. Version 2 added ``canvas_pose``: the pose on the canvas when it is not the keyed one (an
edit not yet keyed, or the only edit of a project without keyframes). A file is written as version 2
only when it carries a canvas pose, else as version 1, so such files still open in version-1 readers;
this version reads both. A version-1 reader shown a version-2 file says it was made by a newer version.
Version 3 added ``layout``: "face68" for face mode's animations, whose poses are 68 face landmarks
(core.face.layout); body projects (``layout`` "body18", left out) keep the version they had.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
from pydantic import ValidationError

from core.animation.keyframes import Keyframe, Points, Track
from core.atomic import clean_stale_temps, write_text_atomic
from core.errors import ProjectFileError, StudioError
from core.people import PeopleState
from core.project_points import people_from_model, person_model, pose_from_json, pose_to_json
from core.project_schema import (
    CANVAS_POSE_VERSION,
    FORMAT_NAME,
    INTERP_NAMES,
    LAYOUT_VERSION,
    PEOPLE_VERSION,
    KeyframeModel,
    Layout,
    PhotoModel,
    ProjectModel,
    RendererModel,
    decode_png,
    encode_png,
    load_photo_file,
    sha256_of,
)
from core.safe_json import loads_limited, read_limited

FORMAT_VERSION = 4  # the newest version this module reads and writes
MAX_KEYFRAMES = 100_000  # far beyond any animation a person keys by hand
MAX_PROJECT_BYTES = 512 * 2**20  # an embedded photo of the largest supported size, as PNG, with room to spare
SUFFIX = ".gflaproj"
DATA_ENV = "GFLA_STUDIO_DATA"
APP_DIR = "gfla-pose-studio"

@dataclass
class RendererSettings:
    checkpoint: str | None = None
    kind: str | None = None
    device: str = "auto"


@dataclass
class Project:
    """A project in memory: the photo pixels, where they came from, the poses and settings."""

    image: np.ndarray  # (H, W, 3) uint8 RGB
    source_pose: Points  # the detected pose: a body Pose, or face Keypoints when the track is a face's
    track: Track
    photo_path: Path | None = None  # set → referenced (unless embed_photo); None → embedded
    embed_photo: bool = False
    renderer: RendererSettings = field(default_factory=RendererSettings)
    warnings: list[str] = field(default_factory=list)  # found while loading (e.g. the photo changed)
    origin: Path | None = None  # for a recovered autosave: the file it was saved for
    canvas_pose: Points | None = None  # the pose on the canvas when it is not a keyed one (None: nothing to restore)
    people: PeopleState | None = None  # several people, hands or face (None: just the one body of the poses)
    read_only: bool = False  # made by a newer version: saving must not overwrite the file it came from
    loaded_from: Path | None = None  # the file load_project read

    @property
    def layout(self) -> Layout:
        """"body18", or "face68" for a face-mode project (its poses are 68 landmarks)."""
        return cast(Layout, self.track.layout)  # a Track's layout is one of LAYOUT_POINTS


def project_to_json(project: Project, path: str | os.PathLike | None = None, origin: str | None = None) -> str:
    """The JSON text for ``project``; ``path`` (where it will be saved) makes photo references relative."""
    try:
        return _to_model(project, path, origin).model_dump_json(indent=1, exclude_none=True)
    except ValidationError as exc:
        raise ProjectFileError(f"cannot save the project: {_describe(exc)}") from exc


def _to_model(project: Project, path: str | os.PathLike | None, origin: str | None) -> ProjectModel:
    h, w = project.image.shape[:2]
    photo = PhotoModel(width=w, height=h)
    if project.photo_path is None or project.embed_photo:
        photo.png_base64 = encode_png(project.image)
    else:
        ref = Path(project.photo_path).resolve()
        photo.sha256 = sha256_of(ref)
        photo.path = str(ref)
        if path is not None:
            try:
                photo.path = os.path.relpath(ref, Path(path).resolve().parent)
            except ValueError:  # another drive on Windows
                pass
    canvas = None if project.canvas_pose is None else pose_to_json(project.canvas_pose)
    layout = project.layout
    version = LAYOUT_VERSION if layout != "body18" else CANVAS_POSE_VERSION if canvas is not None else 1
    people = None if project.people is None else [person_model(p, h) for p, h in
                                                  zip(project.people.people, project.people.hidden, strict=True)]
    version = PEOPLE_VERSION if people is not None else version
    return ProjectModel(
        format=FORMAT_NAME,
        version=version,  # the lowest version that reads it
        layout=layout,
        photo=photo,
        source_pose=pose_to_json(project.source_pose),
        canvas_pose=canvas,
        people=people,
        selected_person=None if project.people is None else project.people.selected,
        keyframes=[KeyframeModel(frame=k.frame, pose=pose_to_json(k.pose), interp=INTERP_NAMES[k.interp]) for k in project.track.keyframes],
        length_frames=project.track.length_frames,
        fps=project.track.fps,
        renderer=RendererModel(**vars(project.renderer)),
        origin=origin,
        saved_at=time.time(),
    )


def save_project(project: Project, path: str | os.PathLike) -> Path:
    """Write the project atomically (a failed save leaves the old file as it was). A project opened read-only
    (made by a newer version) is refused over the file it came from, so a newer version's fields are not lost."""
    target = Path(path)
    if project.read_only and project.loaded_from is not None and target.resolve() == project.loaded_from:
        raise ProjectFileError(f"{target.name} was made by a newer version and is open read-only: save it under another name")
    write_text_atomic(target, project_to_json(project, target))
    return target


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:4]:
        where = ".".join(str(p) for p in e["loc"]) or "the file"
        parts.append(f"{where}: {e['msg']}")
    more = f" (and {err.error_count() - 4} more)" if err.error_count() > 4 else ""
    return "; ".join(parts) + more


def parse_project(text: str | bytes, base_dir: Path | None = None, name: str = "the project") -> Project:
    """A Project from JSON text; ProjectFileError for anything malformed or newer than this version."""
    raw = loads_limited(text, name, ProjectFileError)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        raise ProjectFileError(f"{name} is not a GFLA Pose Studio project (no '{FORMAT_NAME}' format marker)")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProjectFileError(f"{name} has no valid format version (got {version!r})")
    keyframes = raw.get("keyframes")
    if isinstance(keyframes, list) and len(keyframes) > MAX_KEYFRAMES:
        raise ProjectFileError(f"{name} has {len(keyframes)} keyframes; the limit is {MAX_KEYFRAMES}")
    newer = version > FORMAT_VERSION
    if newer:
        raw = _known_fields_of_newer(raw, name, version)
    try:
        model = ProjectModel.model_validate(raw)
    except ValidationError as exc:
        if newer:
            raise ProjectFileError(
                f"{name} was made by a newer version ({version}); this version reads up to {FORMAT_VERSION}"
            ) from exc
        raise ProjectFileError(f"{name} is damaged: {_describe(exc)}") from exc
    project = _project_from_model(model, base_dir or Path.cwd(), name)
    if newer:
        project.read_only = True
        project.warnings.append(
            f"{name} was made by a newer version ({version}; this one reads up to {FORMAT_VERSION}): opened "
            "read-only, save it under another name (what only the newer version knows is dropped)"
        )
    return project


def _known_fields_of_newer(raw: dict, name: str, version: int) -> dict:
    """A newer file's fields this version knows, with its version lowered so that the models accept it."""
    known = set(ProjectModel.model_fields)
    return {**{k: v for k, v in raw.items() if k in known}, "version": FORMAT_VERSION}


def _project_from_model(model: ProjectModel, base_dir: Path, name: str) -> Project:
    photo, warnings = model.photo, []
    if photo.png_base64 is not None:
        image, photo_path = decode_png(photo.png_base64), None
    elif photo.path is not None:
        photo_path = (base_dir / photo.path).resolve()
        if not photo_path.is_file():
            outside = "" if photo_path.is_relative_to(base_dir.resolve()) else (
                f" (photo.path {photo.path!r} points outside the project folder)")
            raise ProjectFileError(f"the photo of {name} is missing: {photo_path}{outside} (move it back or re-link it)")
        if photo.sha256 and sha256_of(photo_path) != photo.sha256:
            warnings.append(f"the photo {photo_path.name} changed since the project was saved")
        image = load_photo_file(photo_path)
    else:
        raise ProjectFileError(f"{name} is damaged: the photo is neither embedded nor referenced")
    if image.shape[:2] != (photo.height, photo.width):
        warnings.append(f"the photo is {image.shape[1]}×{image.shape[0]}, the project expected {photo.width}×{photo.height}")
    try:
        track = Track(
            tuple(Keyframe(k.frame, pose_from_json(k.pose, model.layout), k.interp) for k in model.keyframes),
            length_frames=model.length_frames,
            fps=model.fps,
            layout=model.layout,
        )
        source = pose_from_json(model.source_pose, model.layout)
        canvas = None if model.canvas_pose is None else pose_from_json(model.canvas_pose, model.layout)
        people = people_from_model(model)
    except StudioError as exc:
        raise ProjectFileError(f"{name} is damaged: {exc}") from exc
    renderer = RendererSettings(**model.renderer.model_dump())
    origin = Path(model.origin) if model.origin else None
    return Project(image, source, track, photo_path, False, renderer, warnings, origin, canvas, people)


def load_project(path: str | os.PathLike) -> Project:
    """Read a project file; ProjectFileError with a plain message when it cannot be used."""
    p = Path(path)
    data = read_limited(p, str(p), ProjectFileError, MAX_PROJECT_BYTES)
    project = parse_project(data, p.resolve().parent, p.name)
    project.loaded_from = p.resolve()
    return project


# ----- autosave and crash recovery -------------------------------------------------------------
def data_dir() -> Path:
    """Per-user data folder ($GFLA_STUDIO_DATA overrides it, e.g. for tests)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / APP_DIR
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / APP_DIR


def autosave_path(name: str = "autosave") -> Path:
    """The recovery file ``name`` (one per kind of window: "autosave" for the body editor, "face-autosave")."""
    return data_dir() / "recovery" / f"{name}{SUFFIX}"


def autosave(project: Project, origin: str | os.PathLike | None = None, name: str = "autosave") -> Path:
    """Write the recovery file (photo referenced by absolute path when it has one, else embedded)."""
    target = autosave_path(name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProjectFileError(f"cannot create the recovery folder {target.parent}: {exc.strerror or exc}") from exc
    origin_str = str(Path(origin).resolve()) if origin is not None else None
    write_text_atomic(target, project_to_json(project, None, origin=origin_str))
    return target


def find_recovery(name: str = "autosave") -> Path | None:
    """The recovery file left by a session that did not close cleanly, if any (called at start-up: it also removes
    the temporary files of autosaves whose process was killed mid-write)."""
    p = autosave_path(name)
    if p.parent.is_dir():
        clean_stale_temps(p.parent)
    return p if p.is_file() and p.stat().st_size > 0 else None


def clear_recovery(name: str = "autosave") -> None:
    """Forget the recovery file (after a clean exit, or when the user declines it)."""
    p = autosave_path(name)
    try:
        p.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ProjectFileError(f"cannot remove the recovery file {p}: {exc.strerror or exc}") from exc
