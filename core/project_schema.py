"""The project file's schema: the pydantic models a ``.gflaproj`` document is checked against, its format
constants, and the embedded/referenced photo's encoding (PNG base64, sha256 of a referenced file)."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.errors import ProjectFileError
from core.keypoints import LAYOUT_POINTS, Layout

FORMAT_NAME = "gfla-pose-studio-project"
CANVAS_POSE_VERSION = 2  # the version that added ``canvas_pose``
LAYOUT_VERSION = 3  # the version that added ``layout`` (face projects)
PEOPLE_VERSION = 4  # the version that added ``people`` and ``selected_person`` (several people, hands, face)
InterpName = Literal["hold", "linear", "smooth", "ease"]
INTERP_NAMES: dict[str, InterpName] = {"hold": "hold", "linear": "linear", "smooth": "smooth", "ease": "ease"}

JointXY = tuple[float, float] | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhotoModel(_Model):
    png_base64: str | None = None  # the photo embedded as PNG
    path: str | None = None  # or referenced: relative to the project file when possible
    sha256: str | None = None  # of the referenced file's bytes, to notice a changed photo
    width: int = Field(gt=0)
    height: int = Field(gt=0)


class KeyframeModel(_Model):
    frame: int = Field(ge=0)
    pose: list[JointXY]  # as many points as the project's layout has (checked by ProjectModel)
    interp: InterpName = "linear"


class PersonModel(_Model):
    """One person of a several-people body project: the COCO-18 body and the optional parts (core.posedoc)."""

    body: list[JointXY]
    feet: list[JointXY] | None = None
    left_hand: list[JointXY] | None = None
    right_hand: list[JointXY] | None = None
    face: list[JointXY] | None = None
    hidden: bool = False


class RendererModel(_Model):
    checkpoint: str | None = None  # None = the embedded skeleton-warp renderer
    kind: str | None = None
    device: Literal["auto", "cpu", "cuda"] = "auto"


class ProjectModel(_Model):
    format: Literal["gfla-pose-studio-project"]
    version: int
    photo: PhotoModel
    layout: Layout = "body18"  # version 3
    source_pose: list[JointXY]
    keyframes: list[KeyframeModel] = []
    length_frames: int = Field(default=48, ge=1, le=1_000_000)
    fps: float = Field(default=24.0, gt=0, le=240)
    renderer: RendererModel = RendererModel()
    canvas_pose: list[JointXY] | None = None  # version 2
    people: list[PersonModel] | None = None  # version 4: every person (the selected one's body is the edited pose)
    selected_person: int | None = None  # version 4
    origin: str | None = None  # autosaves: the project file this recovery belongs to
    saved_at: float | None = None

    @field_validator("version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v < 1:
            raise ValueError(f"version must be 1 or more, got {v}")
        return v

    @model_validator(mode="after")
    def _point_counts(self) -> ProjectModel:
        n = LAYOUT_POINTS[self.layout]
        poses = [("source_pose", self.source_pose), ("canvas_pose", self.canvas_pose)]
        poses += [(f"keyframes.{i}.pose", k.pose) for i, k in enumerate(self.keyframes)]
        for where, pose in poses:
            if pose is not None and len(pose) != n:
                raise ValueError(f"{where} has {len(pose)} points; a {self.layout} project's poses have {n}")
        return self._people_check()

    def _people_check(self) -> ProjectModel:
        from core.posedoc import PART_SIZES

        for i, person in enumerate(self.people or []):
            for part, size in PART_SIZES.items():
                pts = getattr(person, part)
                if pts is not None and len(pts) != size:
                    raise ValueError(f"people.{i}.{part} has {len(pts)} points; it has {size}")
        if self.people is not None and not 0 <= (self.selected_person or 0) < len(self.people):
            raise ValueError(f"selected_person {self.selected_person} is not one of the {len(self.people)} people")
        return self


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def encode_png(image: np.ndarray) -> str:
    """An (H, W, 3) uint8 RGB image as base64 PNG text."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image[:, :, :3])).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def decode_png(data: str) -> np.ndarray:
    """The (H, W, 3) uint8 RGB image of base64 PNG text; ProjectFileError when it is damaged."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(base64.b64decode(data, validate=True))) as im:
            return np.asarray(im.convert("RGB"))
    except Exception as exc:  # noqa: BLE001 - any decoding failure means a damaged file
        raise ProjectFileError(f"the photo embedded in the project is damaged ({exc})") from exc


def load_photo_file(path: Path) -> np.ndarray:
    """A referenced photo's pixels, (H, W, 3) uint8 RGB."""
    from core.imageio_utils import load_image

    return np.asarray(load_image(path))
