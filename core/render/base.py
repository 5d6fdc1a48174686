"""The Renderer protocol and the plain data that crosses it (RGB uint8 arrays in, out)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, runtime_checkable

import numpy as np
from typing_extensions import TypeVar

from core.skeleton import Pose

# What a state's ``pose`` holds: an 18-joint Pose for body renderers, (68, 2) landmarks for face renderers,
# (h, v) view labels for the novel-view renderer. Covariant, so every state is a bare ``SourceState``.
PoseT = TypeVar("PoseT", covariant=True, default=object)
# What a renderer takes as a target (and as the source's own pose): body Poses by default.
TargetT = TypeVar("TargetT", contravariant=True, default=Pose | np.ndarray)

ProgressFn = Callable[[int, int], None]  # (done, total); total may be -1 when unknown
CancelFn = Callable[[], bool]  # returns True when the job should stop


@dataclass
class SourceState(Generic[PoseT]):
    """What a renderer computed once per photo; renderers subclass it with their caches."""

    image: np.ndarray  # (H, W, 3) uint8 RGB, the photo as given
    pose: PoseT  # the source pose in photo pixels (a Pose for body renderers)


@dataclass
class RenderResult:
    """One rendered image and what the UI may show about how it was made."""

    image: np.ndarray  # (h, w, 3) uint8 RGB
    renderer: str  # the renderer's display name
    crop_box: tuple[float, float, float, float] | None = None  # (x0, y0, x1, y1) of `image` in photo pixels; None = whole photo
    flows: list[np.ndarray] = field(default_factory=list)  # each (2, h, w) float32 backward flow, x then y, in pixels of its own grid
    masks: list[np.ndarray] = field(default_factory=list)  # each (h, w) float32 in [0, 1]
    seconds: float = 0.0  # wall time of the render
    extras: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Renderer(Protocol[TargetT]):
    name: str  # shown in the UI, e.g. "GFLA pose_fashion (CPU)" or "Skeleton warp (no checkpoint)"
    device: str  # "cpu" or "cuda"

    def encode_source(self, image: np.ndarray, pose: TargetT) -> SourceState: ...

    def render(self, state: SourceState, target: TargetT) -> RenderResult: ...

    def render_sequence(
        self,
        state: SourceState,
        targets: Iterable[TargetT],
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> Iterator[RenderResult]: ...


PrevT = TypeVar("PrevT", default=object)  # what a recurrent renderer carries from one frame to the next


def render_sequence(
    targets: Iterable[TargetT],
    frame: Callable[[TargetT], RenderResult],
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    batch: Callable[[list[TargetT]], list[RenderResult]] | None = None,
    batch_size: int = 1,
) -> Iterator[RenderResult]:
    """The one sequence loop every renderer's ``render_sequence`` runs: ``frame(target)`` for each target in order,
    or, given ``batch`` and ``batch_size`` > 1, ``batch(targets)`` on up to ``batch_size`` targets at a time.

    ``progress(done, total)`` after each frame (total -1 when ``targets`` has no length); raises
    core.errors.Cancelled when ``cancel()`` turns true before a frame (before a batch when batched).
    """
    from core.errors import Cancelled

    total = len(targets) if isinstance(targets, Sized) else -1
    size = batch_size if batch is not None and batch_size > 1 else 1
    done, pending = 0, list[TargetT]()
    it = iter(targets)
    while True:
        target = next(it, _END)
        if target is not _END:
            pending.append(target)  # pyright: ignore[reportArgumentType]  # not _END: a target
        if pending and (len(pending) == size or target is _END):
            if cancel is not None and cancel():
                raise Cancelled("rendering cancelled")
            results = [frame(pending[0])] if size == 1 else (batch or (lambda t: []))(pending)
            for result in results:
                yield result
                done += 1
                if progress is not None:
                    progress(done, total)
            pending = []
        if target is _END:
            return


_END = object()  # the end of a target iterator


def render_each(renderer: Renderer[TargetT], state: SourceState, targets: Iterable[TargetT],
                progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> Iterator[RenderResult]:
    """``render_sequence`` for a renderer whose frames are independent: each target rendered on its own."""
    return render_sequence(targets, lambda target: renderer.render(state, target), progress, cancel)


class FrameAfterFrame(Generic[TargetT, PrevT]):
    """``render`` and ``render_sequence`` of every renderer, written once over two hooks.

    ``first`` checks a state and gives what frame 0 attends to (for the dance and face networks: the
    source itself); ``step`` renders one frame and gives what the next frame attends to (the generated
    frame). Renderers whose frames are independent derive from FrameByFrame and carry nothing.
    """

    def first(self, state: SourceState) -> tuple[SourceState, PrevT]:
        raise NotImplementedError

    def step(self, state: SourceState, target: TargetT, previous: PrevT) -> tuple[RenderResult, PrevT]:
        raise NotImplementedError

    def render(self, state: SourceState, target: TargetT) -> RenderResult:
        """One frame whose "previous" frame is the source (as the first frame of a published clip)."""
        checked, previous = self.first(state)
        return self.step(checked, target, previous)[0]

    def render_sequence(self, state: SourceState, targets: Iterable[TargetT], progress: ProgressFn | None = None,
                        cancel: CancelFn | None = None) -> Iterator[RenderResult]:
        """Each target in order through ``render_sequence``; frame t gets what ``step`` gave for frame t-1."""
        checked, previous = self.first(state)
        carried = [previous]

        def frame(target: TargetT) -> RenderResult:
            result, carried[0] = self.step(checked, target, carried[0])
            return result

        return render_sequence(targets, frame, progress, cancel)


class FrameByFrame(FrameAfterFrame[TargetT, None]):
    """The renderers whose frames are independent (pose transfer, views, the warps): each target on its own, or
    ``batch_size`` at a time through ``render_batch`` (a renderer that can batch overrides it)."""

    batch_size: int = 1
    workers: int | None = 1  # frames rendered at a time by render_sequence (core.render.concurrent); None: the renderer's choice

    def sequence_workers(self) -> int:
        """How many frames ``render_sequence`` renders at a time: ``workers``, or the renderer's choice for None."""
        return self.workers or 1

    def render_batch(self, state: SourceState, targets: Sequence[TargetT]) -> list[RenderResult]:
        """The results of ``targets``, equal to rendering each one; by default one at a time."""
        return [self.render(state, t) for t in targets]

    def render_sequence(self, state: SourceState, targets: Iterable[TargetT], progress: ProgressFn | None = None,
                        cancel: CancelFn | None = None) -> Iterator[RenderResult]:
        """Each target in order through ``render_sequence``, ``batch_size`` at a time, or ``sequence_workers()``
        frames at a time in threads (core.render.concurrent), in order either way."""
        workers = self.sequence_workers()
        if workers > 1 and self.batch_size <= 1:
            from core.render.concurrent import render_concurrently

            return render_concurrently(targets, lambda t: self.render(state, t), workers, progress, cancel)
        return render_sequence(targets, lambda t: self.render(state, t), progress, cancel,
                               batch=lambda ts: self.render_batch(state, ts), batch_size=self.batch_size)

    def first(self, state: SourceState) -> tuple[SourceState, None]:
        return state, None

    def step(self, state: SourceState, target: TargetT, previous: None) -> tuple[RenderResult, None]:
        return self.render(state, target), None

    def render(self, state: SourceState, target: TargetT) -> RenderResult:
        raise NotImplementedError
