"""Independent frames rendered concurrently for export: one frame per CPU core, each on one torch thread.

Measured on the 2-core CPU (docs/benchmarks.md, "Batched export"): a pose_fashion frame on the fast path runs
about 40 % of its time in ``embedding_bag`` (the attention gathers), which uses one core whatever torch's thread
count, and the rest in convolutions that gain only 1.4× from a second thread. Two frames at a time, each on one
thread, keep both cores busy all the time; the images are those of frame-by-frame rendering (the kernels' results
do not depend on the thread count beyond float32 round-off). Frames come back in order; the caller's loop
(writer, progress) runs in the calling thread meanwhile.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import torch

from core.render.base import CancelFn, ProgressFn, RenderResult

T = TypeVar("T")


def default_workers() -> int:
    """Frames in flight for a concurrent export: the CPU cores this process may use (at most 4)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def render_concurrently(
    targets: Iterable[T],
    frame: Callable[[T], RenderResult],
    workers: int,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Iterator[RenderResult]:
    """``frame(target)`` for every target, ``workers`` at a time in threads, results yielded in target order.

    torch runs one intra-op thread per worker while the generator is active (restored when it ends or is closed).
    ``progress(done, total)`` after each yielded frame; core.errors.Cancelled when ``cancel()`` turns true
    before a frame is started or handed back (frames still in flight are finished and dropped).
    """
    from core.errors import Cancelled

    total = len(targets) if isinstance(targets, Sized) else -1
    threads = torch.get_num_threads()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="render-frame")
    pending: deque[Future[RenderResult]] = deque()
    it, done = iter(targets), 0

    def cancelled() -> bool:
        return cancel is not None and cancel()

    torch.set_num_threads(1)  # before the pool's threads start: each takes the count at its first torch call
    try:
        while True:
            while len(pending) < workers + 1:  # one frame queued beyond the running ones keeps every core busy
                target = next(it, _END)
                if target is _END:
                    break
                if cancelled():
                    raise Cancelled("rendering cancelled")
                pending.append(pool.submit(frame, target))  # pyright: ignore[reportArgumentType]  # not _END
            if not pending:
                return
            result = pending.popleft().result()
            if cancelled():
                raise Cancelled("rendering cancelled")
            yield result
            done += 1
            if progress is not None:
                progress(done, total)
    finally:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True)
        torch.set_num_threads(threads)


_END = object()
