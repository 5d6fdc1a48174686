"""The app's one job system: a worker thread with "newest request wins" slots, generator jobs, one Progress type.

``JobRunner`` (runner.py) owns the thread and runs each ``Job`` (runner.py too: one request and its signals);
``Needs`` and ``Resources`` (resources.py) are what a job asks for and gets; ``JobSlot`` (slot.py) is a window's
newest-wins slot. Progress is ``core.progress.Progress``.
"""

from app.jobs.resources import JobFn, Needs, Resources, user_message
from app.jobs.runner import LONG, Job, JobRunner
from app.jobs.slot import JobSlot
from core.progress import Progress, format_seconds

__all__ = ["LONG", "Job", "JobFn", "JobRunner", "JobSlot", "Needs", "Progress", "Resources", "format_seconds",
           "user_message"]
