"""Adds face mode and the view dialog to the editor: File → Open Portrait (Face Mode)…, Tools → Novel View…"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu

if TYPE_CHECKING:
    from app.face.window import FaceWindow
    from app.main_window import MainWindow
    from app.view_dialog import ViewDialog


def _menu(win: MainWindow, title: str) -> QMenu:
    """The menu bar's ``title`` menu, made (before Help) when missing."""
    bar = win.menuBar()
    for action in bar.actions():
        if action.menu() is not None and action.text().replace("&", "") == title:
            return action.menu()
    menu = QMenu(f"&{title}", win)
    help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    bar.insertMenu(help_action, menu) if help_action is not None else bar.addMenu(menu)
    return menu


class FaceTools:
    """Opens the face window and the view dialog for one editor window; both use its worker."""

    def __init__(self, win: MainWindow) -> None:
        self.win = win
        self.face_window: FaceWindow | None = None
        self.view_dialog: ViewDialog | None = None
        self.face_action = QAction("Open Portrait (Face Mode)…", win)
        self.face_action.setStatusTip("Edit a portrait's 68 face landmarks and re-render the face")
        self.face_action.triggered.connect(lambda _checked=False: self.ask_portrait())
        self.view_action = QAction("Novel View (ShapeNet)…", win)
        self.view_action.setStatusTip("Re-render a photo of a car or chair from another angle")
        self.view_action.triggered.connect(lambda _checked=False: self.show_view_dialog())
        self.drive_action = QAction("Drive a Portrait with a Video…", win)
        self.drive_action.setStatusTip("Move a portrait's face like the face in a video (face mode); export MP4 or GIF")
        self.drive_action.triggered.connect(lambda _checked=False: self.drive_portrait())
        file_menu = _menu(win, "File")
        after = win.acts.open_sample
        actions = file_menu.actions()
        following = actions[actions.index(after) + 1] if after in actions and actions[-1] is not after else None
        file_menu.insertAction(following, self.face_action)
        _menu(win, "Tools").addActions([self.view_action, self.drive_action])

    def face(self) -> FaceWindow:
        """The face window (made on first use)."""
        from app.face.window import FaceWindow

        if self.face_window is None:
            window = FaceWindow(self.win.client.jobs, self.win.settings.device, self.win.settings.last_dir(), self.win)
            window.open_body_project = self._open_body_project
            if self.win.timeline.project.autosave_enabled:  # the app, not a test: autosave and offer recovery
                window.timeline.project.start_autosave()
            self.face_window = window
        else:
            self.face_window.timeline.project.resume_autosave()  # closing the window stopped it
        return self.face_window

    def offer_recovery(self) -> bool:
        """At start-up: when the last session left unsaved face-mode work, show face mode with its Recover offer."""
        from core.project_file import find_recovery

        if find_recovery("face-autosave") is None:
            return False
        window = self.face()
        window.timeline.project.check_recovery()  # the strip with Recover / Discard
        window.show()
        return True

    def _open_body_project(self, path: str) -> bool:
        self.win.raise_()
        self.win.activateWindow()
        return self.win.timeline.project.open_project(path)

    def open_portrait(self, path: str | os.PathLike) -> FaceWindow:
        """Show the face window and open ``path`` in it."""
        window = self.face()
        window.show()
        window.raise_()
        if not window.open_portrait(path):  # the user kept the unsaved animation
            window.drive_after_open = False
        return window

    def ask_portrait(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.win, "Open a portrait for face mode", self.win.settings.last_dir(),
                                              "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)")
        if path:
            self.open_portrait(path)

    def drive_portrait(self) -> None:
        """Tools → Drive a Portrait with a Video…: the face window's Drive with Video dialog (asking for a portrait
        first when none is open there)."""
        window = self.face_window
        if window is not None and window.portrait is not None:
            window.show()
            window.raise_()
            window.drive_dialog()
            return
        path, _ = QFileDialog.getOpenFileName(self.win, "Choose the portrait to drive", self.win.settings.last_dir(),
                                              "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)")
        if path:
            self.face().drive_after_open = True
            self.open_portrait(path)

    def show_view_dialog(self) -> ViewDialog:
        from app.view_dialog import ViewDialog

        if self.view_dialog is None:
            self.view_dialog = ViewDialog(self.win.client.jobs, self.win.settings.device, self.win.settings.last_dir(),
                                          self.win)
        else:
            self.view_dialog.look_again()
        self.view_dialog.show()
        self.view_dialog.raise_()
        return self.view_dialog


def install_face_tools(win: MainWindow) -> FaceTools:
    """Add the face-mode and novel-view menu entries to ``win``; returns what opens them."""
    return FaceTools(win)
