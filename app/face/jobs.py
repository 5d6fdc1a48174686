"""Face mode's one adapter to the job system: the detect / preview / render "newest wins" slots on the window's
job runner and the page's way to start a long job. Previews and renders are submitted straight to the runner by
the page (app/face/window.py), whose session (core.session) keeps only the newest result on screen; finding the
face is a ``JobSlot`` (a detection made moot by a project opened meanwhile is dropped). Nothing else in face mode
makes job slots."""

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
        self.render = runner.new_slot_name("face render")  # a newer settled render stops the running one
        self.preview = runner.new_slot_name("face preview")  # progressive: every newer preview is shown

    def connect_page(self, page: FacePage) -> None:
        self.detect.finished.connect(page._on_detected)
        self.detect.failed.connect(page._on_detect_failed)

    def start_long(self, job: Job) -> bool:
        """Start an import or export in the worker (after the short requests waiting there); False at once while
        another long job runs."""
        return self.runner.start_long(job)

    @property
    def idle(self) -> bool:
        return self.detect.idle and not self.runner.pending(self.render) and not self.runner.pending(self.preview)

    def close(self) -> None:
        self.detect.close()
        self.runner.cancel(self.render)
        self.runner.cancel(self.preview)
