"""How far a long task is: the one progress type that goes from core's loops to the app's progress bars."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` steps (total ≤ 0: unknown) after ``elapsed_s`` seconds, with what is being done."""

    done: int
    total: int = -1
    text: str = ""
    elapsed_s: float = 0.0

    @property
    def fraction(self) -> float | None:
        """Share done in [0, 1], None while the total is unknown."""
        return min(1.0, self.done / self.total) if self.total > 0 else None

    @property
    def fps(self) -> float:
        """Steps per second so far."""
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left, estimated from the pace so far (None until a step is done or the total is unknown)."""
        if self.done <= 0 or self.total <= 0 or self.elapsed_s <= 0:
            return None
        return max(0.0, (self.total - self.done) * self.elapsed_s / self.done)

    def labelled(self, text: str) -> Progress:
        """The same progress saying ``text``."""
        return replace(self, text=text)

    def describe(self, unit: str = "frame") -> str:
        """'frame 12 of 48 · 3.1 per s · about 12 s left' (or what is known of it), after the text when there is one."""
        parts = [f"{unit} {self.done} of {self.total}" if self.total > 0 else f"{unit} {self.done}"]
        if self.done and self.elapsed_s > 0:
            parts.append(f"{self.fps:.1f} per s")
        eta = self.eta_s
        if eta is not None:
            parts.append(f"about {format_seconds(eta)} left")
        return (self.text + " · " if self.text else "") + " · ".join(parts)

    def __str__(self) -> str:
        eta = self.eta_s
        left = "…" if eta is None else f"{eta:.0f} s left"
        return f"frame {self.done}/{self.total} · {self.fps:.1f} fps · {left}"


def format_seconds(s: float) -> str:
    """'0.4 s', '12 s', '2 min 05 s'."""
    if s < 9.95:
        return f"{s:.1f} s"
    s = int(round(s))
    return f"{s} s" if s < 60 else f"{s // 60} min {s % 60:02d} s"
