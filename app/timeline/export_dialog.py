"""The Export Animation dialog: MP4 / GIF / PNG sequence, fps, size, skeleton beside, progress with time left, cancel.

Rendering runs as a Job in the editor's worker thread (``core.animation.sequence.render_animation``
streaming into ``core.export.open_writer``), so the window stays responsive and memory stays flat; a
cancelled or failed export leaves no file behind (the writers write to a temporary path and rename).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.job_dialog import lay_out_job_dialog, show_progress, start_job
from app.jobs import Job, Needs, Progress, Resources, format_seconds
from core.animation.keyframes import Track

FORMATS = {"mp4": "MP4 video (H.264)", "gif": "Animated GIF (loops)", "png": "PNG sequence (a folder of frames)"}
SUFFIX = {"mp4": ".mp4", "gif": ".gif", "png": "_frames"}
GIF_DEFAULT_WIDTH = 480


@dataclass(frozen=True)
class ExportSettings:
    path: str
    fmt: str  # "mp4" | "gif" | "png"
    fps: float
    width: int  # of the rendered panel; the height follows the photo's aspect ratio
    skeleton_beside: bool = False
    network: bool = True  # False: the skeleton-warp renderer even when a checkpoint is loaded


@dataclass(frozen=True)
class ExportDone:
    path: str
    frames: int
    seconds: float


def frame_times(track: Track, fps: float) -> np.ndarray:
    """Track frames (fractional) to sample so the export runs ``fps`` frames a second for the same duration."""
    n = max(1, int(round(track.duration_s * fps)))
    return np.arange(n, dtype=np.float64) * (track.fps / fps)


# What an export renders with, chosen in the worker: (network wanted) -> (renderer, its source state, photo (h, w)).
# None: the body editor's photo with its checkpoint renderer (when loaded and wanted) or the skeleton warp, handed
# to the job as its resources.
SourcePicker = Callable[[bool], tuple[Any, Any, tuple[int, int]]]


def export_needs(settings: ExportSettings, pick: SourcePicker | None) -> Needs:
    """What the export job needs from the editor's worker: its renderer and encoded photo unless ``pick`` chooses."""
    return Needs() if pick is not None else Needs(source="network" if settings.network else "warp")


def export_job_fn(track: Track, settings: ExportSettings, pick: SourcePicker | None = None
                  ) -> Callable[[Resources], Generator[Progress, None, ExportDone]]:
    """The generator the worker runs: render every frame of ``track`` into the chosen writer, yielding progress."""

    def run(res: Resources) -> Generator[Progress, None, ExportDone]:
        from core.animation.sequence import render_animation
        from core.export import open_writer

        if pick is not None:
            renderer, state, (h, w) = pick(settings.network)
        else:
            renderer, state, (h, w) = res.renderer, res.state, res.photo.image.shape[:2]
        pw = max(2, int(settings.width))
        ph = max(2, int(round(pw * h / w)))
        size = (2 * pw if settings.skeleton_beside else pw, ph)
        times = frame_times(track, settings.fps)
        poses = list(track.sample(times))  # typed by the track's layout; small, unlike the frames
        options = {"max_side": None} if settings.fmt == "gif" else {}
        start = time.perf_counter()
        text = f"Exporting with {renderer.name}"
        yield Progress(0, len(times), text)
        n = 0
        with open_writer(settings.path, settings.fps, size, settings.fmt, **options) as writer:
            n = render_animation(renderer, state, poses, writer, cancel=res.cancelled,
                                 progress=lambda p: res.report(p.labelled(text)),
                                 skeleton_beside=settings.skeleton_beside)
        return ExportDone(str(writer.path), n, time.perf_counter() - start)

    return run


class ExportDialog(QDialog):
    """Collects the export settings, runs the export through ``run_job`` and shows its progress."""

    def __init__(self, track: Track, photo_size: tuple[int, int], renderer_name: str, default_path: str,
                 run_job: Callable[[Job], bool], parent: QWidget | None = None, pick: SourcePicker | None = None,
                 fast_name: str = "Skeleton warp", beside_text: str = "the skeleton track", network: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Animation")
        self.track, self.photo_size, self.run_job, self.pick = track, photo_size, run_job, pick
        self.job: Job | None = None
        self.written: ExportDone | None = None
        self.fmt = QComboBox()
        for key, title in FORMATS.items():
            self.fmt.addItem(title, key)
        self.path_edit = QLineEdit(default_path)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(1.0, 240.0)
        self.fps.setDecimals(3)
        self.fps.setValue(track.fps)
        self.fps.setSuffix(" fps")
        self.width_spin = QSpinBox()
        self.width_spin.setRange(16, 8192)
        self.width_spin.setSuffix(" px wide")
        self.width_spin.setValue(photo_size[0])
        self.size_label = QLabel()
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_spin)
        size_row.addWidget(self.size_label, 1)
        self.renderer = QComboBox()
        if network:  # a checkpoint renderer is loaded: it, or the fast embedded one
            self.renderer.addItem(f"The current renderer ({renderer_name})", True)
            self.renderer.addItem(f"{fast_name} (fast)", False)
        else:  # the embedded renderer is the only one
            self.renderer.addItem(fast_name, False)
        self.skeleton = QCheckBox(f"Put {beside_text} beside the video")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Format", self.fmt)
        form.addRow("Save to", path_row)
        form.addRow("Frame rate", self.fps)
        form.addRow("Size", size_row)
        form.addRow("Renderer", self.renderer)
        form.addRow("", self.skeleton)
        self.progress, self.status, self.buttons, self.export_button, self.cancel_button = lay_out_job_dialog(
            self, form, "Export", self.start, self._cancel_or_close, extra=[self.summary],
            cancel=QDialogButtonBox.StandardButton.Cancel)
        self.fmt.currentIndexChanged.connect(self._on_format)
        for sig in (self.fps.valueChanged, self.width_spin.valueChanged, self.skeleton.toggled):
            sig.connect(lambda *_: self._update_summary())
        self._update_summary()

    # ----- settings ------------------------------------------------------------------------------
    def settings(self) -> ExportSettings:
        return ExportSettings(self.path_edit.text().strip(), self.fmt.currentData(), self.fps.value(),
                              self.width_spin.value(), self.skeleton.isChecked(), bool(self.renderer.currentData()))

    def set_format(self, fmt: str) -> None:
        self.fmt.setCurrentIndex(list(FORMATS).index(fmt))

    def _on_format(self) -> None:
        fmt = self.fmt.currentData()
        path = self.path_edit.text().strip()
        if path:
            stem = Path(path)
            for suffix in SUFFIX.values():
                if stem.name.endswith(suffix):
                    stem = stem.with_name(stem.name[: -len(suffix)])
            self.path_edit.setText(str(stem) + SUFFIX[fmt])
        if fmt == "gif" and self.width_spin.value() > GIF_DEFAULT_WIDTH:
            self.width_spin.setValue(GIF_DEFAULT_WIDTH)  # GIFs get large fast; the user can raise it again
        self._update_summary()

    def _update_summary(self) -> None:
        w, h = self.photo_size
        pw = self.width_spin.value()
        ph = max(2, round(pw * h / w)) if w else pw
        full = 2 * pw if self.skeleton.isChecked() else pw
        self.size_label.setText(f"→ {full} × {ph} px")
        n = len(frame_times(self.track, self.fps.value()))
        self.summary.setText(f"{n} frames, {self.track.duration_s:.2f} s, {len(self.track)} keyframes.")

    def _browse(self) -> None:
        fmt = self.fmt.currentData()
        start = self.path_edit.text() or os.path.expanduser("~")
        if fmt == "png":
            path, _ = QFileDialog.getSaveFileName(self, "Folder for the PNG frames", start, "Folder (*)")
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Export the animation", start, f"{FORMATS[fmt]} (*.{fmt})")
        if path:
            self.path_edit.setText(path)

    # ----- running -------------------------------------------------------------------------------
    def start(self, settings: ExportSettings | None = None) -> Job | None:
        """Start the export (the dialog's settings unless given); returns the job, or None if it could not start."""
        s = settings or self.settings()
        if not s.path:
            self.status.setText("Choose where to save the animation.")
            return None
        if not Path(s.path).parent.is_dir():
            self.status.setText(f"The folder {Path(s.path).parent} does not exist.")
            return None
        job = Job("Exporting the animation", export_job_fn(self.track, s, self.pick), export_needs(s, self.pick))
        if not start_job(self.run_job, job, self.status, self._on_progress, self._on_finished, self._on_failed,
                         self._on_cancelled):
            return None
        self.job = job
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("Starting…")
        self._set_running(True)
        return job

    def _set_running(self, running: bool) -> None:
        for w in (self.fmt, self.path_edit, self.fps, self.width_spin, self.renderer, self.skeleton, self.export_button):
            w.setEnabled(not running)
        self.cancel_button.setText("Cancel export" if running else "Close")

    def _on_progress(self, p: Progress) -> None:
        show_progress(self.progress, self.status, p)

    def _on_finished(self, done: ExportDone) -> None:
        self.job, self.written = None, done
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText(f"✔ Exported {done.frames} frames to {done.path} in {format_seconds(done.seconds)}.")

    def _on_failed(self, message: str) -> None:
        self.job = None
        self._set_running(False)
        self.progress.hide()
        self.status.setText(f"⚠ The export failed: {message}")

    def _on_cancelled(self) -> None:
        self.job = None
        self._set_running(False)
        self.progress.hide()
        self.status.setText("Export cancelled; nothing was written.")

    def _cancel_or_close(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")
        else:
            self.reject()

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()  # closing the dialog stops the export too
        super().reject()
