"""Face mode's files and framing: the portrait to open (and the box the canvas opens zoomed on), the result image,
the landmarks JSON and the face checkpoint import,
each behind one dialog helper (app.file_ops) and reporting to the page's banner and status bar."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from app.canvas import Keypoints
from app.file_ops import ask_file, try_write
from app.jobs import Job
from app.worker import user_message
from core.subjects import FACE, IMAGE_FILTER

if TYPE_CHECKING:
    from app.face.window import FacePage

CHECKPOINT_FILTER = "Checkpoints (*.pth *.pt *.safetensors);;All files (*)"
CHECKPOINT_TEXT = ("Results come from the landmark mesh warp (no checkpoint). For the GFLA face network, import "
                   "latest_net_G.pth from the published face_checkpoints with File ▸ Import Face Checkpoint… "
                   "(or `python main.py weights import PATH`; see weights/README.md).")
FACE_VIEW_SCALE = 1.9  # the canvas opens zoomed on the face: this many times its size


def face_view_box(landmarks: np.ndarray, scale: float = FACE_VIEW_SCALE) -> tuple[float, float, float, float]:
    """A square around the landmarks, ``scale`` times their larger side, raised a little to show the forehead."""
    lo, hi = np.nanmin(landmarks, axis=0), np.nanmax(landmarks, axis=0)
    side = scale * float(max(hi - lo))
    cx, cy = (lo + hi) / 2.0 - np.array([0.0, 0.1 * float(hi[1] - lo[1])])
    return cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2


def _stem(page: FacePage) -> str:
    return os.path.join(page.folder, os.path.splitext(os.path.basename(page.document.path or "face"))[0])


def ask_portrait(page: FacePage) -> str:
    """The portrait chosen in an Open dialog ('' when cancelled); its folder becomes the page's folder."""
    path = ask_file(page, "Open a portrait", page.folder, IMAGE_FILTER)
    if path:
        page.folder = os.path.dirname(path)
    return path


def save_result(page: FacePage, path: str) -> bool:
    """Write the shown result image (PNG or JPEG, atomically)."""
    from core.imageio_utils import save_image

    result = page.last_result
    if result is None:
        page.banner.show_info("There is no rendered result to save yet.")
        return False
    return try_write(page.banner, page.show_status, lambda: save_image(path, result.image), path)


def save_landmarks(page: FacePage, path: str) -> bool:
    """Write the landmarks as JSON (app.face.files; atomically)."""
    from app.face.files import write_landmarks

    doc = page.document
    if not doc.has_photo:
        return False
    name = os.path.basename(doc.path or "")
    return try_write(page.banner, page.show_status, lambda: write_landmarks(path, doc.pose.xy, doc.size, name), path)


def load_landmarks(page: FacePage, path: str) -> bool:
    """Apply landmarks from a JSON file as one undo step (scaled when saved for another image size)."""
    from app.face.files import read_landmarks

    if not page.document.has_photo:
        return False
    try:
        xy = read_landmarks(path, page.document.size)
    except Exception as exc:
        page.banner.show_error(f"Could not apply {os.path.basename(path)}: {user_message(exc)}")
        return False
    page.document.commit(Keypoints(xy), "Apply landmarks from file")
    return True


def import_checkpoint(page: FacePage, path: str) -> Job | None:
    """Check ``path`` strictly as the face network and import it into the weights store (in the worker); the face is
    then rendered with it."""
    from core.weights_store import import_checkpoint as store_import

    name = os.path.basename(path)
    job = Job("Importing the face checkpoint", lambda _res: store_import(path, kind="face"))
    job.finished.connect(lambda _entry: (page.banner.show_info(
        f"Imported {name}: the GFLA face network renders the face from now on."), page.request_render()))
    job.failed.connect(lambda msg: page.banner.show_error(f"Could not import {name}: {msg}"))
    if not page.jobs.start_long(job):
        page.banner.show_info("Another long job is running; wait for it or cancel it first.")
        return None
    page.show_status(f"Checking {name}…", 6000)
    return job


def dialog_actions(page: FacePage) -> dict[str, Callable[[], None]]:
    """The File menu's dialog entries of face mode, by name."""
    assert FACE.points_file is not None
    points = FACE.points_file

    def save_result_dialog() -> None:
        path = ask_file(page, "Save the result image", _stem(page) + FACE.result_file.suffix, FACE.result_file.filter,
                        save=True)
        if path:
            save_result(page, path)

    def save_landmarks_dialog() -> None:
        path = ask_file(page, "Save the landmarks", _stem(page) + points.suffix, points.filter, save=True)
        if path:
            save_landmarks(page, path)

    def load_landmarks_dialog() -> None:
        path = ask_file(page, "Apply landmarks from a file", page.folder, points.filter)
        if path:
            load_landmarks(page, path)

    def import_checkpoint_dialog() -> None:
        path = ask_file(page, "Import the face checkpoint", page.folder, CHECKPOINT_FILTER)
        if path:
            import_checkpoint(page, path)

    return {"save_result": save_result_dialog, "save_landmarks": save_landmarks_dialog,
            "load_landmarks": load_landmarks_dialog, "import_checkpoint": import_checkpoint_dialog}


