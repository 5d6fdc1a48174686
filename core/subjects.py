"""What the editor edits, as data: one Subject record per kind (body, face, object view) configures the one window.

A Subject says which point layout the canvas draws and the session types its points by, what finds the
points in a photo, what renders them, when previews and settled renders happen, which files it reads and
writes, and the texts the window shows for it. Nothing here imports Qt, the app or a network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.face.layout import FACE68, KeypointLayout, body_layout

SubjectKind = Literal["body", "face", "view"]
PREVIEW_SIDE = 768  # long side (px) of the bounded copy that drag previews are made on


@dataclass(frozen=True)
class FileFormat:
    """One kind of file a subject reads or writes: a dialog filter and the default name's ending."""

    name: str
    filter: str  # a Qt file-dialog filter, e.g. "Landmarks JSON (*.json);;All files (*)"
    suffix: str  # appended to the photo's stem for a default file name, e.g. "_landmarks.json"


@dataclass(frozen=True)
class RenderPolicy:
    """When the result is made: a quick preview on a bounded copy while dragging, the full render on release."""

    preview_side: int = PREVIEW_SIDE
    preview_every_move: bool = True
    settle_on_release: bool = True
    needs_every_point: bool = False  # the renderer refuses a point set with hidden points (the face networks)


@dataclass(frozen=True)
class Subject:
    """Everything that differs between editing a body, a face and an object view."""

    kind: SubjectKind
    title: str  # the mode's tab, e.g. "Body"
    layout: KeypointLayout | None  # None: no points to drag (the object view)
    point_noun: str  # "joint", "landmark"
    detector: str  # what finds the points: a core.detect backend name
    renderer: str  # which renderer family draws it (core.render): "pose", "face", "view"
    checkpoint_kind: str | None  # the weights-store kind it needs (None: any pose checkpoint or the warp)
    policy: RenderPolicy
    points_file: FileFormat | None  # the point set on its own
    result_file: FileFormat
    project_layout: str | None  # core.project_file layout name ("body18", "face68"); None: no projects
    recovery_name: str  # the autosave file's name (core.project_file.autosave_path)
    title_suffix: str  # window title after the file's name
    open_text: str  # the Open action
    photo_header: str  # the canvas pane's title
    empty_text: str  # the canvas before a photo is open
    hint: str  # the one line shown above the panes

    @property
    def n_points(self) -> int:
        return 0 if self.layout is None else self.layout.size


IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
RESULT_FILE = FileFormat("result image", "PNG image (*.png);;JPEG image (*.jpg *.jpeg)", ".png")

BODY = Subject(
    kind="body", title="Body", layout=body_layout(), point_noun="joint", detector="mediapipe", renderer="pose",
    checkpoint_kind=None, policy=RenderPolicy(),
    points_file=FileFormat("OpenPose JSON", "OpenPose JSON (*.json);;All files (*)", "_pose.json"),
    result_file=RESULT_FILE, project_layout="body18", recovery_name="autosave", title_suffix="GFLA Pose Studio",
    open_text="Open Photo…", photo_header="Photo — drag the coloured joints",
    empty_text="Open a photo of a person (Ctrl+O)",
    hint="Drag a coloured joint to re-pose the person · the result appears on the right",
)

FACE = Subject(
    kind="face", title="Face", layout=FACE68, point_noun="landmark", detector="face_mesh", renderer="face",
    checkpoint_kind="face", policy=RenderPolicy(needs_every_point=True),
    points_file=FileFormat("Landmarks JSON", "Landmarks JSON (*.json);;All files (*)", "_landmarks.json"),
    result_file=FileFormat("result image", RESULT_FILE.filter, "_face.png"),
    project_layout="face68", recovery_name="face-autosave", title_suffix="Face Mode — GFLA Pose Studio",
    open_text="Open Portrait…", photo_header="Portrait — drag the landmarks",
    empty_text="Open a portrait (Ctrl+O): one face, roughly frontal",
    hint=("Drag a landmark; Shift+drag moves its whole part: pull the lower lip down to open the mouth, lift a "
          "brow, move the nose and jaw to turn the head. Right-click hides or restores one · arrows nudge · "
          "M mirrors · Ctrl+Z undoes · K keys the landmarks on the timeline."),
)

VIEW = Subject(
    kind="view", title="Object View", layout=None, point_noun="view", detector="", renderer="view",
    checkpoint_kind="shapenet", policy=RenderPolicy(preview_every_move=False),
    points_file=None, result_file=FileFormat("result image", RESULT_FILE.filter, "_view.png"),
    project_layout=None, recovery_name="", title_suffix="Novel View — GFLA Pose Studio",
    open_text="Open Photo…", photo_header="Photo of a car or chair", empty_text="Open a photo of a car or chair",
    hint="Turn the azimuth and elevation sliders; the nearest trained view is rendered.",
)

SUBJECTS: dict[str, Subject] = {s.kind: s for s in (BODY, FACE, VIEW)}


def subject_for_layout(layout_name: str) -> Subject:
    """The subject whose projects have ``layout_name`` ("body18", "face68"); KeyError for any other."""
    for subject in SUBJECTS.values():
        if subject.project_layout == layout_name:
            return subject
    raise KeyError(f"no subject edits {layout_name!r} projects")
