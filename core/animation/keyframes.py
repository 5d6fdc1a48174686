"""The keyframe model of an animation: plain immutable data the timeline edits and the renderer samples.

A ``Track`` never changes in place: every edit (add, move, delete, duplicate, set interpolation,
length, fps) returns a new ``Track`` that shares the unchanged ``Keyframe`` objects (and their
immutable ``Pose``), so an undo snapshot is just a reference to the old track.

A track holds the points of one layout: 18-joint body ``Pose``s (the default) or, for face mode,
68-landmark ``core.keypoints.Keypoints``; ``layout`` ("body18" or "face68") says which, and every keyframe
must be of it (points are typed by the layout, never by their count).

Interpolation is per segment: a keyframe's ``interp`` applies from that keyframe up to the next
one (see core.animation.interpolate for the exact curves and the missing-joint rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from core.errors import PoseError, StudioError
from core.keypoints import LAYOUT_POINTS, Keypoints, layout_of, points_of
from core.points import PointSet
from core.skeleton import Pose

Points = Pose | Keypoints

INTERPOLATIONS: tuple[str, ...] = ("hold", "linear", "smooth", "ease")
DEFAULT_INTERP = "linear"


class TrackError(StudioError, ValueError):
    """A timeline edit that cannot be done (frame out of range, no keyframe there, bad setting)."""


def check_interp(interp: str) -> str:
    if interp not in INTERPOLATIONS:
        raise TrackError(f"unknown interpolation {interp!r}: use one of {', '.join(INTERPOLATIONS)}")
    return interp


@dataclass(frozen=True)
class Keyframe:
    """A pose (body ``Pose`` or face ``Keypoints``) pinned to an integer frame; ``interp`` shapes the segment
    that starts here."""

    frame: int
    pose: Points
    interp: str = DEFAULT_INTERP

    def __post_init__(self) -> None:
        if isinstance(self.frame, bool) or int(self.frame) != self.frame or self.frame < 0:
            raise TrackError(f"a keyframe needs a whole, non-negative frame number, got {self.frame!r}")
        object.__setattr__(self, "frame", int(self.frame))
        if not isinstance(self.pose, PointSet):
            raise TrackError(f"the keyframe at frame {self.frame} needs typed points (a Pose or Keypoints)")
        check_interp(self.interp)


@dataclass(frozen=True)
class Track:
    """Keyframes sorted by frame (at most one per frame), the animation length in frames, its fps and how many
    points each pose has ("body18": 18 body joints, "face68": 68 face landmarks)."""

    keyframes: tuple[Keyframe, ...] = ()
    length_frames: int = 48
    fps: float = 24.0
    layout: str = "body18"

    def __post_init__(self) -> None:
        kfs = tuple(sorted(self.keyframes, key=lambda k: k.frame))
        frames = [k.frame for k in kfs]
        if len(set(frames)) != len(frames):
            raise TrackError("two keyframes share one frame")
        if int(self.length_frames) != self.length_frames or self.length_frames < 1:
            raise TrackError(f"the animation length must be at least 1 frame, got {self.length_frames!r}")
        if not (np.isfinite(self.fps) and 0 < float(self.fps) <= 240):
            raise TrackError(f"fps must be between 0 and 240, got {self.fps!r}")
        if frames and frames[-1] >= self.length_frames:
            raise TrackError(f"keyframe at frame {frames[-1]} lies beyond the animation's {self.length_frames} frames")
        if self.layout not in LAYOUT_POINTS:
            raise TrackError(f"unknown point layout {self.layout!r}: use one of {', '.join(LAYOUT_POINTS)}")
        wrong = [k for k in kfs if layout_of(k.pose) != self.layout]
        if wrong:
            raise TrackError(f"keyframe at frame {wrong[0].frame} has {layout_of(wrong[0].pose)} points; "
                             f"this animation's poses are {self.layout}")
        object.__setattr__(self, "keyframes", kfs)
        object.__setattr__(self, "length_frames", int(self.length_frames))
        object.__setattr__(self, "fps", float(self.fps))

    # ----- queries --------------------------------------------------------------------------------
    @property
    def n_points(self) -> int:
        """How many points each pose has (from the layout)."""
        return LAYOUT_POINTS[self.layout]

    @property
    def frames(self) -> tuple[int, ...]:
        return tuple(k.frame for k in self.keyframes)

    @property
    def duration_s(self) -> float:
        return self.length_frames / self.fps

    def __len__(self) -> int:
        return len(self.keyframes)

    def index_of(self, frame: int) -> int | None:
        for i, k in enumerate(self.keyframes):
            if k.frame == frame:
                return i
        return None

    def keyframe_at(self, frame: int) -> Keyframe | None:
        i = self.index_of(frame)
        return None if i is None else self.keyframes[i]

    def neighbours(self, frame: float) -> tuple[Keyframe | None, Keyframe | None]:
        """The nearest keyframe strictly before and strictly after ``frame`` (for onion skins)."""
        before = [k for k in self.keyframes if k.frame < frame]
        after = [k for k in self.keyframes if k.frame > frame]
        return (before[-1] if before else None, after[0] if after else None)

    # ----- edits (each returns a new Track) -------------------------------------------------------
    def _with(self, keyframes: Iterable[Keyframe], **changes) -> Track:
        return replace(self, keyframes=tuple(keyframes), **changes)

    def _require(self, frame: int) -> int:
        i = self.index_of(frame)
        if i is None:
            raise TrackError(f"there is no keyframe at frame {frame}")
        return i

    def _check_frame(self, frame: int) -> None:
        if not 0 <= frame < self.length_frames:
            raise TrackError(f"frame {frame} is outside the animation (0 … {self.length_frames - 1})")

    def add(self, frame: int, pose: Points | np.ndarray, interp: str | None = None) -> Track:
        """Add a keyframe, replacing one already at ``frame`` (which keeps its interpolation unless given)."""
        self._check_frame(frame)
        old = self.keyframe_at(frame)
        if interp is None:
            interp = old.interp if old is not None else self._interp_before(frame)
        kf = Keyframe(frame, self._typed(pose), interp)
        return self._with([k for k in self.keyframes if k.frame != frame] + [kf])

    def _typed(self, pose: Points | np.ndarray) -> Points:
        """``pose`` as this track's point type; TrackError when it is of another layout."""
        try:
            return points_of(self.layout, pose)
        except PoseError as exc:
            raise TrackError(f"this animation's poses are {self.layout} ({self.n_points} points): {exc}") from None

    def _interp_before(self, frame: int) -> str:
        before, _ = self.neighbours(frame)
        return before.interp if before is not None else DEFAULT_INTERP

    def delete(self, frame: int) -> Track:
        self._require(frame)
        return self._with(k for k in self.keyframes if k.frame != frame)

    def move(self, frame: int, to_frame: int, replace_existing: bool = False) -> Track:
        """Move the keyframe at ``frame`` to ``to_frame``; an occupied target is an error unless replacing."""
        i = self._require(frame)
        self._check_frame(to_frame)
        if to_frame == frame:
            return self
        if self.index_of(to_frame) is not None and not replace_existing:
            raise TrackError(f"frame {to_frame} already has a keyframe")
        moved = replace(self.keyframes[i], frame=to_frame)
        return self._with([k for k in self.keyframes if k.frame not in (frame, to_frame)] + [moved])

    def duplicate(self, frame: int, to_frame: int) -> Track:
        """Copy the keyframe at ``frame`` (pose and interpolation) to ``to_frame``, replacing any there."""
        src = self.keyframes[self._require(frame)]
        self._check_frame(to_frame)
        return self._with([k for k in self.keyframes if k.frame != to_frame] + [replace(src, frame=to_frame)])

    def paste(self, keyframes: Iterable[Keyframe], at_frame: int) -> Track:
        """Insert copied keyframes shifted so the earliest lands on ``at_frame`` (replacing any there)."""
        kfs = sorted(keyframes, key=lambda k: k.frame)
        if not kfs:
            return self
        shift = at_frame - kfs[0].frame
        new = [replace(k, frame=k.frame + shift) for k in kfs]
        for k in new:
            self._check_frame(k.frame)
        taken = {k.frame for k in new}
        return self._with([k for k in self.keyframes if k.frame not in taken] + new)

    def set_interp(self, frame: int, interp: str) -> Track:
        i = self._require(frame)
        kfs = list(self.keyframes)
        kfs[i] = replace(kfs[i], interp=check_interp(interp))
        return self._with(kfs)

    def set_pose(self, frame: int, pose: Points | np.ndarray) -> Track:
        i = self._require(frame)
        kfs = list(self.keyframes)
        kfs[i] = replace(kfs[i], pose=self._typed(pose))
        return self._with(kfs)

    def with_length(self, length_frames: int) -> Track:
        """A new length; keyframes at or beyond the new end are dropped (undo brings them back)."""
        return self._with([k for k in self.keyframes if k.frame < length_frames], length_frames=length_frames)

    def with_fps(self, fps: float) -> Track:
        return self._with(self.keyframes, fps=fps)

    # ----- sampling ------------------------------------------------------------------------------
    @cached_property
    def _interpolator(self):
        from core.animation.interpolate import TrackInterpolator

        return TrackInterpolator(self.keyframes, self.n_points)

    def evaluate(self, frames: Iterable[float] | np.ndarray) -> np.ndarray:
        """(N, n_points, 2) float64 poses at the given (possibly fractional) frames; NaN = missing."""
        return self._interpolator(np.asarray(frames, dtype=np.float64).reshape(-1))

    def pose_at(self, frame: float) -> Points:
        """The pose at ``frame`` (fractional frames interpolate); an empty track gives an empty pose."""
        return points_of(self.layout, self.evaluate([frame])[0])

    def sample(self, frames: Iterable[float] | None = None, chunk: int = 256) -> Iterator[Points]:
        """Poses at ``frames`` (default every frame 0 … length-1), computed ``chunk`` at a time."""
        seq = np.arange(self.length_frames, dtype=np.float64) if frames is None else np.asarray(list(frames), float)
        for start in range(0, len(seq), chunk):
            for xy in self.evaluate(seq[start : start + chunk]):
                yield points_of(self.layout, xy)

    def dense(self) -> np.ndarray:
        """(length_frames, n_points, 2) every frame's pose as one array."""
        return self.evaluate(np.arange(self.length_frames))


def track_from_poses(
    poses: np.ndarray | Iterable[Points], fps: float, frames: Iterable[int] | None = None, interp: str = "linear",
    layout: str | None = None,
) -> Track:
    """A track with one keyframe per given pose (at ``frames``, default 0, 1, 2, …); body or face points, of
    ``layout`` (default: the layout of the typed points given; an array needs it named)."""
    items = list(poses)
    if layout is None:
        if not items or not isinstance(items[0], PointSet):
            raise TrackError("name the layout (body18 or face68) of poses given as arrays")
        layout = layout_of(items[0])
    typed = [points_of(layout, p) for p in items]
    idx = list(range(len(typed))) if frames is None else [int(f) for f in frames]
    if len(idx) != len(typed):
        raise TrackError(f"{len(typed)} poses but {len(idx)} frame numbers")
    kfs = tuple(Keyframe(f, typed[i], interp) for i, f in enumerate(idx))
    length = (max(idx) + 1) if idx else 1
    return Track(kfs, length_frames=length, fps=fps, layout=layout)
