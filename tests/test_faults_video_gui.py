"""Fault catalogue, the motion-import dialog: a failing video import ends with its progress bar gone, the error
shown on one line naming the file, and the dialog ready for another try."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication


def _corrupt_mp4(path: Path) -> None:
    """A real MP4 cut to its first 600 bytes: its header promises frames that are not there."""
    import imageio_ffmpeg

    whole = path.with_name("whole.mp4")
    writer = imageio_ffmpeg.write_frames(str(whole), (64, 96), fps=10, macro_block_size=1)
    writer.send(None)
    for i in range(12):
        writer.send(np.full((96, 64, 3), 20 * i, np.uint8).tobytes())
    writer.close()
    path.write_bytes(whole.read_bytes()[:600])


@pytest.mark.parametrize("kind", ["text", "corrupt"])
def test_a_failing_video_import_closes_its_progress_and_names_the_file(qtbot, editor, tmp_path, kind) -> None:
    """case: motion import from a corrupt MP4 or a text file named .mp4, in the dialog | expected: progress bar
    hidden, one-line error naming the file, dialog usable again | checks: job failed; progress hidden; status
    has the name and no newline; Load enabled, Import disabled"""
    path = tmp_path / "clip.mp4"
    if kind == "text":
        path.write_text("this is not a video\n")
    else:
        _corrupt_mp4(path)
    dlg = editor.timeline.show_import()
    job = dlg.load(str(path))
    assert job is not None and dlg.progress.isVisible(), "the progress bar shows while the job runs"
    qtbot.waitUntil(lambda: job.done, timeout=20000)
    QApplication.processEvents()
    assert job.outcome is not None and job.outcome[0] == "failed", job.outcome
    assert not dlg.progress.isVisible(), "the progress bar closes after the failure"
    status = dlg.status.text()
    assert "clip.mp4" in status and "\n" not in status and status.startswith("⚠")
    assert dlg.load_button.isEnabled() and not dlg.import_button.isEnabled()
    assert dlg.job is None
