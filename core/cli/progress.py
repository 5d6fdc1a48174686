"""The terminal progress bar the rendering commands share (tqdm on stderr, counted in frames)."""

from __future__ import annotations

import sys

from tqdm import tqdm


class FrameBar:
    """A tqdm bar over frames; ``to(done)`` moves it to ``done`` frames (the callbacks report totals, not steps)."""

    def __init__(self, desc: str, total: int | None) -> None:
        self.bar = tqdm(total=total if total and total > 0 else None, desc=desc, unit="frame", file=sys.stderr,
                        dynamic_ncols=True, leave=True)

    @property
    def n(self) -> int:
        """Frames done so far."""
        return int(self.bar.n)

    def to(self, done: int, total: int = 0) -> None:
        """Move to ``done`` frames; a positive ``total`` (the count once known) sets the bar's length."""
        if total > 0 and self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()
