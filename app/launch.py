"""Starting the editor: command-line arguments, the Qt environment, the settings, the one window and its autosave."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app import file_ops
from app.main_window import MainWindow
from app.settings import APPLICATION, ORGANIZATION, Settings
from core.project_file import SUFFIX as PROJECT_SUFFIX


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python main.py", description="Open the GFLA Pose Studio editor.")
    parser.add_argument("photo", nargs="?", help="photo or project (.gflaproj) to open (default: the bundled sample)")
    parser.add_argument("--weights", help="GFLA checkpoint to render with (remembered, like a choice in Preferences)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), help="where the network runs (remembered)")
    return parser.parse_args(argv)


def run_app(argv: list[str]) -> int:
    """Open the editor window; returns the process exit code."""
    args = _parse(list(argv))
    file_ops.prepare_qt_environment()
    # A long-lived editor may build the GFLA networks' compiled parts in a background process
    # (core.gfla.accel); one-off commands and tests never do. An environment flag, so that the
    # GUI thread does not import torch for it.
    builds_flag_set_here = "GFLA_ACCEL_BUILDS" not in os.environ
    if builds_flag_set_here:
        os.environ["GFLA_ACCEL_BUILDS"] = "1"
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    settings = Settings()
    if args.weights:
        settings.checkpoint = str(Path(args.weights).resolve())
    if args.device:
        settings.device = args.device
    window = MainWindow(settings)
    window.show()
    window.timeline.project.start_autosave()  # and offer what a crashed session left behind
    window.face_page.timeline.project.start_autosave()  # face mode's own recovery file, offered in its tab
    window.face_tools.offer_recovery()
    if args.photo and Path(args.photo).suffix.lower() == PROJECT_SUFFIX:
        window.timeline.project.open_project(args.photo, ask=False)  # a face project goes to face mode
    elif args.photo:
        window.open_photo(args.photo)
    else:
        window.open_sample()
    try:
        return int(app.exec())
    finally:
        window.shutdown()
        if builds_flag_set_here:
            os.environ.pop("GFLA_ACCEL_BUILDS", None)
