"""The frame the long-job dialogs share (export, drive with video, motion import, fine-tune): the dialog's form, then a
progress bar (hidden until a job runs), a status line and the start / close buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.jobs import Job
from core.progress import Progress


def int_spin(lo: int, hi: int, value: int, step: int = 1, prefix: str = "", suffix: str = "",
             tip: str = "") -> QSpinBox:
    """A whole-number field of the dialogs and the timeline bar, set up in one call."""
    box = QSpinBox(minimum=lo, maximum=hi, singleStep=step, value=value, prefix=prefix, suffix=suffix)
    box.setToolTip(tip)
    return box


def float_spin(lo: float, hi: float, value: float, decimals: int = 2, step: float = 1.0, prefix: str = "",
               suffix: str = "", tip: str = "") -> QDoubleSpinBox:
    """A decimal field (frame rates, tolerances, filter settings), set up in one call (decimals before the value,
    which they round)."""
    box = QDoubleSpinBox(decimals=decimals, minimum=lo, maximum=hi, singleStep=step, prefix=prefix, suffix=suffix)
    box.setValue(value)
    box.setToolTip(tip)
    return box


class JobDialogParts(NamedTuple):
    progress: QProgressBar
    status: QLabel
    buttons: QDialogButtonBox
    start_button: QPushButton
    cancel_button: QPushButton


BUSY_TEXT = "Another long job is running; wait for it or cancel it first."


def start_job(run_job: Callable[[Job], bool], job: Job, status: QLabel, on_progress: Callable[[Progress], None],
              on_finished: Callable[[Any], None], on_failed: Callable[[str], None],
              on_cancelled: Callable[[], None]) -> bool:
    """Wire ``job``'s progress and its three endings to a dialog and start it with ``run_job``; False, saying why
    on ``status``, when another long job has the worker."""
    job.progressed.connect(on_progress)
    job.finished.connect(on_finished)
    job.failed.connect(on_failed)
    job.cancelled.connect(on_cancelled)
    if run_job(job):
        return True
    status.setText(BUSY_TEXT)
    return False


def show_progress(bar: QProgressBar, status: QLabel, p: Progress, unit: str = "frame") -> None:
    """Show ``p`` on a job dialog's bar (busy while the total is unknown) and status line."""
    if p.total > 0:
        bar.setRange(0, p.total)
        bar.setValue(p.done)
    else:
        bar.setRange(0, 0)
    status.setText(p.describe(unit))


def lay_out_job_dialog(dialog: QDialog, form: QLayout, start_text: str, on_start: Callable[[], object],
                       on_cancel: Callable[[], object], status_text: str = "", extra: Sequence[QWidget] = (),
                       cancel: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Close,
                       role: QDialogButtonBox.ButtonRole = QDialogButtonBox.ButtonRole.AcceptRole) -> JobDialogParts:
    """Lay ``dialog`` out as ``form``, ``extra`` widgets, progress, status and buttons; wire the two buttons."""
    progress = QProgressBar()
    progress.hide()  # shown while a job runs
    status = QLabel(status_text)
    status.setWordWrap(True)
    buttons = QDialogButtonBox()
    start_button = buttons.addButton(start_text, role)
    cancel_button = buttons.addButton(cancel)
    start_button.clicked.connect(lambda: on_start())
    cancel_button.clicked.connect(lambda: on_cancel())
    col = QVBoxLayout(dialog)
    col.addLayout(form)
    for widget in extra:
        col.addWidget(widget)
    col.addWidget(progress)
    col.addWidget(status)
    col.addWidget(buttons)
    return JobDialogParts(progress, status, buttons, start_button, cancel_button)
