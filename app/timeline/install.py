"""Puts the timeline into the body editor (an app.host.TimelineHost): the dock, the onion skin on the canvas, and
project and animation actions placed in the window's action registry."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from app.host import TimelineHost
from app.jobs import Job
from app.registry import window_action
from app.timeline.controller import TimelineController
from app.timeline.export_dialog import ExportDialog
from app.timeline.motion_dialog import MotionImportDialog
from app.timeline.onion import OnionSkin
from app.timeline.panel import TimelinePanel
from app.timeline.project import ProjectManager
from core.skeleton import Pose

DOCK_HEIGHT = 200


class Timeline(QObject):
    """Everything the timeline added to a window (tests and the window reach it as ``window.timeline``)."""

    def __init__(self, win: TimelineHost, ctl: TimelineController, onion: OnionSkin, panel: TimelinePanel,
                 dock: QDockWidget, project: ProjectManager, actions: dict[str, QAction]) -> None:
        super().__init__(win.canvas)
        self.win, self.ctl, self.onion, self.panel, self.dock = win, ctl, onion, panel, dock
        self.project, self.actions = project, actions
        self.export_dialog: ExportDialog | None = None
        self.motion_dialog: MotionImportDialog | None = None
        ctl.notice.connect(self._notice)

    def _notice(self, text: str) -> None:
        self.win.show_status(text, 6000)

    # ----- long jobs ----------------------------------------------------------------------------
    def run_job(self, job: Job) -> bool:
        """Start the long ``job`` in the window's worker (after face mode's short jobs there; False at once behind
        another long job); its failure also shows in the banner."""
        job.failed.connect(self._job_failed)
        return self.win.run_job(job)

    def _job_failed(self, message: str) -> None:
        job = self.sender()
        title = getattr(job, "title", "A long job")
        self.win.banner.show_error(f"{title} failed: {message}")

    # ----- dialogs -------------------------------------------------------------------------------
    def show_export(self) -> ExportDialog | None:
        win = self.win
        if not win.document.has_photo:
            win.banner.show_info("Open a photo first.")
            return None
        if not len(self.ctl.track):
            win.banner.show_info("The animation has no keyframes yet: press ◆ Key on the timeline to add one.")
            return None
        stem = self.project.path.stem if self.project.path else Path(win.document.path or "animation").stem
        default = os.path.join(win.settings.last_dir(), stem + ".mp4")
        network = bool(win.renderer_name) and not win.renderer_name.startswith("Skeleton warp")
        dlg = ExportDialog(self.ctl.track, win.document.size, win.renderer_name, default, self.run_job,
                           win.dialog_parent(),
                           network=network)
        self.export_dialog = dlg
        dlg.open()
        return dlg

    def show_import(self) -> MotionImportDialog:
        win = self.win
        doc = win.document
        detected = doc.detected if isinstance(doc.detected, Pose) and doc.detected.present.any() else None
        person = (detected or doc.body_pose()) if doc.has_photo else None
        dlg = MotionImportDialog(self.run_job, person, keypoint_checkpoints(win), win.settings.detector_backend,
                                 win.settings.last_dir(), parent=win.dialog_parent())
        dlg.accepted.connect(self._import)
        self.motion_dialog = dlg
        dlg.open()
        return dlg

    def _import(self) -> None:
        dlg = self.motion_dialog
        if dlg is not None and dlg.built is not None and self.ctl.edit(dlg.built, "Import motion"):
            self.ctl.set_frame(0)
            self.ctl.set_frame(0, interactive=False)
            n = len(dlg.built)
            self.win.show_status(f"Imported {dlg.built.length_frames} frames as {n} keyframes.", 8000)

    def close(self) -> None:
        """At window close: stop playback, then autosave unsaved edits or clear the recovery file (the window's
        shutdown cancels a running job)."""
        self.panel.playback.pause()
        self.project.on_close()


def keypoint_checkpoints(win: TimelineHost) -> list[str]:
    """Imported dance_keypoint checkpoints (for the Motion Extraction Network smoother)."""
    try:
        entries = win.services.find_weights()
    except Exception:  # no manifest yet
        return []
    out = []
    for e in entries:
        if getattr(e, "kind", "") == "dance_keypoint":
            path = e.path() if callable(e.path) else e.path
            out.append(str(path))
    return out


def install_timeline(win: TimelineHost) -> Timeline:
    """Create the timeline for ``win`` and wire it in (dock, canvas onion skin, File and Export menu entries)."""
    ctl = TimelineController(win.document, win.canvas)
    onion = OnionSkin(win.canvas.scene(), ctl)
    project = ProjectManager(win, ctl)
    holder: dict[str, Timeline] = {}  # the actions are made before the Timeline that serves them
    w = win.dialog_parent()
    acts = {
        "new": window_action(w, "New Project", lambda: project.new_project(), "Ctrl+N", "Start an empty animation for this photo"),
        "open": window_action(w, "Open Project…", lambda: project.open_dialog(), "Ctrl+Alt+O", "Open a saved project"),
        "save": window_action(w, "Save Project", lambda: project.save(), "Ctrl+Shift+P",
                        "Save the photo, pose and animation as a project file"),
        "save_as": window_action(w, "Save Project As…", lambda: project.save_as_dialog()),
        "key": window_action(w, "Key Pose at Playhead", lambda: ctl.add_key(), "K",
                       "Record the canvas pose as a keyframe at the timeline's playhead"),
        "import": window_action(w, "Import Motion…", lambda: holder["t"].show_import(), "Ctrl+I",
                          "Take a motion from a video or a folder of OpenPose JSON files"),
        "export": window_action(w, "Export Animation…", lambda: holder["t"].show_export(), "Ctrl+E",
                          "Render the animation to MP4, GIF or PNG frames"),
    }
    panel = TimelinePanel(ctl, onion, [acts["import"], acts["export"]])
    dock = win.add_dock(panel, "Timeline", DOCK_HEIGHT)
    modes = ("body",)
    reg = win.registry
    reg.add_all("file.project", [acts["new"], acts["open"], acts["save"], acts["save_as"]], modes)
    reg.add_all("file.motion", [acts["import"], acts["export"]], modes)
    reg.add("edit.timeline", acts["key"], modes)
    reg.add("export.animation", acts["export"])
    win.add_banner(project.recovery_banner)  # under the error banner, above the panes
    timeline = Timeline(win, ctl, onion, panel, dock, project, acts)
    holder["t"] = timeline
    return timeline

