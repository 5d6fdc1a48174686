"""Adds the ways into face mode and the view dialog: File → Open Portrait (Face Mode)…, Tools → Novel View…,
Tools → Drive a Portrait with a Video… (registered by id in the window's action registry)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from app.file_ops import ask_file
from app.host import ToolsHost
from core.subjects import FACE, IMAGE_FILTER

if TYPE_CHECKING:
    from app.face.window import FacePage
    from app.view_dialog import ViewDialog


class FaceTools:
    """Switches the window to its face subject (and opens a portrait there); opens the view dialog."""

    def __init__(self, host: ToolsHost, face_page: Callable[[], FacePage]) -> None:
        self.host = host
        self._page = face_page
        self.view_dialog: ViewDialog | None = None
        parent = host.dialog_parent()
        self.face_action = QAction("Open Portrait (Face Mode)…", parent)
        self.face_action.setStatusTip("Edit a portrait's 68 face landmarks and re-render the face")
        self.face_action.triggered.connect(lambda _checked=False: self.ask_portrait())
        self.view_action = QAction("Novel View (ShapeNet)…", parent)
        self.view_action.setStatusTip("Re-render a photo of a car or chair from another angle")
        self.view_action.triggered.connect(lambda _checked=False: self.show_view_dialog())
        self.drive_action = QAction("Drive a Portrait with a Video…", parent)
        self.drive_action.setStatusTip("Move a portrait's face like the face in a video (face mode); export MP4 or GIF")
        self.drive_action.triggered.connect(lambda _checked=False: self.drive_portrait())
        host.registry.add("file.open", self.face_action, ("body",))
        host.registry.add_all("tools.main", [self.view_action, self.drive_action])

    def face(self) -> FacePage:
        """Face mode, shown (its autosave runs again if closing it had stopped it)."""
        page = self._page()
        self.host.show_subject(FACE.kind)
        page.ended = False
        page.timeline.project.resume_autosave()
        return page

    def offer_recovery(self) -> bool:
        """At start-up: when the last session left unsaved face-mode work, show face mode with its Recover offer."""
        from core.project_file import find_recovery

        if find_recovery(FACE.recovery_name) is None:
            return False
        self.face().timeline.project.check_recovery()  # the strip with Recover / Discard
        return True

    def open_portrait(self, path: str | os.PathLike) -> FacePage:
        """Show face mode and open ``path`` in it."""
        page = self.face()
        if not page.open_portrait(path):  # the user kept the unsaved animation
            page.drive_after_open = False
        return page

    def _ask(self, title: str) -> str:
        return ask_file(self.host.dialog_parent(), title, self.host.settings.last_dir(), IMAGE_FILTER)

    def ask_portrait(self) -> None:
        path = self._ask("Open a portrait for face mode")
        if path:
            self.open_portrait(path)

    def drive_portrait(self) -> None:
        """Tools → Drive a Portrait with a Video…: face mode's Drive with Video dialog (asking for a portrait first
        when none is open there)."""
        page = self._page()
        if page.portrait is not None:
            self.face().drive_dialog()
            return
        path = self._ask("Choose the portrait to drive")
        if path:
            page.drive_after_open = True
            self.open_portrait(path)

    def show_view_dialog(self) -> ViewDialog:
        from app.view_dialog import ViewDialog

        if self.view_dialog is None:
            self.view_dialog = ViewDialog(self.host.jobs, self.host.settings.device, self.host.settings.last_dir(),
                                          self.host.dialog_parent())
        else:
            self.view_dialog.look_again()
        self.view_dialog.show()
        self.view_dialog.raise_()
        return self.view_dialog


def install_face_tools(host: ToolsHost, face_page: Callable[[], FacePage]) -> FaceTools:
    """Add the face-mode and novel-view menu entries; returns what opens them."""
    return FaceTools(host, face_page)
