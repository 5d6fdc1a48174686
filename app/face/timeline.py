"""The face window's timeline: the body editor's keyframe dock, onion skin, export and project files, for the 68
face landmarks.

The same TimelineController (every edit one step on the face document's undo stack), TimelinePanel, OnionSkin,
ExportDialog and ProjectManager (face projects are project files with ``layout`` "face68", with their own
recovery file) as the body editor; only what renders the frames differs (the face session's renderers in
the worker: the face network when its checkpoint is imported, else the landmark mesh warp).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget

from app.timeline.controller import TimelineController
from app.timeline.export_dialog import ExportDialog
from app.timeline.jobs import JobContext
from app.timeline.onion import OnionSkin
from app.timeline.panel import TimelinePanel
from app.timeline.project import ProjectManager
from core.animation.keyframes import Track
from core.face_layout import FACE68

if TYPE_CHECKING:
    from app.face.sessions import FaceSession, Portrait
    from app.face.window import FaceWindow

EMPTY_HINT = "No keyframes yet: shape the face, then press ◆ Key (K) to record those landmarks here."
DOCK_HEIGHT = 190


def face_source(session: FaceSession, portrait: Portrait):  # noqa: ANN201 - an app.timeline.export_dialog.SourcePicker
    """What a face export renders with: the face network (wanted and imported) or the mesh warp, on ``portrait``."""

    def pick(_ctx: JobContext, network: bool) -> tuple[Any, Any, tuple[int, int]]:
        renderer, _missing = session.pick(network)
        return renderer, session.source(renderer, portrait), portrait.image.shape[:2]

    return pick


class FaceTimeline(QObject):
    """The timeline dock of one face window (reached as ``window.timeline``)."""

    def __init__(self, win: FaceWindow) -> None:
        super().__init__(win)
        self.win = win
        self.ctl = TimelineController(win.document, win, n_points=FACE68.size)
        self.onion = OnionSkin(win.canvas.scene(), self.ctl, FACE68)
        self.key_action = self._action("Key Landmarks at Playhead", self.ctl.add_key, "K",
                                       "Record the landmarks on the canvas as a keyframe at the timeline's playhead")
        self.export_action = self._action("Export Animation…", self.show_export, "Ctrl+E",
                                          "Render the keyframed face animation to MP4, GIF or PNG frames")
        self.panel = TimelinePanel(self.ctl, self.onion, [win.drive_action, self.export_action],
                                   empty_hint=EMPTY_HINT)
        self.dock = QDockWidget("Timeline", win)
        self.dock.setObjectName("FaceTimelineDock")
        self.dock.setWidget(self.panel)
        win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        win.resizeDocks([self.dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
        self.export_dialog: ExportDialog | None = None
        self.ctl.notice.connect(lambda text: win.statusBar().showMessage(text, 6000))
        self.project = project = ProjectManager(win, self.ctl, recovery="face-autosave")
        self.project_actions = [
            self._action("New Face Project", project.new_project, "Ctrl+N", "Start an empty animation for this portrait"),
            self._action("Open Project…", project.open_dialog, "Ctrl+Alt+O", "Open a saved face (or body) project"),
            self._action("Save Project", project.save, "Ctrl+Shift+P",
                         "Save the portrait, its landmarks and the animation as a project file"),
            self._action("Save Project As…", project.save_as_dialog, None, "Save the project under another name"),
        ]

    def _action(self, text: str, slot, shortcut: str | None, tip: str) -> QAction:  # noqa: ANN001
        action = QAction(text, self.win)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def new_portrait(self) -> None:
        """Another portrait was opened: its landmarks do not fit the old keyframes, so the animation starts empty."""
        self.panel.playback.pause()
        self.ctl.reset(Track(n_points=FACE68.size))

    def show_export(self) -> ExportDialog | None:
        win = self.win
        if win.portrait is None:
            win.banner.show_info("Open a portrait first (Ctrl+O).")
            return None
        if not len(self.ctl.track):
            win.banner.show_info("The animation has no keyframes yet: press ◆ Key (K) on the timeline to add one.")
            return None
        name = "landmark mesh warp" if win.checkpoint_missing else "GFLA face network"
        default = os.path.splitext(win.portrait.path)[0] + "_face.mp4"
        dlg = ExportDialog(self.ctl.track, win.document.size, name, default, win.long_jobs.post, win,
                           pick=face_source(win.session, win.portrait), fast_name="Landmark mesh warp (fast)",
                           beside_text="the landmarks")
        self.export_dialog = dlg
        dlg.open()
        return dlg

    def close(self) -> None:
        """At window close: stop playback and any export, keep unsaved edits in the recovery file."""
        self.panel.playback.pause()
        if self.export_dialog is not None:
            self.export_dialog.reject()  # a running export stops and leaves no file
        self.project.on_close()
