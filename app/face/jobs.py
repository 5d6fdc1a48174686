"""Face mode's one adapter to the job system: the detect / preview / render "newest wins" slots on the window's
job runner, wired to the page's slots, and the page's way to start a long job. Nothing else in face mode makes job
slots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.jobs import Job, JobRunner, JobSlot

if TYPE_CHECKING:
    from app.face.window import FacePage


class FaceJobs(QObject):
    """The page's request slots: finding the face, drag previews (each newer one shown), settled renders."""

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.detect = JobSlot(runner, "Finding the face", self)
        self.render = JobSlot(runner, "Rendering the face", self)
        self.preview = JobSlot(runner, "Previewing the face", self, progressive=True)

    def connect_page(self, page: FacePage) -> None:
        banner = page.banner
        self.detect.finished.connect(page._on_detected)
        self.detect.failed.connect(page._on_detect_failed)
        self.render.finished.connect(lambda _g, answer: page.show_result(*answer))
        self.render.failed.connect(lambda _g, msg: banner.show_error(f"Rendering the face failed: {msg}"))
        self.render.busyChanged.connect(lambda busy: busy and page.result_header.setText("Result — rendering…"))
        self.preview.finished.connect(lambda _g, answer: page.show_result(*answer))
        self.preview.failed.connect(lambda _g, msg: banner.show_error(f"Previewing the face failed: {msg}"))

    def start_long(self, job: Job) -> bool:
        """Start an import or export in the worker (after the short requests waiting there); False at once while
        another long job runs."""
        return self.runner.start_long(job)

    @property
    def idle(self) -> bool:
        return self.detect.idle and self.render.idle and self.preview.idle

    def close(self) -> None:
        for slot in (self.detect, self.render, self.preview):
            slot.close()
