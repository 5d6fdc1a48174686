"""File dialogs and saving for the window (result image, OpenPose JSON, ControlNet skeleton), all via core/."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QWidget

from app.banner import Banner
from app.document import PoseDocument
from app.result_view import ResultView
from app.services import Services
from app.settings import Settings
from app.worker import user_message
from core.formats import write_pose_document
from core.formats.controlnet_png import draw_controlnet_skeleton
from core.posedoc import PoseDocument as PoseDoc

ROOT = Path(__file__).resolve().parents[1]
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
POSE_FILTER = "OpenPose / ControlNet JSON (*.json);;All files (*)"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")

SAVE_KINDS = {
    # kind: (dialog title, default suffix, filter)
    "result": ("Save the result image", "_reposed.png", "PNG image (*.png);;JPEG image (*.jpg *.jpeg)"),
    "pose": ("Save everyone's pose as ControlNet-flavoured OpenPose JSON", "_pose.json", POSE_FILTER),
    "skeleton": ("Save a ControlNet skeleton image", "_skeleton.png", "PNG image (*.png)"),
}


def sample_photo() -> Path | None:
    """The bundled sample photo in resources/ (a file named sample*, else the first image there)."""
    folder = ROOT / "resources"
    images = sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES) if folder.is_dir() else []
    named = [p for p in images if p.stem.lower().startswith("sample")]
    return (named or images or [None])[0]


def prepare_qt_environment() -> None:
    """Make the app independent of import order: pyqtgraph uses PySide6, and OpenCV's Qt paths are undone.

    OpenCV (which MediaPipe pulls in) points Qt's plugin variables at its own Qt 5 when imported;
    importing it through core's ``import_cv2`` before the QApplication exists undoes that.
    """
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from core.imageio_utils import import_cv2

    import_cv2()


def ask_open_image(parent: QWidget, folder: str) -> str:
    return ask_file(parent, "Open a photo of a person", folder, IMAGE_FILTER)


def ask_open_pose(parent: QWidget, folder: str) -> str:
    return ask_file(parent, "Apply a pose from an OpenPose, ControlNet or ComfyUI JSON file", folder, POSE_FILTER)


class SaveHost(Protocol):
    """What saving needs from the body editor: its document, result pane, services and notices."""

    @property
    def document(self) -> PoseDocument: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def services(self) -> Services: ...
    @property
    def result_view(self) -> ResultView: ...
    @property
    def banner(self) -> Banner: ...
    def dialog_parent(self) -> QWidget: ...
    def show_status(self, text: str, timeout_ms: int = 0) -> None: ...


def ask_file(parent: QWidget, title: str, start: str, filters: str, save: bool = False) -> str:
    """The file chosen in an Open (or Save) dialog; '' when cancelled."""
    ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    path, _ = ask(parent, title, start, filters)
    return path


def try_write(banner: Banner, show_status: Callable[[str, int], None], write: Callable[[], object], path: str) -> bool:
    """Run ``write``; a banner names the file and the reason when it fails, the status bar says where it went."""
    try:
        write()
    except Exception as exc:
        banner.show_error(f"Could not save {os.path.basename(path)}: {user_message(exc)}")
        return False
    show_status(f"Saved {path}", 6000)
    return True


def default_name(win: SaveHost, kind: str) -> str:
    stem = Path(win.document.path or "pose").stem
    return os.path.join(win.settings.last_dir(), stem + SAVE_KINDS[kind][1])


def save_with_dialog(win: SaveHost, kind: str) -> None:
    if not win.document.has_photo:
        win.banner.show_info("Open a photo first.")
        return
    title, _, filters = SAVE_KINDS[kind]
    path = ask_file(win.dialog_parent(), title, default_name(win, kind), filters, save=True)
    if path:
        save(win, kind, path)


def save(win: SaveHost, kind: str, path: str) -> bool:
    """Write the result, the pose or the skeleton image to ``path`` (atomically, through core/)."""
    doc, services = win.document, win.services
    if kind not in SAVE_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if kind == "result":
        rgb = win.result_view.composed_rgb()
        if rgb is None:
            win.banner.show_info("There is no result to save yet.")
            return False
        return try_write(win.banner, win.show_status, lambda: services.save_image(path, rgb), path)
    people = _people_document(win)
    if kind == "pose":
        if people is not None:  # every visible person and part, confidence 1.0 (what ControlNet keeps)
            return try_write(win.banner, win.show_status,
                             lambda: write_pose_document(path, people, "controlnet"), path)
        return try_write(win.banner, win.show_status, lambda: services.write_pose_json(path, doc.pose, doc.size), path)
    if people is not None:
        return try_write(win.banner, win.show_status,
                         lambda: services.save_image(path, draw_controlnet_skeleton(people)), path)
    w, h = doc.size
    return try_write(win.banner, win.show_status,
                     lambda: services.save_image(path, services.draw_skeleton(doc.pose, (h, w))), path)


def _people_document(win: SaveHost) -> PoseDoc | None:
    """Every visible person of the editor (app.people_dock), None for a host without the people list."""
    dock = getattr(win, "people_dock", None)
    return None if dock is None else dock.model.document()


def apply_pose_file(win: SaveHost, path: str) -> bool:
    """Apply the pose in an OpenPose JSON file as one undo step.

    A file made for a frame of the photo's size (its canvas_width/height match) is applied as it is;
    any other is scaled and placed onto the person (core.animation.retarget: body-segment lengths
    and the hips/ankles anchor of the detected pose).
    """
    doc = win.document
    if not doc.has_photo:
        return False
    try:
        pose = win.services.read_pose_json(path)
        if win.services.pose_canvas_size(path) != doc.size:
            person = doc.detected if doc.detected.present.any() else doc.pose
            pose = win.services.fit_pose(pose, person)
    except Exception as exc:
        win.banner.show_error(f"Could not apply the pose from {os.path.basename(path)}: {user_message(exc)}")
        return False
    doc.commit(pose, "Apply pose from file")
    return True
