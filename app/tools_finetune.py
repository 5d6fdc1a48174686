"""Tools → Fine-tune on a Video…: adapt a pose checkpoint to the person of a video, in the editor's worker.

The dialog picks the video, the starting weights (an imported pose_fashion / pose_market checkpoint), an
optional VGG19 weight file and the number of iterations; fine-tuning runs as a Job (progress with time left,
cancel), the result is imported into the weights folder and, if wished, used by the editor at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.host import ToolsHost
from app.job_dialog import lay_out_job_dialog, start_job
from app.jobs import Job, Needs, Progress, Resources

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"
WEIGHTS_FILTER = "Weights (*.safetensors *.pth *.pt);;All files (*)"


def finetune_job_fn(weights: str, video: str, out: str, iterations: int, vgg19: str | None, backend: str,
                    finetune: Callable[..., Path] | None = None,
                    import_weights: Callable[[str], Any] | None = None) -> Callable[[Resources], str]:
    """The job: fine-tune in the worker thread, import the result, return the path the editor should load (post it
    with ``Needs(detector=backend)``: the detector is handed to it)."""

    def run(res: Resources) -> str:
        from core.train.finetune import FinetuneOptions
        from core.train.finetune import finetune as real_finetune

        options = FinetuneOptions(iterations=iterations, vgg19=vgg19 or None, detector=backend)
        result = (finetune or real_finetune)(
            weights, video, out, options, progress=lambda d, t, s: res.report(Progress(int(d), int(t), s)),
            cancel=res.cancelled, echo=lambda _s: None, detector=res.detector)
        res.check()
        if import_weights is None:
            from core.weights_store import import_checkpoint

            entry = import_checkpoint(str(result), name=Path(video).stem + "-finetuned")
            return str(entry.path())
        return str(import_weights(str(result)))

    return run


def pose_checkpoints(win: ToolsHost) -> list[str]:
    """Imported pose_fashion / pose_market checkpoints, the one in use first."""
    paths: list[str] = []
    try:
        for e in win.services.find_weights():
            if getattr(e, "kind", "") in ("pose_fashion", "pose_market"):
                paths.append(str(e.path() if callable(e.path) else e.path))
    except Exception:  # no manifest yet
        pass
    current = win.settings.checkpoint
    if current and current in paths:
        paths.remove(current)
        paths.insert(0, current)
    return paths


class FinetuneDialog(QDialog):
    """Collects the settings, runs the job and shows its progress; closing it cancels a running job."""

    def __init__(self, run_job: Callable[[Job], bool], checkpoints: list[str], start_dir: str, backend: str,
                 use_result: Callable[[str], None], job_fn: Callable[..., Callable[[Resources], str]] = finetune_job_fn,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fine-tune on a Video")
        self.run_job, self.start_dir, self.backend, self.use_result, self.job_fn = run_job, start_dir, backend, use_result, job_fn
        self.job: Job | None = None
        self.result_path: str | None = None
        self.video = QLineEdit()
        self.video.setPlaceholderText("A video of the person you animate (a few seconds, whole body)")
        self.weights = QComboBox()
        self.weights.setEditable(True)
        for path in checkpoints:
            self.weights.addItem(path)
        self.vgg = QLineEdit()
        self.vgg.setPlaceholderText("Optional: torchvision VGG19 weights (.pth/.safetensors) for the perceptual losses")
        self.iterations = QSpinBox()
        self.iterations.setRange(1, 1_000_000)
        self.iterations.setValue(500)
        self.out = QLineEdit()
        self.use = QCheckBox("Render with the fine-tuned weights when done")
        self.use.setChecked(True)
        form = QFormLayout()
        form.addRow("Video", self._row(self.video, lambda: self._pick(self.video, VIDEO_FILTER, True)))
        form.addRow("Start from", self._row(self.weights, lambda: self._pick(self.weights, WEIGHTS_FILTER)))
        form.addRow("VGG19", self._row(self.vgg, lambda: self._pick(self.vgg, WEIGHTS_FILTER)))
        form.addRow("Iterations", self.iterations)
        form.addRow("Output folder", self.out)
        form.addRow("", self.use)
        self.progress, self.status, self.buttons, self.start_button, self.cancel_button = lay_out_job_dialog(
            self, form, "Start", self.start, self._cancel_or_close,
            "Fine-tuning runs on this computer; a GPU makes it much faster.", role=QDialogButtonBox.ButtonRole.ActionRole)
        self.progress.setRange(0, 1000)
        self.resize(640, 300)

    def _row(self, field: QWidget, browse: Callable[[], None]) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(field, 1)
        button = QPushButton("Browse…")
        button.clicked.connect(browse)
        row.addWidget(button)
        return row

    def _pick(self, field: QLineEdit | QComboBox, filt: str, is_video: bool = False) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file", self.start_dir, filt)
        if not path:
            return
        if isinstance(field, QComboBox):
            field.setCurrentText(path)
        else:
            field.setText(path)
        if is_video and not self.out.text():
            self.out.setText(os.path.join(os.path.dirname(path), Path(path).stem + "-finetune"))

    def start(self) -> Job | None:
        video, weights = self.video.text().strip(), self.weights.currentText().strip()
        if not video or not weights:
            self.status.setText("Choose a video and the weights to start from.")
            return None
        out = self.out.text().strip() or os.path.join(os.path.dirname(video) or ".", Path(video).stem + "-finetune")
        fn = self.job_fn(weights, video, out, self.iterations.value(), self.vgg.text().strip() or None, self.backend)
        job = Job("Fine-tuning", fn, Needs(detector=self.backend), self)
        if not start_job(self.run_job, job, self.status, self._on_progress, self._on_finished, self._on_failed,
                         self._on_cancelled):
            return None
        self.job = job
        self._set_running(True)
        self.status.setText("Reading the video…")
        return job

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.start_button.setEnabled(not running)
        self.cancel_button.setText("Cancel fine-tuning" if running else "Close")

    def _on_progress(self, p: Progress) -> None:
        self.progress.setValue(int(p.done * 1000 / p.total) if p.total > 0 else 0)
        self.status.setText(p.text or p.describe("step"))

    def _on_finished(self, path: str) -> None:
        self._set_running(False)
        self.result_path = path
        self.status.setText(f"Done: {path}")
        if self.use.isChecked():
            self.use_result(path)

    def _on_failed(self, message: str) -> None:
        self._set_running(False)
        self.status.setText(f"Fine-tuning failed: {message}")

    def _on_cancelled(self) -> None:
        self._set_running(False)
        self.status.setText("Fine-tuning cancelled; the last checkpoint is kept in the output folder (--resume).")

    def _cancel_or_close(self) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()
        super().reject()


def install_finetune(host: ToolsHost) -> QAction:
    """Add Tools → Fine-tune on a Video… (the registry's "tools.main" section); returns the action."""
    action = QAction("Fine-tune on a Video…", host.dialog_parent())
    action.setStatusTip("Adapt the GFLA weights to the person of a video (runs in the background)")

    def open_dialog() -> None:
        dlg = FinetuneDialog(host.run_job, pose_checkpoints(host), host.settings.last_dir(),
                             host.settings.detector_backend, host.choose_renderer, parent=host.dialog_parent())
        host.finetune_dialog = dlg  # tests reach the open dialog here
        dlg.open()

    action.triggered.connect(lambda _checked=False: open_dialog())
    host.registry.add("tools.main", action, ("body",))
    return action
