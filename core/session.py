"""One editing session, Qt-free: the photo (held once), its detected and edited point sets, and what is stale.

The session is driven by a core.subjects.Subject: its layout types the point sets (a body's are
core.skeleton.Pose, a face's core.keypoints.Keypoints; never guessed from an array's size), and its
render policy says whether a point set can be rendered. Every edit bumps ``revision``; every render request
gets a ``stamp``, and ``accept`` says whether a finished result may be shown (only one newer than the one
shown, and never one asked for on the previous photo), so a late drag preview never covers the settled
render. ``stale`` is True while the points differ from what the shown settled result was made from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import PoseError
from core.keypoints import Keypoints
from core.skeleton import Pose
from core.subjects import Subject

Points = Pose | Keypoints  # a point set typed by its layout: body joints or face landmarks


@dataclass(frozen=True, eq=False)
class Photo:
    """The open photo: its path and pixels, shared by reference (never copied) with whoever renders it."""

    path: str
    image: np.ndarray  # (H, W, 3) uint8 RGB

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])


@dataclass(frozen=True)
class RenderRequest:
    """What to render: the points at ``revision``, numbered ``stamp`` in request order."""

    stamp: int
    revision: int
    points: Points
    preview: bool


class EditingSession:
    """The photo and the points being edited for one subject."""

    def __init__(self, subject: Subject) -> None:
        if subject.layout is None:
            raise ValueError(f"the {subject.kind} subject has no points to edit")
        self.subject = subject
        self.layout = subject.layout
        self.photo: Photo | None = None
        self.detected: Points = self.empty_points()
        self.points: Points = self.detected
        self.revision = 0  # bumped by every change of ``points``
        self._stamp = 0  # the newest request's number
        self._shown = 0  # the stamp of the result on screen
        self._settled_revision = -1  # the revision the shown settled result was made from

    # ----- typed point sets -----------------------------------------------------------------
    def empty_points(self) -> Points:
        """Every point hidden, of the subject's type."""
        return self.make_points(np.full((self.layout.size, 2), np.nan))

    def make_points(self, xy: object) -> Points:
        """``xy`` ((N, 2) array or a point set) as the subject's point type; PoseError when it is not N points."""
        kind = Pose if self.layout.name == "body18" else Keypoints
        arr = np.asarray(getattr(xy, "xy", xy), dtype=np.float64)
        if arr.shape != (self.layout.size, 2):
            raise PoseError(f"a {self.layout.name} point set has {self.layout.size} (x, y) points, got {arr.shape}")
        if isinstance(xy, kind):
            return xy
        return Pose(arr) if kind is Pose else Keypoints(arr)

    # ----- the photo and edits --------------------------------------------------------------
    @property
    def has_photo(self) -> bool:
        return self.photo is not None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the photo, (0, 0) without one."""
        return (0, 0) if self.photo is None else self.photo.size

    def set_photo(self, path: str, image: np.ndarray, detected: object) -> None:
        """A new photo: its detected points become the points; nothing asked for the old photo is shown."""
        points = self.make_points(detected)
        self.photo = Photo(str(path), image)
        self.detected = self.points = points
        self.revision += 1
        self._shown = self._stamp
        self._settled_revision = -1

    def set_points(self, points: object) -> None:
        """Make ``points`` the points (an edit, an undo, a timeline frame)."""
        typed = self.make_points(points)
        if typed != self.points:
            self.points = typed
            self.revision += 1

    # ----- rendering ------------------------------------------------------------------------
    def why_not_render(self) -> str | None:
        """None when the points can be rendered, else the one-line reason."""
        if self.photo is None:
            return "there is no photo open"
        if self.subject.policy.needs_every_point and not bool(self.points.present.all()):
            hidden = int((~self.points.present).sum())
            return (f"the {self.subject.title.lower()} needs all {self.layout.size} {self.subject.point_noun}s to "
                    f"render: restore the {hidden} hidden one(s)")
        return None

    def request(self, preview: bool) -> RenderRequest:
        """Number a request for the current points (newest numbered highest)."""
        self._stamp += 1
        return RenderRequest(self._stamp, self.revision, self.points, preview)

    def accept(self, request: RenderRequest) -> bool:
        """True (and recorded as shown) when ``request``'s result is newer than the one on screen."""
        if request.stamp <= self._shown:
            return False
        self._shown = request.stamp
        if not request.preview:
            self._settled_revision = request.revision
        return True

    @property
    def stale(self) -> bool:
        """The points changed since the settled result on screen was made (or none is shown yet)."""
        return self.photo is not None and self._settled_revision != self.revision
