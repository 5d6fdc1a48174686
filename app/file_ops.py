"""File dialogs and saving for the window (result image, OpenPose JSON, ControlNet skeleton), all via core/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QWidget

from app.worker import user_message

if TYPE_CHECKING:
    from app.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
POSE_FILTER = "OpenPose JSON (*.json);;All files (*)"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")

SAVE_KINDS = {
    # kind: (dialog title, default suffix, filter)
    "result": ("Save the result image", "_reposed.png", "PNG image (*.png);;JPEG image (*.jpg *.jpeg)"),
    "pose": ("Save the pose as OpenPose JSON", "_pose.json", POSE_FILTER),
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
    path, _ = QFileDialog.getOpenFileName(parent, "Open a photo of a person", folder, IMAGE_FILTER)
    return path


def ask_open_pose(parent: QWidget, folder: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Apply a pose from an OpenPose JSON file", folder, POSE_FILTER)
    return path


def default_name(win: MainWindow, kind: str) -> str:
    stem = Path(win.document.path or "pose").stem
    return os.path.join(win.settings.last_dir(), stem + SAVE_KINDS[kind][1])


def save_with_dialog(win: MainWindow, kind: str) -> None:
    if not win.document.has_photo:
        win.banner.show_info("Open a photo first.")
        return
    title, _, filters = SAVE_KINDS[kind]
    path, _ = QFileDialog.getSaveFileName(win, title, default_name(win, kind), filters)
    if path:
        save(win, kind, path)


def save(win: MainWindow, kind: str, path: str) -> bool:
    """Write the result, the pose or the skeleton image to ``path`` (atomically, through core/)."""
    doc, services = win.document, win.services
    try:
        if kind == "result":
            rgb = win.result_view.composed_rgb()
            if rgb is None:
                win.banner.show_info("There is no result to save yet.")
                return False
            services.save_image(path, rgb)
        elif kind == "pose":
            services.write_pose_json(path, doc.pose, doc.size)
        elif kind == "skeleton":
            w, h = doc.size
            services.save_image(path, services.draw_skeleton(doc.pose, (h, w)))
        else:
            raise ValueError(f"unknown kind {kind!r}")
    except Exception as exc:
        win.banner.show_error(f"Could not save {os.path.basename(path)}: {user_message(exc)}")
        return False
    win.statusBar().showMessage(f"Saved {path}", 6000)
    return True
