"""The Import Motion dialog: a video (pose detected per frame in the worker) or a folder of OpenPose JSON files,
cleaned by a chosen smoother, optionally fitted to the photo's person, thinned into keyframes or kept dense.

A small plot shows one joint's raw and cleaned x / y over time so the user sees what the smoother does.
Loading and the Motion Extraction Network run as Jobs in the worker thread (progress, cancel); the
classical smoothers are fast enough to run as the user changes their settings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.job_dialog import float_spin, int_spin, lay_out_job_dialog, show_progress, start_job
from app.jobs import Job, Needs
from app.timeline.motion_jobs import default_keypoint_loader, load_motion_fn, network_fn
from app.timeline.trajectory import TrajectoryPlot
from core.animation.keyframes import Track
from core.skeleton import Pose

SMOOTHERS = {"none": "None (keep as detected)", "savgol": "Savitzky–Golay", "oneeuro": "One-Euro filter",
             "network": "Motion Extraction Network (dance_keypoint)"}
VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v *.gif);;All files (*)"


class MotionImportDialog(QDialog):
    """Builds a Track from a motion; ``track()`` is what Import puts on the timeline (one undo step)."""

    def __init__(self, run_job: Callable[[Job], bool], person: Pose | None, keypoint_checkpoints: list[str],
                 backend: str = "mediapipe", start_dir: str = "", keypoint_loader: Callable[[str], Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import Motion")
        self.run_job, self.person, self.backend, self.start_dir = run_job, person, backend, start_dir
        self.loader = keypoint_loader or default_keypoint_loader
        self.motion: Any = None  # core.animation.motion_import.Motion
        self.cleaned: np.ndarray | None = None  # (T, 18, 2)
        self.job: Job | None = None
        self._on_done: Callable[[Any], None] = lambda _r: None
        self.built: Track | None = None  # set by accept()
        self._net_cache: dict[str, np.ndarray] = {}
        self.source = QLineEdit()
        self.source.setPlaceholderText("A video file or a folder of OpenPose .json files")
        video, folder, self.load_button = QPushButton("Video…"), QPushButton("OpenPose folder…"), QPushButton("Load")
        video.clicked.connect(self._pick_video)
        folder.clicked.connect(self._pick_folder)
        self.load_button.clicked.connect(lambda: self.load())
        src_row = QHBoxLayout()
        for w in (self.source, video, folder, self.load_button):
            src_row.addWidget(w, 1 if w is self.source else 0)
        self.info = QLabel("Nothing loaded yet.")
        self.smoother = QComboBox()
        for key, title in SMOOTHERS.items():
            self.smoother.addItem(title, key)
        self.checkpoint = QComboBox()
        for path in keypoint_checkpoints:
            self.checkpoint.addItem(os.path.basename(path), path)
        model = self.smoother.model()
        assert isinstance(model, QStandardItemModel)  # a QComboBox's own model
        net_item = model.item(3)
        net_item.setEnabled(bool(keypoint_checkpoints))
        if not keypoint_checkpoints:
            net_item.setToolTip("Import a dance_keypoint checkpoint (Preferences) to use the network")
        self.window_spin = int_spin(5, 61, 9, step=2, suffix=" frames")
        self.cutoff = float_spin(0.05, 30.0, 1.0, suffix=" Hz min cutoff")
        self.beta = float_spin(0.0, 2.0, 0.02, decimals=3, step=0.01, prefix="speed β ")
        params = QHBoxLayout()
        for w in (self.window_spin, self.cutoff, self.beta, self.checkpoint):
            params.addWidget(w)
        params.addStretch(1)
        self.plot = TrajectoryPlot()
        self.retarget = QCheckBox("Fit the motion to the person in the photo (scale and position)")
        self.retarget.setChecked(person is not None and bool(person.present.any()))
        self.retarget.setEnabled(person is not None and bool(person.present.any()))
        self.thin = QCheckBox("Thin into keyframes where the motion bends (off: one keyframe per frame)")
        self.thin.setChecked(True)
        self.tolerance = float_spin(0.1, 100.0, self._default_tolerance(), suffix=" px tolerance",
                                    tip="How far (photo pixels) the keyframed motion may stray from the cleaned one")
        self.thin.toggled.connect(self.tolerance.setEnabled)
        self.keys_label = QLabel("")
        self._lay_out(src_row, params)
        self._wire()
        self._show_params()
        self.resize(760, 640)

    def _lay_out(self, src_row: QHBoxLayout, params: QHBoxLayout) -> None:
        """The form: source, smoothing and its settings, the trajectory plot, fitting and thinning; then the job frame."""
        form = QFormLayout()
        form.addRow("Source", src_row)
        form.addRow("", self.info)
        form.addRow("Smoothing", self.smoother)
        form.addRow("", params)
        form.addRow(self.plot)
        form.addRow("", self.retarget)
        thin_row = QHBoxLayout()
        thin_row.addWidget(self.thin)
        thin_row.addWidget(self.tolerance)
        thin_row.addWidget(self.keys_label)
        form.addRow("", thin_row)
        self.progress, self.status, self.buttons, self.import_button, self.cancel_button = lay_out_job_dialog(
            self, form, "Import to the timeline", self.accept, self._cancel_or_close,
            cancel=QDialogButtonBox.StandardButton.Cancel)
        self.progress.setRange(0, 1)
        self.import_button.setEnabled(False)
        self.import_button.setToolTip("Replaces the timeline's keyframes, length and frame rate (Undo brings them back)")

    def _wire(self) -> None:
        """Every setting re-cleans, re-plots or re-counts the keyframes as it changes."""
        for sig in (self.smoother.currentIndexChanged, self.window_spin.valueChanged, self.cutoff.valueChanged, self.beta.valueChanged,
                    self.checkpoint.currentIndexChanged):
            sig.connect(lambda *_: self.update_cleaned())
        self.plot.jointChanged.connect(lambda *_: self._replot())
        for sig in (self.retarget.toggled, self.thin.toggled, self.tolerance.valueChanged):
            sig.connect(lambda *_: self._count_keys())

    # ----- loading -------------------------------------------------------------------------------
    def _pick_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Take the motion from a video", self.start_dir, VIDEO_FILTER)
        if path:
            self.load(path)

    def _pick_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "A folder of OpenPose JSON files (one per frame)", self.start_dir)
        if path:
            self.load(path)

    def load(self, path: str | None = None) -> Job | None:
        """Read the motion at ``path`` (default: the Source field) in the worker; returns the job."""
        path = (path or self.source.text()).strip()
        self.source.setText(path)
        if not path:
            self.status.setText("Choose a video or a folder of OpenPose JSON files first.")
            return None
        needs = Needs() if os.path.isdir(path) else Needs(detector=self.backend)  # a video: the worker's detector
        return self._start(Job(f"Reading the motion from {os.path.basename(path)}", load_motion_fn(path), needs),
                           self._on_loaded)

    def _start(self, job: Job, on_done: Callable[[Any], None]) -> Job | None:
        self._on_done = on_done
        if not start_job(self.run_job, job, self.status, lambda p: show_progress(self.progress, self.status, p),
                         self._job_finished,
                         lambda message: self._end_job(f"⚠ {message}"), lambda: self._end_job("Cancelled.")):
            return None
        self.job = job
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(f"{job.title}…")
        for w in (self.load_button, self.smoother, self.import_button):
            w.setEnabled(False)
        self.cancel_button.setText("Cancel")
        return job

    def _job_finished(self, result: Any) -> None:
        self._end_job()
        self._on_done(result)

    def _end_job(self, status: str | None = None) -> None:
        """The job ended (finished, or stopped with ``status`` to show): the dialog's controls come back."""
        if status is not None:
            self.status.setText(status)
        self.job = None
        self.progress.hide()
        self.load_button.setEnabled(True)
        self.smoother.setEnabled(True)
        self.import_button.setEnabled(self.cleaned is not None)
        self.cancel_button.setText("Close")

    def _on_loaded(self, motion: Any) -> None:
        self.motion = motion
        self._net_cache.clear()
        size = f" ({motion.frame_size[0]}×{motion.frame_size[1]})" if motion.frame_size else ""
        found = int((~np.isnan(motion.xy).any(axis=2)).any(axis=1).sum())
        self.info.setText(f"{len(motion)} frames at {motion.fps:g} fps from {os.path.basename(motion.source)}{size}; "
                          f"a person in {found} of them.")
        self.status.setText("")
        self.update_cleaned()

    # ----- smoothing -----------------------------------------------------------------------------
    def set_smoother(self, key: str) -> None:
        self.smoother.setCurrentIndex(list(SMOOTHERS).index(key))

    def _show_params(self) -> None:
        key = self.smoother.currentData()
        self.window_spin.setVisible(key == "savgol")
        self.cutoff.setVisible(key == "oneeuro")
        self.beta.setVisible(key == "oneeuro")
        self.checkpoint.setVisible(key == "network")

    def update_cleaned(self) -> None:
        """Recompute the cleaned motion for the chosen smoother (the network one runs as a job)."""
        from core.animation.smoothing import MotionError, smooth_motion

        self._show_params()
        if self.motion is None:
            return
        key = self.smoother.currentData()
        raw = self.motion.xy
        if key == "network":
            path = self.checkpoint.currentData()
            if path in self._net_cache:
                self.cleaned = self._net_cache[path]
            else:
                self.cleaned = None
                fn = network_fn(raw, self.motion.frame_size, path, self.loader)
                self._start(Job("Cleaning the motion with the network", fn), lambda xy: self._net_done(path, xy))
        else:
            window = self.window_spin.value() | 1  # Savitzky–Golay needs an odd window
            params = {"window": window} if key == "savgol" else {"min_cutoff": self.cutoff.value(), "beta": self.beta.value()}
            try:
                self.cleaned = smooth_motion(raw, key, self.motion.fps, **params)
            except MotionError as exc:
                self.cleaned = None
                self.status.setText(f"⚠ {exc}")
        self.import_button.setEnabled(self.cleaned is not None and self.job is None)
        self._replot()

    def _net_done(self, path: str, xy: np.ndarray) -> None:
        self._net_cache[path] = xy
        if self.smoother.currentData() == "network" and self.checkpoint.currentData() == path:
            self.cleaned = xy
            self.import_button.setEnabled(True)
            self._replot()

    def _replot(self) -> None:
        raw = None if self.motion is None else self.motion.xy
        self.plot.show_motion(raw, self.cleaned)
        self._count_keys()

    def _default_tolerance(self) -> float:
        """1 % of the photo person's height (at least 1 px): thinning judged at the scale of the photo."""
        bounds = self.person.bounds() if self.person is not None else None
        return round(max(1.0, 0.01 * (bounds[3] - bounds[1])), 1) if bounds else 2.0

    def _count_keys(self) -> None:
        """Say how many keyframes Import would make with the current choices."""
        from core.errors import StudioError

        if self.cleaned is None:
            self.keys_label.setText("")
            return
        try:
            track = self.track()
        except StudioError as exc:
            self.keys_label.setText(f"⚠ {exc}")
            return
        self.keys_label.setText(f"→ {len(track)} keyframes over {track.length_frames} frames")

    # ----- result --------------------------------------------------------------------------------
    def track(self) -> Track:
        """The cleaned motion as a Track (fitted and thinned as chosen); MotionError when it cannot be made."""
        from core.animation.retarget import motion_to_track, retarget
        from core.animation.smoothing import MotionError

        if self.motion is None or self.cleaned is None:
            raise MotionError("load a motion first")
        xy = self.cleaned
        if self.retarget.isChecked() and self.person is not None:
            xy = retarget(xy, self.person)
        tolerance = self.tolerance.value() if self.thin.isChecked() else None
        return motion_to_track(xy, self.motion.fps, tolerance)

    def accept(self) -> None:
        """Close with ``built`` set to the Track to import; a motion that cannot be used keeps the dialog open."""
        from core.errors import StudioError

        try:
            self.built = self.track()
        except StudioError as exc:
            self.status.setText(f"⚠ {exc}")
            return
        super().accept()

    def _cancel_or_close(self) -> None:
        if self.job is not None:
            self.job.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()
        super().reject()
