"""Face mode's one adapter to the job system: the detect / preview / render "newest wins" slots and the long-job
poster (app.face.latest_job, app.timeline.jobs), wired to the page's slots. Nothing else in face mode makes jobs
slots, so replacing the job system touches this module only."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.face.latest_job import LatestJob
from app.timeline.jobs import Job, PatientPoster

if TYPE_CHECKING:
    from app.face.window import FacePage


class FaceJobs(QObject):
    """The page's request slots: finding the face, drag previews (each newer one shown), settled renders."""

    def __init__(self, run_job: Callable[[Job], bool], running_job: Callable[[], Job | None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.detect = LatestJob(run_job, "Finding the face", self)
        self.render = LatestJob(run_job, "Rendering the face", self)
        self.preview = LatestJob(run_job, "Previewing the face", self, progressive=True)
        self.long_jobs = PatientPoster(run_job, self, running=running_job)  # exports wait for previews and renders

    def connect_page(self, page: FacePage) -> None:
        banner = page.banner
        self.detect.finished.connect(page._on_detected)
        self.detect.failed.connect(page._on_detect_failed)
        self.render.finished.connect(lambda _g, answer: page.show_result(*answer))
        self.render.failed.connect(lambda _g, msg: banner.show_error(f"Rendering the face failed: {msg}"))
        self.render.busyChanged.connect(lambda busy: busy and page.result_header.setText("Result — rendering…"))
        self.preview.finished.connect(lambda _g, answer: page.show_result(*answer))
        self.preview.failed.connect(lambda _g, msg: banner.show_error(f"Previewing the face failed: {msg}"))

    @property
    def idle(self) -> bool:
        return self.detect.idle and self.render.idle and self.preview.idle

    def close(self) -> None:
        for slot in (self.detect, self.render, self.preview):
            slot.close()
