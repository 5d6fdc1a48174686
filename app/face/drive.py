"""Face window → Drive with Video…: animate the open portrait with the face movements of a video, as MP4 or GIF.

One worker job (``drive_job_fn``) runs ``core.face.animation``'s steps, the same code as ``main.py
face-animate``: tracking the face, then rendering the frames straight into the writer. The dialog shows
the phase, frames done of total and the time left, and cancels; a cancelled or failed export leaves no
file, and its error goes to the face window's banner.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.face.sessions import FaceSession, Portrait, checkpoint_problem
from app.job_dialog import lay_out_job_dialog, show_progress, start_job
from app.jobs import Job, Progress, Resources, format_seconds
from core.face.animation import SMOOTHER_TITLES, SMOOTHERS

if TYPE_CHECKING:
    from app.face.window import FacePage

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v *.gif);;All files (*)"
OUT_FILTERS = {".mp4": "MP4 video (*.mp4)", ".gif": "Animated GIF (*.gif)"}
TRACKING, RENDERING = "Tracking the face", "Rendering frames"
READY_TEXT = "Each frame of the video moves the portrait's face; the result is saved as MP4 or GIF."
FACE_FRAME_TEXT = "256 × 256 around the face"


@dataclass(frozen=True)
class DriveSettings:
    driving: str  # the video whose face movements to copy
    out: str  # .mp4 or .gif
    smooth: str = "savgol"  # one of core.face.animation.SMOOTHERS
    fps: float | None = None  # None: the driving video's
    whole_portrait: bool = True  # False: only the network's square face frame (as the CLI writes)


@dataclass(frozen=True)
class DriveDone:
    path: str
    frames: int
    seen: int  # driving frames that showed a face
    fps: float
    seconds: float
    renderer: str = ""


def drive_job_fn(session: FaceSession, portrait: Portrait, s: DriveSettings
                 ) -> Callable[[Resources], Generator[Progress, None, DriveDone]]:
    """The worker's generator: track the driving face, retarget it onto ``portrait``, stream the frames to ``s.out``
    (made by the face network when its checkpoint is imported, else by the landmark mesh warp)."""

    def run(res: Resources) -> Generator[Progress, None, DriveDone]:
        from core.face.animation import driving_targets, track_driving_video, write_face_video
        from core.render.face_portrait import FACE_FRAME, face_frame

        start = time.perf_counter()
        renderer, _missing = session.pick(network=True)
        yield Progress(0, -1, TRACKING)
        track = track_driving_video(s.driving, progress=res.reporter(TRACKING), cancel=res.cancelled)
        targets = driving_targets(track, portrait.landmarks, s.smooth)  # (T, 68, 2) portrait pixels
        yield Progress(len(targets), len(targets), TRACKING)  # tracked: a cancel point between the two phases
        state = session.source(renderer, portrait)
        h, w = portrait.image.shape[:2]
        if s.whole_portrait:
            size, frame = (w, h), None
        else:
            size, frame = (FACE_FRAME, FACE_FRAME), (lambda r: face_frame(r, portrait.landmarks))
        fps = s.fps or track.fps
        written = write_face_video(renderer, state, targets, s.out, fps, size=size, frame=frame, cancel=res.cancelled,
                                   progress=res.reporter(f"{RENDERING} ({renderer.name})"))
        return DriveDone(str(written.path), written.frames, track.seen, fps, time.perf_counter() - start,
                         renderer.name)

    return run


class DriveDialog(QDialog):
    """Collects the driving video, output file and options; runs and shows the export of one face window."""

    def __init__(self, window: FacePage, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Drive with Video")
        self.window_ = window
        self.job: Job | None = None
        self.written: DriveDone | None = None
        self.phases: list[str] = []  # the progress texts seen (the phases a user watched go by)
        self.driving_edit, self.out_edit = QLineEdit(), QLineEdit()
        self._browse_buttons: list[QPushButton] = []
        self.smooth = QComboBox()
        for key in SMOOTHERS:
            self.smooth.addItem(SMOOTHER_TITLES[key], key)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.0, 240.0)
        self.fps.setDecimals(3)
        self.fps.setSuffix(" fps")
        self.fps.setSpecialValueText("the video's")  # 0 means: keep the driving video's rate
        self.frame = QComboBox()
        self.frame.addItem("The whole portrait (face pasted back)", True)
        self.frame.addItem(f"The face only ({FACE_FRAME_TEXT})", False)
        form = QFormLayout()
        form.addRow("Driving video", self._row(self.driving_edit, self._browse_driving))
        form.addRow("Save to", self._row(self.out_edit, self._browse_out))
        form.addRow("Smoothing", self.smooth)
        form.addRow("Frame rate", self.fps)
        form.addRow("Frame", self.frame)
        self.progress, self.status, self.buttons, self.export_button, self.cancel_button = lay_out_job_dialog(
            self, form, "Export", self.start, self._cancel_or_close, READY_TEXT)

    def _row(self, edit: QLineEdit, browse: Callable[[], None]) -> QHBoxLayout:
        button = QPushButton("Browse…")
        button.clicked.connect(lambda: browse())
        self._browse_buttons.append(button)
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(button)
        return row

    @property
    def running(self) -> bool:
        return self.job is not None

    def settings(self) -> DriveSettings:
        return DriveSettings(self.driving_edit.text().strip(), self.out_edit.text().strip(), self.smooth.currentData(),
                             self.fps.value() or None, bool(self.frame.currentData()))

    def _browse_driving(self) -> None:
        start = self.driving_edit.text() or self.window_.folder
        path, _ = QFileDialog.getOpenFileName(self, "Choose the driving video", start, VIDEO_FILTER)
        if path:
            self.driving_edit.setText(path)
            if not self.out_edit.text().strip():
                self.out_edit.setText(default_output(self.window_))

    def _browse_out(self) -> None:
        start = self.out_edit.text() or default_output(self.window_)
        path, chosen = QFileDialog.getSaveFileName(self, "Save the animation", start, ";;".join(OUT_FILTERS.values()))
        if path:
            if Path(path).suffix.lower() not in OUT_FILTERS:
                path += next((k for k, v in OUT_FILTERS.items() if v == chosen), ".mp4")
            self.out_edit.setText(path)

    def _problem(self, s: DriveSettings) -> str | None:
        if not s.driving:
            return "Choose the driving video."
        if not s.out:
            return "Choose where to save the animation (Save to)."
        if not Path(s.driving).is_file():
            return f"The video {s.driving} does not exist."
        if Path(s.out).suffix.lower() not in OUT_FILTERS:
            return "Save to a file ending in .mp4 or .gif."
        if not Path(s.out).parent.is_dir():
            return f"The folder {Path(s.out).parent} does not exist."
        if Path(s.out).resolve() == Path(s.driving).resolve():
            return "Save to another file than the driving video."
        return None

    # ----- running -------------------------------------------------------------------------------
    def start(self, settings: DriveSettings | None = None) -> Job | None:
        """Start the export (the dialog's settings unless given); returns the job, or None if it cannot start."""
        s = settings or self.settings()
        portrait = self.window_.portrait
        problem = "Open a portrait first." if portrait is None else self._problem(s)
        if problem or portrait is None:
            self.status.setText(problem or "Open a portrait first.")
            return None
        job = Job("Driving the portrait", drive_job_fn(self.window_.session, portrait, s))
        self.written, self.phases = None, []
        # start_long: it waits behind face renders, not behind another long job
        if not start_job(self.window_.jobs.start_long, job, self.status, self._on_progress, self._on_finished,
                         self._on_failed, self._on_cancelled):
            return None
        self.job = job
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("Starting…")
        self._set_running(True)
        return job

    def _set_running(self, running: bool) -> None:
        for w in (self.driving_edit, self.out_edit, self.smooth, self.fps, self.frame, self.export_button,
                  *self._browse_buttons):
            w.setEnabled(not running)
        self.cancel_button.setText("Cancel export" if running else "Close")

    def _on_progress(self, p: Progress) -> None:
        if not self.phases or self.phases[-1] != p.text:
            self.phases.append(p.text)
        show_progress(self.progress, self.status, p)

    def _ended(self) -> None:
        self.job = None
        self._set_running(False)
        self.progress.hide()

    def _on_finished(self, done: DriveDone) -> None:
        self._ended()
        self.written = done
        text = (f"✔ Wrote {done.frames} frames at {done.fps:g} fps to {done.path} in {format_seconds(done.seconds)}"
                f" with {done.renderer} (face seen in {done.seen} of {done.frames} driving frames).")
        self.status.setText(text)
        self.window_.statusBar().showMessage(f"Wrote {done.path}", 8000)

    def _on_failed(self, message: str) -> None:
        self._ended()
        self.status.setText(f"⚠ The export failed: {message}")
        self.window_.banner.show_error(f"Driving with the video failed: {message}")

    def _on_cancelled(self) -> None:
        self._ended()
        self.status.setText("Export cancelled; nothing was written.")

    def cancel(self) -> None:
        """Stop the running export (nothing is written)."""
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def _cancel_or_close(self) -> None:
        if self.job is not None:
            self.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        self.cancel()  # closing the dialog stops the export too
        super().reject()


def open_drive_dialog(window: FacePage) -> DriveDialog | None:
    """Show ``window``'s Drive with Video dialog (None, and a banner saying why, without a portrait). Without the
    face checkpoint the dialog says the frames come from the landmark mesh warp and names the file to import."""
    if window.portrait is None:
        window.banner.show_info("Open a portrait first (Ctrl+O); then Drive with Video… moves it with a face video.")
        return None
    dialog = window.findChild(DriveDialog)
    if dialog is None:
        dialog = DriveDialog(window)
    if not dialog.running:
        problem = checkpoint_problem("face")
        dialog.status.setText(READY_TEXT if problem is None else
                              f"{READY_TEXT} Without the face checkpoint the frames come from the landmark mesh warp "
                              "(File ▸ Import Face Checkpoint… adds the GFLA face network).")
    dialog.show()
    dialog.raise_()
    return dialog


def default_output(window: FacePage) -> str:
    """Where the export goes unless the user says otherwise: beside the portrait, ``<name>_driven.mp4``."""
    path = window.portrait.path if window.portrait is not None else os.path.join(window.folder, "face")
    return os.path.splitext(path)[0] + "_driven.mp4"
