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
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from app.jobs import Job, Resources
from app.registry import window_action
from app.timeline.controller import TimelineController
from app.timeline.export_dialog import ExportDialog
from app.timeline.onion import OnionSkin
from app.timeline.panel import TimelinePanel
from app.timeline.project import ProjectManager
from core.animation.keyframes import Track
from core.face.layout import FACE68

if TYPE_CHECKING:
    from app.face.sessions import FaceSession, Portrait
    from app.face.window import FacePage

EMPTY_HINT = "No keyframes yet: shape the face, then press ◆ Key (K) to record those landmarks here."
DOCK_HEIGHT = 190


def face_source(session: FaceSession, portrait: Portrait):  # noqa: ANN201 - an app.timeline.export_dialog.SourcePicker
    """What a face export renders with: the face network (wanted and imported) or the mesh warp, on ``portrait``."""

    def pick(network: bool) -> tuple[Any, Any, tuple[int, int]]:
        renderer, _missing = session.pick(network)
        h, w = portrait.image.shape[:2]
        return renderer, session.source(renderer, portrait), (h, w)

    return pick


class FaceTimeline(QObject):
    """The timeline dock of one face window (reached as ``window.timeline``)."""

    def __init__(self, win: FacePage) -> None:
        super().__init__(win)
        self.win = win
        self.ctl = TimelineController(win.document, win, layout=FACE68.name)
        self.onion = OnionSkin(win.canvas.scene(), self.ctl, FACE68)
        self.key_action = window_action(win, "Key Landmarks at Playhead", self.ctl.add_key, "K",
                                       "Record the landmarks on the canvas as a keyframe at the timeline's playhead")
        self.export_action = window_action(win, "Export Animation…", self.show_export, "Ctrl+E",
                                          "Render the keyframed face animation to MP4, GIF or PNG frames")
        self.import_action = window_action(win, "Import Face Motion…", self.ask_motion, "Ctrl+I",
                                          "Key the face movements of a video onto this portrait, to edit on the timeline")
        self.panel = TimelinePanel(self.ctl, self.onion, [self.import_action, self.export_action],
                                   empty_hint=EMPTY_HINT)
        self.import_job: Job | None = None
        self._progress: QProgressDialog | None = None
        self.dock = win.add_dock(self.panel, "Timeline", DOCK_HEIGHT)
        self.export_dialog: ExportDialog | None = None
        self.ctl.notice.connect(lambda text: win.statusBar().showMessage(text, 6000))
        self.project = project = ProjectManager(win, self.ctl, recovery="face-autosave")
        project.recovery_what = "face animation work"
        self.project_actions = [
            window_action(win, "New Face Project", project.new_project, "Ctrl+N", "Start an empty animation for this portrait"),
            window_action(win, "Open Project…", project.open_dialog, "Ctrl+Alt+O", "Open a saved face (or body) project"),
            window_action(win, "Save Project", project.save, "Ctrl+Shift+P",
                         "Save the portrait, its landmarks and the animation as a project file"),
            window_action(win, "Save Project As…", project.save_as_dialog, None, "Save the project under another name"),
        ]

    def new_portrait(self) -> None:
        """Another portrait was opened: its landmarks do not fit the old keyframes, so the animation starts empty."""
        self.panel.playback.pause()
        self.ctl.reset(Track(layout=FACE68.name))

    # ----- face motion from a video ---------------------------------------------------------------
    def ask_motion(self) -> None:
        from app.face.drive import VIDEO_FILTER

        if self.win.portrait is None:
            self.win.banner.show_info("Open a portrait first (Ctrl+O).")
            return
        path, _ = QFileDialog.getOpenFileName(self.win, "Key the face movements of a video", self.win.folder,
                                              VIDEO_FILTER)
        if path:
            self.import_motion(path)

    def import_motion(self, video: str, smooth: str = "savgol") -> Job | None:
        """Track the face in ``video`` in the worker and put its movements, retargeted onto the portrait and thinned
        to keyframes, on the timeline as one undo step (a progress window shows the frames and cancels)."""
        win = self.win
        if win.portrait is None or self.import_job is not None:
            return None
        portrait = win.portrait

        def run(res: Resources) -> Track:
            from core.face.animation import driving_track_to_keys, track_driving_video

            track = track_driving_video(video, progress=res.reporter("Tracking the face"), cancel=res.cancelled)
            return driving_track_to_keys(track, portrait.landmarks, smooth)

        job = Job("Importing the face motion", run)
        progress = QProgressDialog("Tracking the face in the video…", "Cancel", 0, 0, win)
        progress.setWindowTitle("Import Face Motion")
        progress.setWindowModality(Qt.WindowModality.WindowModal)  # edits now would be replaced by the import
        progress.setMinimumDuration(0)
        progress.canceled.connect(job.cancel)
        job.progressed.connect(lambda p: (progress.setMaximum(max(p.total, 0)), progress.setValue(p.done),
                                          progress.setLabelText(p.describe("frame"))))
        job.finished.connect(lambda track: self._imported(track, portrait))
        job.failed.connect(lambda msg: win.banner.show_error(f"Importing the face motion failed: {msg}"))
        job.ended.connect(self._import_ended)
        if not win.jobs.start_long(job):
            win.banner.show_info("Another long job is running; wait for it or cancel it first.")
            progress.deleteLater()
            return None
        self.import_job, self._progress = job, progress
        progress.show()
        return job

    def _imported(self, track: Track, portrait: Portrait) -> None:
        if portrait is not self.win.portrait:  # another portrait was opened meanwhile: these landmarks are not its
            return
        if self.ctl.edit(track, "Import face motion"):
            self.ctl.set_frame(0)
            self.ctl.set_frame(0, interactive=False)
            self.win.statusBar().showMessage(f"Imported {track.length_frames} frames as {len(track)} keyframes.", 8000)

    def _import_ended(self) -> None:
        self.import_job = None
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    def show_export(self) -> ExportDialog | None:
        win = self.win
        if win.portrait is None:
            win.banner.show_info("Open a portrait first (Ctrl+O).")
            return None
        if not len(self.ctl.track):
            win.banner.show_info("The animation has no keyframes yet: press ◆ Key (K) on the timeline to add one.")
            return None
        stem = os.path.splitext(os.path.basename(self.project.path or win.portrait.path))[0]
        default = os.path.join(win.folder or os.path.dirname(win.portrait.path), stem + "_face.mp4")
        dlg = ExportDialog(self.ctl.track, win.document.size, "GFLA face network", default, win.jobs.start_long, win,
                           pick=face_source(win.session, win.portrait), fast_name="Landmark mesh warp",
                           beside_text="the landmarks", network=not win.checkpoint_missing)
        self.export_dialog = dlg
        dlg.open()
        return dlg

    def close(self) -> None:
        """At window close: stop playback and any export, keep unsaved edits in the recovery file."""
        self.panel.playback.pause()
        if self.export_dialog is not None:
            self.export_dialog.reject()  # a running export stops and leaves no file
        if self.import_job is not None:
            self.import_job.cancel()
        self.project.on_close()
