"""The concurrent export loop (core/render/concurrent.py): order, progress, cancel, torch's thread count restored."""

import threading
import time

import numpy as np
import pytest
import torch

from core.errors import Cancelled
from core.render.base import RenderResult
from core.render.concurrent import render_concurrently


def _frame(i: int) -> RenderResult:
    time.sleep(0.01 * ((7 * i) % 3))  # frames finish out of order
    return RenderResult(np.full((2, 2, 3), i, np.uint8), f"frame {threading.current_thread().name}")


def test_frames_come_back_in_order_from_several_threads_with_progress():
    calls: list[tuple[int, int]] = []
    before = torch.get_num_threads()
    results = list(render_concurrently(list(range(12)), _frame, 2, progress=lambda d, t: calls.append((d, t))))
    assert [int(r.image[0, 0, 0]) for r in results] == list(range(12))
    assert calls == [(i, 12) for i in range(1, 13)]
    assert len({r.renderer for r in results}) == 2, "two worker threads rendered"
    assert torch.get_num_threads() == before


def test_cancel_stops_the_export_and_restores_the_thread_count():
    before = torch.get_num_threads()
    seen: list[int] = []
    with pytest.raises(Cancelled):
        for r in render_concurrently(range(100), _frame, 2, cancel=lambda: len(seen) >= 3):
            seen.append(int(r.image[0, 0, 0]))
    assert seen == [0, 1, 2]
    assert torch.get_num_threads() == before
